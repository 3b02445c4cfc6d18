"""Receiving a reply by email: ``flask mail receive`` (a mail server's pipe) and ``flask mail listen`` (SMTP)
both hand the raw message to :func:`receive`, which posts it as the member through the reply service, so
every rule of the reply page holds, or answers the member with a mail saying why not.

What is never answered, so no two programs mail each other for ever: automatic mail (``Auto-Submitted``,
``Precedence: bulk``, vacation notices, bounces, an empty envelope sender) and mail with no member behind it
(an address that is not ours, forged, or of a deactivated or deleted account). The sender's ``From`` must be
the member's own address: the reply address is the secret, but a notification forwarded to a colleague must
not let the colleague post as the member by answering it (a forged ``From`` still needs the address).
Logs name members, threads and outcomes, never a message's text."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

from flask import current_app, url_for
from sqlalchemy.exc import IntegrityError

from network import permissions
from network.audit.models import record
from network.discussions import limits, queries
from network.discussions.email_replies.addresses import find_address, is_reply_address, live
from network.discussions.email_replies.extract import reply_text
from network.discussions.forms import MAX_POST_LENGTH
from network.discussions.models import Thread
from network.discussions.services import posting
from network.discussions.services.errors import ThreadLocked
from network.discussions.services.review import check_draft
from network.extensions import db
from network.mail.services import queue_email
from network.members.models import User, normalize_email
from network.text.phi import without_phi
from network.types import utcnow
from network.urls import absolute

log = logging.getLogger(__name__)

#: What the member is told, in plain words, when their reply is not posted.
EXPIRED = ("This reply address no longer works: it expired (an address works for 30 days after the last mail "
           "about the thread), or it was stopped when you stopped following the thread or stopped replies by "
           "email. Reply on the site instead; the next mail about the thread brings a new address.")
LOCKED = "The thread is locked: it takes no more replies."
NOT_ALLOWED = ("You can no longer reply in this thread: it was removed, or you no longer see its category "
               "(for instance, you left the cohort it belongs to).")
RATE_LIMITED = ("You are posting faster than the network allows, a few posts a minute. Send your reply again "
                "in a few minutes.")
EMPTY = ("We found no text of yours in the mail, only the quoted message or a signature. Write your reply "
         "above the quoted text.")
TOO_LONG = ("Your reply has {length:,} characters; a post can have at most {limit:,}. Shorten it or split it "
            "into two replies.")
OTHER_SENDER = ("The reply came from another address than your account's. Replies by email are posted only when "
                "they come from your own address: if you wrote it, send it again from that address.")
CONFIRM_IDENTIFIERS = ("Your reply looks like it may identify a patient ({kinds}). Remove the identifiers and "
                       "reply again, or post it on the site, where you can confirm that the text identifies no "
                       "patient.")

#: Headers of mail that a program sent on its own (RFC 3834 and the older conventions vacation notices use).
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")
#: Where a pipe delivery names the address the mail was for, most exact first.
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


@dataclass(frozen=True)
class Outcome:
    """What became of a received mail: ``posted``, ``held`` (for a moderator), ``refused`` (the member was
    told why, when there is a member to tell) or ``ignored`` (automatic mail, or a duplicate delivery);
    ``reason`` is a word for the log."""

    status: str
    reason: str
    post_id: int | None = None

    @property
    def accepted(self) -> bool:
        return self.status in ("posted", "held")


def parse(raw: bytes) -> EmailMessage:
    """The message as the mail server handed it over."""
    return BytesParser(policy=policy.default).parsebytes(raw)


def is_automatic(message: EmailMessage, sender: str | None = None) -> bool:
    """Whether the mail was sent by a program (an auto-reply, a bounce, a list): never answered."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return True
    if str(message.get("Precedence", "")).strip().lower() in _AUTOMATIC_PRECEDENCE:
        return True
    if any(message.get(header) for header in ("X-Autoreply", "X-Autorespond", "List-Id")):
        return True
    if message.get_content_type() == "multipart/report":
        return True
    if sender is not None and sender.strip() in ("", "<>"):
        return True
    return _sender(message).startswith(_BOUNCE_SENDERS) or str(message.get("Return-Path", "")).strip() == "<>"


def _sender(message: EmailMessage) -> str:
    addresses = getaddresses([str(value) for value in message.get_all("From", [])])
    return normalize_email(addresses[0][1]) if len(addresses) == 1 else ""


def reply_address_in(message: EmailMessage, recipients: list[str] | None) -> str | None:
    """The reply address the mail was sent to: an envelope recipient, else the headers a pipe delivery has."""
    candidates = list(recipients or [])
    if not candidates:
        for header in _RECIPIENT_HEADERS:
            candidates += [address for _name, address in getaddresses(
                [str(value) for value in message.get_all(header, [])])]
    return next((address for address in candidates if is_reply_address(address)), None)


