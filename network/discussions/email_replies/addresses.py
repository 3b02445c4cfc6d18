"""Reply addresses: giving a member their address for a thread when a notification mail goes out, reading
one back from a received mail, and stopping them (a thread unwatched, the account page's "stop replies by
email", a deactivated or deleted account).

An address is ``reply+<row id>-<signature>@<REPLY_EMAIL_DOMAIN>``: the signature is 32 base32 characters
(160 bits) of an HMAC-SHA256 of the row under a key derived from ``SECRET_KEY``, lower case because mail
servers may fold the case of a local part. Why a signed row rather than a hash of a random token: the same
address must go out again in the next mail about the thread (a hash cannot be turned back into it), and the
row still makes it revocable (``revoked_at``), expiring (``expires_at``, renewed by each mail) and
retirable (a new nonce). Rotating ``SECRET_KEY`` retires every address at once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from network.database import insert_for
from network.discussions.email_replies.models import ReplyAddress, ReplyByEmailStop
from network.extensions import db
from network.members.models import User
from network.signals import account_deleted
from network.types import utcnow

#: How long an address works after the last mail that carried it.
LIFETIME = timedelta(days=30)
_LOCAL = re.compile(r"^reply\+(?P<id>[0-9]{1,12})-(?P<signature>[a-z2-7]{32})$")


def reply_domain() -> str | None:
    """The domain reply addresses live at (``REPLY_EMAIL_DOMAIN``); None turns reply by email off."""
    return (current_app.config.get("REPLY_EMAIL_DOMAIN") or "").strip().lower() or None


def _signature(row_id: int, user_id: int, thread_id: int, nonce: str) -> str:
    key = hashlib.sha256(b"reply-address\0" + str(current_app.config["SECRET_KEY"]).encode()).digest()
    digest = hmac.new(key, f"{row_id}:{user_id}:{thread_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode().lower()


def _address(row: ReplyAddress, domain: str) -> str:
    return f"reply+{row.id}-{_signature(row.id, row.user_id, row.thread_id, row.nonce)}@{domain}"


def stopped(user_id: int) -> bool:
    """Whether the member stopped replies by email on their account page."""
    return db.session.get(ReplyByEmailStop, user_id) is not None


def address_for(user: User, thread_id: int) -> str | None:
    """The member's reply address for the thread, for a mail about to go out: the same one as before while it
    lives (30 more days from now), a new one once it expired or was revoked; None when reply by email is off
    or the member stopped it."""
    domain = reply_domain()
    if domain is None or stopped(user.id):
        return None
    now = utcnow()
    row = _row(user.id, thread_id)
    if row is None:
        # An upsert: two replies in the thread at once, each mailing the member, must not collide.
        connection = db.session.connection()
        connection.execute(insert_for(connection.dialect.name)(ReplyAddress).values(
            user_id=user.id, thread_id=thread_id, nonce=secrets.token_hex(16), created_at=now, expires_at=now)
            .on_conflict_do_nothing(index_elements=["user_id", "thread_id"]))
        row = _row(user.id, thread_id)
    elif row.revoked_at is not None or row.expires_at <= now:
        # A fresh nonce: the address of the expired or stopped mails stays dead.
        row.nonce, row.revoked_at = secrets.token_hex(16), None
    row.expires_at = now + LIFETIME
    return _address(row, domain)


def _row(user_id: int, thread_id: int) -> ReplyAddress | None:
    return db.session.scalar(select(ReplyAddress).where(ReplyAddress.user_id == user_id,
                                                        ReplyAddress.thread_id == thread_id))


def reply_addresser(thread_id: int):
    """``user -> address or None`` for ``notifications.notify_members``' mails about the thread."""
    return lambda user: address_for(user, thread_id)


def find_address(address: str) -> ReplyAddress | None:
    """The row a received reply address names, whatever its state; None for an address that is not one of
    ours or whose signature is wrong (forged, or from before a nonce or the secret key changed)."""
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    match = _LOCAL.match(local)
    if match is None or domain != reply_domain():
        return None
    row = db.session.get(ReplyAddress, int(match["id"]))
    if row is None:
        return None
    expected = _signature(row.id, row.user_id, row.thread_id, row.nonce)
    return row if hmac.compare_digest(expected, match["signature"]) else None


def is_reply_address(address: str) -> bool:
    """Whether ``address`` has the shape of a reply address at our domain (the listener's RCPT check; the
    signature is checked when the mail is read)."""
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    return domain == reply_domain() and _LOCAL.match(local) is not None


def live(row: ReplyAddress) -> bool:
    """Neither revoked nor expired."""
    return row.revoked_at is None and row.expires_at > utcnow()


def revoke_for_thread(user_id: int, thread_id: int) -> None:
    """The member stopped watching the thread: their address for it stops working."""
    db.session.execute(update(ReplyAddress).where(
        ReplyAddress.user_id == user_id, ReplyAddress.thread_id == thread_id, ReplyAddress.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False))


def revoke_all(user_id: int) -> int:
    """Every address of the member stops working (deactivation, "stop replies by email"); how many."""
    result = db.session.execute(update(ReplyAddress).where(
        ReplyAddress.user_id == user_id, ReplyAddress.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount


def stop(user_id: int) -> int:
    """The member stops replies by email: every address is revoked and no new one goes out; how many."""
    if not stopped(user_id):
        db.session.add(ReplyByEmailStop(user_id=user_id))
    return revoke_all(user_id)


def resume(user_id: int) -> None:
    """The member wants reply addresses again: the next mail about a thread carries a new one."""
    db.session.execute(delete(ReplyByEmailStop).where(ReplyByEmailStop.user_id == user_id))


@account_deleted.connect
def _forget_addresses(user: User, **_details) -> None:
    """A deleted account's reply addresses go with it (``signals.account_deleted``)."""
    db.session.execute(delete(ReplyAddress).where(ReplyAddress.user_id == user.id))
    db.session.execute(delete(ReplyByEmailStop).where(ReplyByEmailStop.user_id == user.id))
