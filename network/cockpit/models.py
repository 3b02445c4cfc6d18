"""The weekly brief's memory: one row per staff member and ISO week, with what the cockpit showed then.

The unique key makes a second run in the same week send nothing; the snapshot is what "since last week"
is measured against. Staff reminders ("nudges") are kept in the reminders' log (``ReminderLog``, kinds
``nudge-…``), the one place that says when an item was last reminded."""

from __future__ import annotations

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.types import intpk, member_fk, utc_now


class StaffBrief(db.Model):
    __tablename__ = "staff_brief"
    __table_args__ = (UniqueConstraint("user_id", "week"),)

    id: Mapped[intpk]
    user_id: Mapped[member_fk]
    week: Mapped[str] = mapped_column(String(8))  # ISO week, e.g. "2026-W49"
    # {"uncovered": ["<fellow id>:<type>", ...], "overdue": [<mentorship id>, ...]} for the member's programs.
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    mailed: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[utc_now]
