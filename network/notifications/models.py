"""A notification is a line in a member's inbox with a link; some are also mailed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.notifications.kinds import Delivery, EmailMode  # noqa: F401  (EmailMode: the older name)
from network.types import UTCDateTime, enum_column, utcnow


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(48))
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(500))
    # What the notification is about (e.g. "thread", 12), so an area can withdraw it.
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once the notification went out by mail (immediately or in a digest).
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The member wanted this one in their daily digest (decided when it was made).
    for_digest: Mapped[bool] = mapped_column(default=False, server_default=false())


class NotificationPreference(db.Model):
    """How one member wants one group of notifications; no row means the group's default."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, "delivery", length=16))
