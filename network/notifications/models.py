"""A notification is a line in a member's inbox with a link; some are also mailed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.notifications.kinds import Delivery, EmailMode  # noqa: F401  (EmailMode: the older name)
from network.types import enum_column, intpk, member_fk, member_pk, utc_now


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[intpk]
    user_id: Mapped[member_fk]
    kind: Mapped[str] = mapped_column(String(48))
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(500))
    # What the notification is about (e.g. "thread", 12), so an area can withdraw it.
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[utc_now]
    read_at: Mapped[datetime | None]
    # Set once the notification went out by mail (immediately or in a digest).
    emailed_at: Mapped[datetime | None] = mapped_column(index=True)
    # The member wanted this one in their daily digest (decided when it was made).
    for_digest: Mapped[bool] = mapped_column(default=False, server_default=false())


class NotificationPreference(db.Model):
    """How one member wants one group of notifications; no row means the group's default."""

    __tablename__ = "notification_preference"

    user_id: Mapped[member_pk]
    group_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, "delivery", length=16))
