"""Invitations into a cohort, staged roster imports and graduations (kept so they can be undone)."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.programs.models import Cohort, CohortRole
from network.types import enum_column, intpk, utc_now, utcnow

INVITATION_DAYS = 7
UNDO_DAYS = 7


class InvitationStatus(enum.StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"  # never stored: a sent invitation past its expiry


class Invitation(db.Model):
    __tablename__ = "invitation"
    __table_args__ = (Index("ix_invitation_cohort_status", "cohort_id", "status"),)

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[CohortRole] = mapped_column(enum_column(CohortRole, "invitation_role", 16))
    training_background_id: Mapped[int | None] = mapped_column(ForeignKey("specialty.id", ondelete="SET NULL"))
    # Only a SHA-256 of the token is kept: the link in the mail is the only copy of the secret.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[InvitationStatus] = mapped_column(enum_column(InvitationStatus, "invitation_status", 16),
                                                     default=InvitationStatus.SENT)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[utc_now]
    sent_at: Mapped[utc_now]
    expires_at: Mapped[datetime] = mapped_column(default=lambda: utcnow() + timedelta(days=INVITATION_DAYS))
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])  # noqa: F821

    def state(self, now: datetime | None = None) -> InvitationStatus:
        """What the director sees: a sent invitation past its expiry is expired."""
        if self.status == InvitationStatus.SENT and self.expires_at <= (now or utcnow()):
            return InvitationStatus.EXPIRED
        return self.status


class ImportStatus(enum.StrEnum):
    PREVIEWED = "previewed"
    IMPORTED = "imported"


class RosterImport(db.Model):
    """An uploaded roster between preview and import: the parsed rows live here, not in the cookie."""

    __tablename__ = "roster_import"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    rows: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[ImportStatus] = mapped_column(enum_column(ImportStatus, "import_status", 16),
                                                 default=ImportStatus.PREVIEWED)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[utc_now]
    imported_at: Mapped[datetime | None]


class Graduation(db.Model):
    """A cohort's graduation with everything it changed, so undo restores exactly that."""

    __tablename__ = "graduation"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    graduated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    graduated_at: Mapped[utc_now]
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    undone_at: Mapped[datetime | None]

    @property
    def undo_until(self) -> datetime:
        return self.graduated_at + timedelta(days=UNDO_DAYS)

    def is_undoable(self, now: datetime | None = None) -> bool:
        """Still within its undo window and not undone (who may undo it is ``permissions.can_manage_cohort``)."""
        return self.undone_at is None and (now or utcnow()) - self.graduated_at <= timedelta(days=UNDO_DAYS)