def receive(raw: bytes, recipients: list[str] | None = None, sender: str | None = None) -> Outcome:
    """Post a received reply as its member, or refuse it (answering the member when there is one). Commits.
    ``recipients`` and ``sender`` are the envelope's, when the caller has them."""
    message = parse(raw)
    if is_automatic(message, sender):
        log.info("reply by email: automatic mail ignored")
        return Outcome("ignored", "automatic")
    address = reply_address_in(message, recipients)
    row = find_address(address) if address else None
    if row is None:
        log.warning("reply by email: refused, no valid reply address (forged or unknown)")
        return Outcome("refused", "unknown-address")
    member = db.session.get(User, row.user_id)
    if member is None or not member.is_active or not member.is_verified:
        log.warning("reply by email: refused, member %s is not active", row.user_id)
        return Outcome("refused", "inactive-member")
    with current_app.test_request_context(base_url=current_app.config.get("PUBLIC_URL") or None):
        outcome = _reply(message, member, row)
    log.info("reply by email from member %s in thread %s: %s (%s)", member.id, row.thread_id, outcome.status,
             outcome.reason)
    return outcome


def _reply(message: EmailMessage, member: User, row) -> Outcome:
    """The checks of the reply page, in its order, then the reply service."""
    thread = queries.load_thread(row.thread_id)
    if not live(row):
        return _refuse(member, thread, "expired-address", EXPIRED)
    if _sender(message) != normalize_email(member.email):
        return _refuse(member, thread, "other-sender", OTHER_SENDER)
    if not permissions.can_reply(member, thread):
        locked = thread.locked and permissions.can_view_thread(member, thread) and thread.removed_at is None
        return _refuse(member, thread, "locked" if locked else "not-allowed", LOCKED if locked else NOT_ALLOWED)
    text = reply_text(message)
    if not text:
        return _refuse(member, thread, "empty", EMPTY)
    if len(text) > MAX_POST_LENGTH:
        return _refuse(member, thread, "too-long", TOO_LONG.format(length=len(text), limit=MAX_POST_LENGTH))
    check = check_draft(text, thread.category)
    if check is not None and not check.holding:
        # The page asks the author to tick "identifies no patient"; a mail cannot, so nothing is posted.
        kinds = ", ".join(sorted({match.label for match in check.matches}))
        return _refuse(member, thread, "identifiers", CONFIRM_IDENTIFIERS.format(kinds=kinds))
    if not limits.take_reply_by_mail(member.id):
        return _refuse(member, thread, "rate-limited", RATE_LIMITED)
    try:
        post = posting.reply(member, thread, text, _submission_key(message))
        post_id, held = post.id, post.held
        row.last_used_at = utcnow()
        record(member.id, "post.by-email", "post", post_id, thread_id=thread.id, held=held)
        if held:
            _answer(member, thread, "Your reply is held for review",
                    "Your reply looks like it contains patient identifiers, so it is held: a moderator will review "
                    "it before others can see it (only you and the moderators see it meanwhile), and you will be "
                    "told.", url_for("discussions.show_post", post_id=post_id))
        db.session.commit()
    except ThreadLocked:  # locked between the check and the post
        db.session.rollback()
        return _refuse(member, thread, "locked", LOCKED)
    except IntegrityError:  # the same message delivered twice: its submission key is taken
        db.session.rollback()
        return Outcome("ignored", "duplicate")
    return Outcome("held" if held else "posted", "held-for-review" if held else "ok", post_id)


def _submission_key(message: EmailMessage) -> str | None:
    """A key per message (its Message-ID), so a mail server delivering it twice makes one post."""
    message_id = str(message.get("Message-ID", "")).strip()
    return "mail-" + hashlib.sha256(message_id.encode()).hexdigest()[:38] if message_id else None


def _refuse(member: User, thread: Thread, reason: str, why: str) -> Outcome:
    """Tell the member why their reply was not posted; commits the answer."""
    db.session.rollback()
    _answer(member, thread, "Your reply was not posted", why + " Nothing was posted.",
            url_for("discussions.thread", thread_id=thread.id))
    db.session.commit()
    return Outcome("refused", reason)


def _answer(member: User, thread: Thread, headline: str, why: str, link: str) -> None:
    """The answer to a reply by email, through the outbox."""
    title = without_phi(thread.title)
    queue_email("reply-by-email", member.email, f"{headline}: “{title}”", "reply_by_email", user=member,
                headline=headline, why=why, thread_title=title, link=absolute(link))
