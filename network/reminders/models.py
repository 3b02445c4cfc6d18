"""The reminder log: one row per reminder sent, so an item is reminded at most once a week."""

from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.types import intpk, utc_now


class ReminderLog(db.Model):
    __tablename__ = "reminder_log"
    __table_args__ = (Index("ix_reminder_log_item", "kind", "target_id", "sent_at"),)

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(48))  # "reminder-meeting", "reminder-request"
    target_id: Mapped[int]  # the mentorship or the request
    sent_at: Mapped[utc_now]
