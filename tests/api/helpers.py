"""Tokens for API tests: ``headers = bearer(issue_token(app, member, "read"))``."""

from __future__ import annotations

from datetime import timedelta

from network.auth import api_tokens
from network.auth.models import ApiToken
from network.extensions import db
from network.members.models import User
from network.types import utcnow

ALL_SCOPES = ("read", "write", "roster")


def issue_token(app, member, *scopes: str) -> str:
    """A live token of ``member`` (a ``Member`` or ``User``) with ``scopes`` (all three when none are named),
    written directly, so a pending member can have one too (the services refuse them one)."""
    with app.app_context():
        secret = api_tokens.PREFIX + f"test-{member.id}-{'-'.join(scopes or ALL_SCOPES)}-" + "x" * 20
        secret += f"-{db.session.scalar(db.select(db.func.count()).select_from(ApiToken))}"
        db.session.add(ApiToken(user_id=member.id, name="test", token_hash=api_tokens.hash_token(secret),
                                scopes=" ".join(scopes or ALL_SCOPES), expires_at=utcnow() + timedelta(days=1)))
        db.session.commit()
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def member_user(app, member) -> User:
    with app.app_context():
        return db.session.get(User, member.id)
