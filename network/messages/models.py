"""Conversations between two members, their messages, blocks, reports and who may write to whom."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.types import LabelledEnum, enum_column, intpk, member_fk, member_pk, utc_now


class WhoMayWrite(LabelledEnum):
    """Who may start a conversation with a member (replies in an existing one are always allowed)."""

    ANYONE = "anyone", "Any verified member"
    CONNECTED = "connected", "Only my mentors, mentees and the people of my program"
    NOBODY = "nobody", "Nobody"


class MessagingSetting(db.Model):
    __tablename__ = "messaging_setting"

    user_id: Mapped[member_pk]
    who_may_write: Mapped[WhoMayWrite] = mapped_column(enum_column(WhoMayWrite, "who_may_write", length=16),
                                                       default=WhoMayWrite.ANYONE)


class Conversation(db.Model):
    """One per pair of members: the lower user id is ``low``. Read marks are the last message id each saw."""

    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("low_member_id", "high_member_id"),
                      CheckConstraint("low_member_id < high_member_id", name="ordered_pair"),
                      Index("ix_conversation_low_last", "low_member_id", "last_message_at"),
                      Index("ix_conversation_high_last", "high_member_id", "last_message_at"))

    id: Mapped[intpk]
    low_member_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    high_member_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[utc_now]
    last_message_at: Mapped[utc_now]
    last_message_id: Mapped[int | None]
    low_read_id: Mapped[int] = mapped_column(default=0)
    high_read_id: Mapped[int] = mapped_column(default=0)

    low_member: Mapped[User] = relationship(foreign_keys=[low_member_id])  # noqa: F821
    high_member: Mapped[User] = relationship(foreign_keys=[high_member_id])  # noqa: F821

    def has_member(self, user_id: int) -> bool:
        return user_id in (self.low_member_id, self.high_member_id)

    def other_id(self, user_id: int) -> int:
        return self.high_member_id if user_id == self.low_member_id else self.low_member_id

    def other(self, user_id: int):
        return self.high_member if user_id == self.low_member_id else self.low_member

    def read_id(self, user_id: int) -> int:
        return self.low_read_id if user_id == self.low_member_id else self.high_read_id


class Message(db.Model):
    __tablename__ = "message"
    __table_args__ = (Index("ix_message_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[intpk]
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    sender_id: Mapped[member_fk]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[utc_now]
    # Set when a moderator removed the message after a report; the text is kept for the audit trail.
    removed_at: Mapped[datetime | None]

    sender: Mapped[User] = relationship()  # noqa: F821
    conversation: Mapped[Conversation] = relationship()


class MemberBlock(db.Model):
    """``blocker`` blocked ``blocked``: no messages either way while it lasts."""

    __tablename__ = "member_block"

    blocker_id: Mapped[member_pk]
    blocked_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    created_at: Mapped[utc_now]

    blocked: Mapped[User] = relationship(foreign_keys=[blocked_id])  # noqa: F821


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    REMOVED = "removed"  # the message was taken down


class MessageReport(db.Model):
    __tablename__ = "message_report"
    __table_args__ = (UniqueConstraint("message_id", "reporter_id"),
                      Index("ix_message_report_status_created", "status", "created_at"))

    id: Mapped[intpk]
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus, "report_status", length=16),
                                                 default=ReportStatus.OPEN)
    created_at: Mapped[utc_now]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    message: Mapped[Message] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])  # noqa: F821
