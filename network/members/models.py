"""The member account."""

from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from network.extensions import db
from network.types import LabelledEnum, enum_column, intpk, member_fk, member_pk, utc_now, utc_updated, utcnow


class Role(LabelledEnum):
    FELLOW = "fellow", "Fellow"
    ALUMNI = "alumni", "Alumni"
    FACULTY = "faculty", "Faculty"
    ADMIN = "admin", "Administrator"


#: Roles a visitor may choose when registering; admins are made only by ``flask create-admin``.
SELF_SERVICE_ROLES = (Role.FELLOW, Role.ALUMNI, Role.FACULTY)


class MemberStatus(enum.StrEnum):
    PENDING = "pending"  # registered, waiting for an administrator
    VERIFIED = "verified"  # a member of the network
    REJECTED = "rejected"  # not admitted; cannot sign in


#: The password hash of a member who has no password (they arrived through their institution's sign-in): no
#: hash method makes it, so no password matches it. They can set one through the password reset mail.
NO_PASSWORD = "!"  # noqa: S105 (a marker no hash equals, not a password)  # nosec B105


def normalize_email(address: str) -> str:
    """The form emails are stored and compared in: trimmed and lower case."""
    return address.strip().lower()


class User(UserMixin, db.Model):
    __tablename__ = "user"
    # The directory lists verified members by name or by recent activity, a page at a time.
    __table_args__ = (Index("ix_user_status_name", "status", "name"),
                      Index("ix_user_status_last_seen_at", "status", "last_seen_at"))

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role", length=16), index=True)
    status: Mapped[MemberStatus] = mapped_column(enum_column(MemberStatus, "status", length=16),
                                                 default=MemberStatus.PENDING, index=True)
    email_confirmed_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Bumped to end every other session: it is part of the Flask-Login id.
    session_version: Mapped[int] = mapped_column(default=1)
    training_background_id: Mapped[int | None] = mapped_column(ForeignKey("specialty.id"), index=True)
    created_at: Mapped[utc_now]
    updated_at: Mapped[utc_updated]
    last_login_at: Mapped[datetime | None]
    # Refreshed at most every few minutes (never a write per page view); sorts "recently active".
    last_seen_at: Mapped[datetime | None] = mapped_column(index=True)
    # Set when the member deleted their account: personal data is gone, the row keeps their posts' authorship.
    deleted_at: Mapped[datetime | None]

    training_background: Mapped[Specialty | None] = relationship()  # noqa: F821
    profile: Mapped[Profile | None] = relationship(back_populates="user", uselist=False)  # noqa: F821
    registration: Mapped[Registration | None] = relationship(back_populates="user", uselist=False)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

    # -- Flask-Login -------------------------------------------------------
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.status != MemberStatus.REJECTED and self.deleted_at is None

    # -- state ---------------------------------------------------------------
    @property
    def is_verified(self) -> bool:
        return self.status == MemberStatus.VERIFIED

    @property
    def is_pending(self) -> bool:
        return self.status == MemberStatus.PENDING

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    @property
    def has_password(self) -> bool:
        return self.password_hash != NO_PASSWORD

    def check_password(self, password: str) -> bool:
        return self.has_password and check_password_hash(self.password_hash, password)

    def end_other_sessions(self) -> None:
        """Invalidate every session and remember-me cookie issued before now."""
        self.session_version = (self.session_version or 1) + 1
        if self.id is not None:
            # The rows too, so the account page lists no session that can no longer be used.
            db.session.execute(revoke_sessions().where(MemberSession.user_id == self.id))


#: Fellows' postgraduate years a registration may name (fellowships follow a residency of 3 to 5 years).
TRAINING_YEARS = (4, 5, 6, 7, 8)


def training_year_label(year: int) -> str:
    return f"PGY-{year} or later" if year == TRAINING_YEARS[-1] else f"PGY-{year}"


class Registration(db.Model):
    """What a member said about themselves when registering, for the administrator who verifies them, and
    the reason they were given if their registration was turned down.

    The training stage is the member's role (fellow, alumni, faculty) with, for a fellow, their
    postgraduate year and, for alumni, the year they finished (the profile's ``graduation_year``)."""

    __tablename__ = "registration"

    user_id: Mapped[member_pk]
    # A program of the network, or ``program_name`` when theirs is not listed ("Other / not listed").
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="SET NULL"), index=True)
    program_name: Mapped[str] = mapped_column(String(160), default="")
    training_year: Mapped[int | None]
    graduation_year: Mapped[int | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(back_populates="registration")
    program: Mapped[Program | None] = relationship()  # noqa: F821

    def stage(self, role: Role) -> str:
        """The training stage as an administrator reads it: "Fellow, PGY-5", "Alumni, graduated 2019"."""
        if role == Role.FELLOW and self.training_year:
            return f"{role.label}, {training_year_label(self.training_year)}"
        if role == Role.ALUMNI and self.graduation_year:
            return f"{role.label}, finished in {self.graduation_year}"
        return role.label

    @property
    def program_named(self) -> str:
        """The program as the member named it, or ""."""
        if self.program is not None:
            return f"{self.program.name}, {self.program.institution}"
        return f"Not listed: {self.program_name}" if self.program_name else ""


class MemberSession(db.Model):
    """One signed-in device: its cookie (and remember-me cookie) carry a random token whose hash is here.

    The member loader joins this row, so ending it (sign-out, "sign out" on the account page) ends the
    session on the server: a copied cookie opens nothing afterwards.
    """

    __tablename__ = "member_session"

    id: Mapped[intpk]
    # SHA-256 of the 128-bit token in the cookie: a leaked table signs nobody in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[member_fk]
    created_at: Mapped[utc_now]
    # Refreshed at most once a minute (when the cookie's own idle clock is).
    last_seen_at: Mapped[utc_now]
    # "Firefox on Linux": enough for the member to tell their devices apart, nothing more.
    user_agent: Mapped[str] = mapped_column(String(80), default="")
    revoked_at: Mapped[datetime | None]


class MemberDeactivation(db.Model):
    """A member the administrators deactivated: their status is set to rejected (no sign-in) and restored on
    reactivation. Kept with the account, so sign-in can tell a deactivated member from one never admitted."""

    __tablename__ = "member_deactivation"

    user_id: Mapped[member_pk]
    deactivated_at: Mapped[utc_now]
    deactivated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    previous_status: Mapped[str] = mapped_column(String(16))


def revoke_sessions():
    """An ``update`` ending the sessions its ``where`` picks (those not ended already)."""
    return (update(MemberSession).where(MemberSession.revoked_at.is_(None)).values(revoked_at=utcnow())
            .execution_options(synchronize_session=False))


def user_by_email(address: str):
    """A ``select`` for the member with this email, in any letter case."""
    return select(User).where(User.email == normalize_email(address))


def count_by_status():
    """A ``select`` of (status, count) over all members."""
    return select(User.status, func.count()).group_by(User.status)
