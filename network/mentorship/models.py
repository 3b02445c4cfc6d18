"""Mentor settings, requests, mentorships and what happens inside them (goals and meetings)."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.database import association_table
from network.extensions import db
from network.taxonomy.models import Interest
from network.text.words import plural
from network.types import LabelledEnum, enum_column, intpk, member_fk, member_pk, utc_now, utc_updated


class MentoringType(LabelledEnum):
    RESEARCH = "research", "Research"
    CLINICAL = "clinical", "Clinical / procedural"
    CAREER = "career", "Career"
    WELLNESS = "wellness", "Wellness"


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CLOSED = "closed"  # another mentor of the same type accepted first


class DeclineReason(LabelledEnum):
    AT_CAPACITY = "at_capacity", "I am at capacity"
    OUTSIDE_EXPERTISE = "outside_expertise", "Outside my expertise"
    NOT_AVAILABLE = "not_available", "Not available now"
    OTHER = "other", "Other"


class MentorshipStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    ENDED = "ended"  # ended early


class MeetingMode(LabelledEnum):
    VIDEO = "video", "Video"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"


mentor_topic = association_table("mentor_topic", ("mentor_id", "mentor_settings.user_id"),
                                 ("interest_id", "interest.id"))


class MentorSettings(db.Model):
    __tablename__ = "mentor_settings"
    __table_args__ = (CheckConstraint("capacity BETWEEN 1 AND 10", name="capacity_range"),
                      CheckConstraint("active_mentees >= 0", name="active_not_negative"))

    user_id: Mapped[member_pk]
    accepting: Mapped[bool] = mapped_column(default=True, index=True)
    capacity: Mapped[int] = mapped_column(default=3)
    # Kept in step with active mentorships inside the accepting transaction: the capacity check is a
    # conditional UPDATE of this counter, so two acceptances can never both take the last place.
    active_mentees: Mapped[int] = mapped_column(default=0)
    types: Mapped[list] = mapped_column(JSON, default=list)  # MentoringType values
    meeting_modes: Mapped[list] = mapped_column(JSON, default=list)  # MeetingMode values
    availability: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[utc_updated]

    topics: Mapped[list[Interest]] = relationship(secondary=mentor_topic, order_by=Interest.name)

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.active_mentees)


class MentorshipRequest(db.Model):
    __tablename__ = "mentorship_request"
    __table_args__ = (Index("ix_mentorship_request_mentor_status", "mentor_id", "status"),
                      Index("ix_mentorship_request_mentee_status", "mentee_id", "status"),
                      # One waiting request per mentee, mentor and type, even when two arrive at once.
                      Index("uq_mentorship_request_pending", "mentee_id", "mentor_id", "type", unique=True,
                            sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")))

    id: Mapped[intpk]
    mentee_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    type: Mapped[MentoringType] = mapped_column(enum_column(MentoringType, "request_type"))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus, "request_status"),
                                                  default=RequestStatus.PENDING, index=True)
    decline_reason: Mapped[DeclineReason | None] = mapped_column(enum_column(DeclineReason, "decline_reason"))
    response_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[utc_now] = mapped_column(index=True)
    responded_at: Mapped[datetime | None]
    mentorship_id: Mapped[int | None] = mapped_column(ForeignKey("mentorship.id", ondelete="SET NULL"))

    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])  # noqa: F821
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])  # noqa: F821


class Mentorship(db.Model):
    __tablename__ = "mentorship"
    __table_args__ = (
        # A fellow has at most one active mentor per type, whatever races happen.
        Index("uq_mentorship_active_type", "mentee_id", "type", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
        Index("ix_mentorship_mentor_status", "mentor_id", "status"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[intpk]
    mentee_id: Mapped[member_fk]
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    type: Mapped[MentoringType] = mapped_column(enum_column(MentoringType, "mentorship_type"))
    status: Mapped[MentorshipStatus] = mapped_column(enum_column(MentorshipStatus, "mentorship_status"),
                                                     default=MentorshipStatus.ACTIVE)
    started_at: Mapped[utc_now]
    ended_at: Mapped[datetime | None]
    # The compact: how often they meet, for how long, and what each expects.
    cadence_days: Mapped[int] = mapped_column(default=30)
    length_months: Mapped[int] = mapped_column(default=12)
    expectations: Mapped[str] = mapped_column(Text, default="")
    last_met_on: Mapped[date | None]
    rating: Mapped[int | None]
    closing_comment: Mapped[str] = mapped_column(Text, default="")

    mentee: Mapped[User] = relationship(foreign_keys="Mentorship.mentee_id")  # noqa: F821
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])  # noqa: F821
    goals: Mapped[list[Goal]] = relationship(back_populates="mentorship", order_by="Goal.id",
                                             cascade="all, delete-orphan")

    def is_overdue(self, today: date) -> bool:
        """No meeting for half as long again as the pair planned between meetings (counted from the start
        when they never met)."""
        if self.status != MentorshipStatus.ACTIVE:
            return False
        since = self.last_met_on or self.started_at.date()
        return (today - since).days > 1.5 * self.cadence_days

    def overdue_note(self, today: date) -> str:
        """Why the mentorship counts as overdue, in the members' words (works on a row of its columns too)."""
        if self.last_met_on:
            return (f"Overdue: you planned to meet every {every(self.cadence_days)}; "
                    f"last met {time_ago(today - self.last_met_on)} ago")
        return (f"Overdue: you planned to meet every {every(self.cadence_days)}; "
                f"you have not met since you started {time_ago(today - self.started_at.date())} ago")


#: How often a pair plans to meet, as the compact's choices name it.
_EVERY = {7: "week", 14: "2 weeks", 30: "month", 60: "2 months", 90: "3 months"}


def every(days: int) -> str:
    """A meeting plan in words: "week", "2 weeks", "month" (for "every …")."""
    return _EVERY.get(days) or plural(days, "day")


def time_ago(elapsed: timedelta) -> str:
    """A span in the unit people use for it: "5 days", "5 weeks", "4 months"."""
    days = elapsed.days
    if days < 14:
        return plural(days, "day")
    if days < 9 * 7:
        return plural(days // 7, "week")
    return plural(days // 30, "month")


class Goal(db.Model):
    __tablename__ = "mentorship_goal"

    id: Mapped[intpk]
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorship.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]
    created_at: Mapped[utc_now]

    mentorship: Mapped[Mentorship] = relationship(back_populates="goals")


class Meeting(db.Model):
    __tablename__ = "mentorship_meeting"

    id: Mapped[intpk]
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorship.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    met_on: Mapped[date]
    minutes: Mapped[int]
    mode: Mapped[MeetingMode] = mapped_column(enum_column(MeetingMode, "meeting_mode"))
    topics: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    notes_private: Mapped[bool] = mapped_column(default=False)  # only the writer sees the notes
    created_at: Mapped[utc_now]

    author: Mapped[User | None] = relationship()  # noqa: F821
