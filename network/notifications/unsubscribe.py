"""Signed one-click unsubscribe addresses: a mail's recipient and the group of its kind, no expiry.

The token names the member by id when the mail was for a member (so no address shows in the link),
else by the recipient address."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from network.notifications.kinds import GROUPS_BY_KEY, group_of

SALT = "unsubscribe"
#: The group key of the daily digest mail: unsubscribing moves every "daily" group to on-site only.
DIGEST = "digest"
#: Account mails (confirmations, password resets, verification) are not optional: no unsubscribe; nor is
#: the answer to a member's own reply by email (they stop those by not replying, or on the account page).
ACCOUNT_KINDS = frozenset({"confirm-email", "password-reset", "password-changed", "registration-attempt",
                           "member-verified", "member-rejected", "identity-link", "reply-by-email"})


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def group_key_for_mail(kind: str) -> str | None:
    """The preference group a mail of ``kind`` belongs to, ``None`` for account mails."""
    if kind in ACCOUNT_KINDS:
        return None
    if kind == "daily-digest":
        return DIGEST
    return group_of(kind).key


def make_token(member: int | str, group_key: str) -> str:
    """``member`` is a member id or, for a mail to an address only, that address."""
    return _serializer().dumps([member.lower() if isinstance(member, str) else member, group_key])


def read_token(token: str) -> tuple[int | str, str] | None:
    """``(member id or address, group key)`` from a token, or ``None`` when it was tampered with."""
    try:
        member, group_key = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if group_key != DIGEST and group_key not in GROUPS_BY_KEY:
        return None
    if not isinstance(member, (int, str)) or isinstance(member, bool):
        return None
    return member, group_key


def unsubscribe_path(member: int | str, kind: str) -> str | None:
    """The site path of the unsubscribe page for this mail, or ``None`` when the kind has none."""
    group_key = group_key_for_mail(kind)
    if group_key is None:
        return None
    adapter = current_app.url_map.bind("localhost")
    return adapter.build("notifications.unsubscribe", {"token": make_token(member, group_key)})
