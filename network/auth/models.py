"""Two-step sign-in: a member's authenticator secret and their single-use recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.types import intpk, member_fk, member_pk, utc_now


class TwoFactor(db.Model):
    """One per member who started setting up an authenticator; on once ``enabled_at`` is set."""

    __tablename__ = "two_factor"

    user_id: Mapped[member_pk]
    # The TOTP secret, encrypted with a key derived from SECRET_KEY (network/auth/sealing.py).
    secret_sealed: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[utc_now]
    enabled_at: Mapped[datetime | None]
    # The 30-second time step of the last accepted code: a code is never accepted twice.
    last_used_step: Mapped[int | None]


class RecoveryCode(db.Model):
    """A single-use code for a member without their phone; only its SHA-256 is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[intpk]
    user_id: Mapped[member_fk]
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[utc_now]
    used_at: Mapped[datetime | None]


class ApiToken(db.Model):
    """A personal access token for the JSON API (``/api/v1``): only its SHA-256 is kept, the member saw it once.

    ``scopes`` is a space-separated subset of ``network.auth.api_tokens.SCOPES``; a token opens the API only while
    it is neither revoked nor expired and its member is still active (``network.auth.api_tokens.authenticate``).
    """

    __tablename__ = "api_token"

    id: Mapped[intpk]
    user_id: Mapped[member_fk]
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[utc_now]
    expires_at: Mapped[datetime]
    # Refreshed at most once a minute, never a write per request.
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()
