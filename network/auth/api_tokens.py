"""Personal access tokens for the JSON API: issued once, kept as a SHA-256, scoped, expiring, audited.

A token is ``fn_`` and 43 random URL-safe characters (256 bits), so a plain SHA-256 is the right way to keep it: a
guessed token is as unlikely as a guessed key, and looking one up is a single indexed query. What the API does with
one is in ``network/api/auth.py``; the account page and ``flask tokens`` issue and revoke them here.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from network.audit.models import record
from network.auth.models import ApiToken
from network.extensions import db
from network.members.models import User
from network.permissions import manages_any_program
from network.signals import account_deleted
from network.types import utcnow

#: What a token may do: ``read`` every GET the member could make on the pages, ``write`` the changes they could
#: make there, ``roster`` invite people to a cohort's roster (program staff only, as on the pages).
SCOPES = ("read", "write", "roster")
SCOPE_LABELS = {"read": "Read what you can see", "write": "Post, reply and change what you can change",
                "roster": "Invite people to your cohorts' rosters"}
PREFIX = "fn_"
#: The expiries offered, in days; the longest is the most any token may have.
EXPIRY_DAYS = (7, 30, 90, 365)
DEFAULT_DAYS = 90
#: A member keeps at most this many live tokens (each is a standing way in).
MAX_LIVE_TOKENS = 20
#: ``last_used_at`` is written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    """The token cannot be issued as asked; the message says why, for the form or the command line."""


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(text: str | list[str]) -> list[str]:
    """``"read,write"`` or ``["read", "write"]`` as the scopes in their canonical order; unknown ones refused."""
    asked = [part.strip().lower() for part in (text.split(",") if isinstance(text, str) else text) if part.strip()]
    unknown = sorted(set(asked) - set(SCOPES))
    if unknown:
        raise TokenError(f"Unknown scope {', '.join(unknown)}: choose from {', '.join(SCOPES)}.")
    if not asked:
        raise TokenError("Choose at least one scope.")
    return [scope for scope in SCOPES if scope in asked]


def offered_scopes(member: User) -> tuple[str, ...]:
    """The scopes ``member`` may give a token: ``roster`` only to whoever runs a program, as on the pages."""
    return tuple(scope for scope in SCOPES if scope != "roster" or manages_any_program(member))


def live_tokens(user_id: int):
    """A ``select`` of the member's tokens that still open the API, newest first."""
    return (select(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))


def issue(member: User, name: str, scopes: list[str], days: int = DEFAULT_DAYS,
          actor_id: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``member`` and its secret (shown once, never stored); an audit entry, no secret in it.

    ``actor_id`` is who issued it: the member on the account page, None from the command line."""
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise TokenError("Give the token a name of 1 to 80 characters, so you know later what uses it.")
    if days not in range(1, max(EXPIRY_DAYS) + 1):
        raise TokenError(f"A token lasts from 1 to {max(EXPIRY_DAYS)} days.")
    if not member.is_active or not member.is_verified:
        raise TokenError("Only a verified, active member can have API tokens.")
    scopes = parse_scopes(scopes)
    if not set(scopes) <= set(offered_scopes(member)):
        raise TokenError("The roster scope is for program staff: only they invite people to a cohort's roster.")
    live = db.session.scalar(select(db.func.count()).select_from(live_tokens(member.id).subquery()))
    if live >= MAX_LIVE_TOKENS:
        raise TokenError(f"You have {MAX_LIVE_TOKENS} tokens already: revoke one you no longer use first.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=member.id, name=name, token_hash=hash_token(secret), scopes=" ".join(scopes),
                     expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record(actor_id, "api_token.created", "api_token", token.id, member_id=member.id, name=name,
           scopes=scopes, days=days)
    return token, secret


def revoke(token: ApiToken, actor_id: int | None = None) -> bool:
    """Stop ``token`` at once; False when it was revoked already (nothing is written then)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record(actor_id, "api_token.revoked", "api_token", token.id, member_id=token.user_id, name=token.name)
    return True


def revoke_all(member_id: int, actor_id: int | None = None) -> int:
    """Stop every live token of the member (deactivated: sessions end, and so does the API); how many."""
    tokens = db.session.scalars(live_tokens(member_id)).all()
    for token in tokens:
        revoke(token, actor_id)
    return len(tokens)


@account_deleted.connect
def _forget_tokens(user: User, **_details) -> None:
    """A deleted account takes its tokens with it: none opens the API again, and their names (a laptop, a
    hospital's system) are the member's data (``signals.account_deleted``)."""
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def authenticate(secret: str) -> tuple[User, ApiToken] | None:
    """The member and the token for ``secret``, if it opens the API now: not revoked, not expired, its member
    active (a member deactivated, turned down or deleted is refused at their next request). One query."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    row = db.session.execute(
        select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(secret))).first()
    if row is None:
        return None
    user, token = row
    now = utcnow()
    if token.revoked_at is not None or token.expires_at <= now or not user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Its own short transaction, before the request's work: a failed request still counts as a use. The
        # commit leaves the member and the token loaded (expiring them would read both again on first use).
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        session = db.session()
        session.expire_on_commit, expire = False, session.expire_on_commit
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire
        set_committed_value(token, "last_used_at", now)
    return user, token
