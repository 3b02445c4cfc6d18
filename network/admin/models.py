"""What the admin wing keeps of its own: deactivated accounts and the status to give back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.types import UTCDateTime, utcnow


class MemberDeactivation(db.Model):
    """A deactivated member: their status is set to rejected (no sign-in) and restored on reactivation."""

    __tablename__ = "member_deactivation"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    deactivated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deactivated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    previous_status: Mapped[str] = mapped_column(String(16))
