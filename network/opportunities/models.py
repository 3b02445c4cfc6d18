"""Opportunities, their tags, and what members do with them (bookmark, interest, RSVP)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network import search
from network.extensions import db
from network.taxonomy.models import Interest, PracticeSetting, Specialty
from network.text.markdown import markdown_to_text
from network.types import enum_column, intpk, member_fk, member_pk, utc_now, utc_updated

_enum = enum_column


class OpportunityKind(enum.StrEnum):
    JOB = "job"
    LOCUM = "locum"
    FELLOWSHIP = "fellowship_position"
    RESEARCH = "research"
    CONFERENCE = "conference"
    WORKSHOP = "workshop"
    WEBINAR = "webinar"

    @property
    def label(self) -> str:
        return {"job": "Job", "locum": "Locum", "fellowship_position": "Fellowship position",
                "research": "Research collaboration", "conference": "Conference",
                "workshop": "Workshop / hands-on course", "webinar": "Webinar"}[self.value]

    @property
    def is_event(self) -> bool:
        return self in EVENT_KINDS

    @property
    def is_job(self) -> bool:
        return self in (OpportunityKind.JOB, OpportunityKind.LOCUM, OpportunityKind.FELLOWSHIP)


EVENT_KINDS = (OpportunityKind.CONFERENCE, OpportunityKind.WORKSHOP, OpportunityKind.WEBINAR)


class OpportunityStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # the poster closed it; it moves to the archive
    REMOVED = "removed"  # an administrator took it down; only administrators still see it


class WorkMode(enum.StrEnum):
    ONSITE = "onsite"
    HYBRID = "hybrid"
    REMOTE = "remote"

    @property
    def label(self) -> str:
        return {"onsite": "On site", "hybrid": "Hybrid", "remote": "Remote / online"}[self.value]


class EmploymentType(enum.StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    CONTRACT = "contract"
    PER_DIEM = "per_diem"

    @property
    def label(self) -> str:
        return {"full_time": "Full time", "part_time": "Part time", "contract": "Contract",
                "per_diem": "Per diem"}[self.value]


class ProjectStage(enum.StrEnum):
    IDEA = "idea"
    PROTOCOL = "protocol"
    DATA_COLLECTION = "data_collection"
    ANALYSIS = "analysis"
    WRITING = "writing"

    @property
    def label(self) -> str:
        return {"idea": "Idea / planning", "protocol": "Protocol writing", "data_collection": "Data collection",
                "analysis": "Analysis", "writing": "Manuscript writing"}[self.value]


class IrbStatus(enum.StrEnum):
    NOT_NEEDED = "not_needed"
    PLANNED = "planned"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    EXEMPT = "exempt"

    @property
    def label(self) -> str:
        return {"not_needed": "Not needed (no human subjects)", "planned": "Not yet submitted",
                "submitted": "Submitted, under review", "approved": "Approved", "exempt": "Exempt"}[self.value]


class RsvpStatus(enum.StrEnum):
    GOING = "going"
    WAITLISTED = "waitlisted"  # said "going" when the event was full; promoted in order when a seat frees
    MAYBE = "maybe"
    NOT_GOING = "not_going"

    @property
    def label(self) -> str:
        return {"going": "Going", "waitlisted": "On the waitlist", "maybe": "Maybe",
                "not_going": "Not going"}[self.value]


opportunity_interest = Table(
    "opportunity_interest",
    db.metadata,
    Column("opportunity_id", Integer, ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True),
    Column("interest_id", Integer, ForeignKey("interest.id"), primary_key=True, index=True),
)

opportunity_specialty = Table(
    "opportunity_specialty",
    db.metadata,
    Column("opportunity_id", Integer, ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True),
    Column("specialty_id", Integer, ForeignKey("specialty.id"), primary_key=True, index=True),
)


class Opportunity(db.Model):
    __tablename__ = "opportunity"
    # The board lists open items newest first or by deadline / start; the archive the rest.
    __table_args__ = (
        Index("ix_opportunity_status_created_at", "status", "created_at"),
        Index("ix_opportunity_status_deadline", "status", "deadline"),
        Index("ix_opportunity_status_starts_at", "status", "starts_at"),
        CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at", name="event_order"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint("going_count >= 0", name="going_not_negative"),
    )

    id: Mapped[intpk]
    kind: Mapped[OpportunityKind] = mapped_column(_enum(OpportunityKind, "opportunity_kind"), index=True)
    status: Mapped[OpportunityStatus] = mapped_column(_enum(OpportunityStatus, "opportunity_status", 16),
                                                      default=OpportunityStatus.OPEN)
    poster_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    organisation: Mapped[str] = mapped_column(String(160), default="")
    location: Mapped[str] = mapped_column(String(160), default="")
    work_mode: Mapped[WorkMode] = mapped_column(_enum(WorkMode, "work_mode", 16), default=WorkMode.ONSITE)
    description: Mapped[str] = mapped_column(Text, default="")
    apply_url: Mapped[str] = mapped_column(String(500), default="")
    apply_email: Mapped[str] = mapped_column(String(254), default="")
    # Dates are stored in UTC; ``time_zone`` (IANA) is where they are meant, for display and calendars.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    deadline: Mapped[datetime | None]
    # Jobs, locums, fellowship positions
    practice_setting_id: Mapped[int | None] = mapped_column(ForeignKey("practice_setting.id"), index=True)
    employment_type: Mapped[EmploymentType | None] = mapped_column(_enum(EmploymentType, "employment_type"))
    salary_min: Mapped[int | None] = mapped_column(Integer)
    salary_max: Mapped[int | None] = mapped_column(Integer)
    # Research collaborations
    project_stage: Mapped[ProjectStage | None] = mapped_column(_enum(ProjectStage, "project_stage"))
    irb_status: Mapped[IrbStatus | None] = mapped_column(_enum(IrbStatus, "irb_status"))
    roles_sought: Mapped[str] = mapped_column(String(300), default="")
    authorship: Mapped[str] = mapped_column(String(500), default="")
    # Events
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    venue: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    cme_credits: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # Seats taken, kept by conditional UPDATEs so two members never take the last seat together.
    going_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[utc_now]
    updated_at: Mapped[utc_updated]
    closed_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]

    poster: Mapped[User | None] = relationship()  # noqa: F821
    practice_setting: Mapped[PracticeSetting | None] = relationship()
    interests: Mapped[list[Interest]] = relationship(secondary=opportunity_interest, order_by=Interest.name)
    specialties: Mapped[list[Specialty]] = relationship(secondary=opportunity_specialty, order_by=Specialty.name)

    def __repr__(self) -> str:
        return f"<Opportunity {self.id} {self.kind}>"

    @property
    def kind_enum(self) -> OpportunityKind:
        return OpportunityKind(self.kind)

    @property
    def is_event(self) -> bool:
        return self.kind_enum.is_event

    @property
    def is_open(self) -> bool:
        return self.status == OpportunityStatus.OPEN

    @property
    def is_removed(self) -> bool:
        return self.status == OpportunityStatus.REMOVED

    def is_past(self, now: datetime) -> bool:
        """Past its deadline or, for an event, over: it belongs in the archive."""
        return ((self.deadline is not None and self.deadline < now)
                or (self.ends_at is not None and self.ends_at < now))

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.going_count, 0)


def search_document(opportunity: Opportunity) -> tuple[str]:
    """The lower-cased words the board's search box looks through: title, organisation, place, text, tags."""
    parts = [opportunity.title, opportunity.organisation, opportunity.location, opportunity.venue,
             markdown_to_text(opportunity.description), opportunity.roles_sought,
             OpportunityKind(opportunity.kind).label]
    parts += [term.name for term in opportunity.interests] + [term.name for term in opportunity.specialties]
    return ("\n".join(part for part in parts if part).lower(),)


search.register(search.Indexed(
    Opportunity, fts_table="opportunity_fts", document=search_document,
    watch=("title", "organisation", "location", "venue", "description", "roles_sought", "kind", "interests",
           "specialties"),
    depends_on=(
        search.Related(Interest, ("name",), lambda terms: select(opportunity_interest.c.opportunity_id).where(
            opportunity_interest.c.interest_id.in_([term.id for term in terms]))),
        search.Related(Specialty, ("name",), lambda terms: select(opportunity_specialty.c.opportunity_id).where(
            opportunity_specialty.c.specialty_id.in_([term.id for term in terms]))),
    ),
    load=("interests", "specialties")))


class Bookmark(db.Model):
    __tablename__ = "opportunity_bookmark"
    __table_args__ = (UniqueConstraint("user_id", "opportunity_id"),)

    id: Mapped[intpk]
    user_id: Mapped[member_fk]
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[utc_now]

    opportunity: Mapped[Opportunity] = relationship()


class ExpressionOfInterest(db.Model):
    """A member's "I'm interested", with a note for the poster."""

    __tablename__ = "opportunity_expression"
    __table_args__ = (UniqueConstraint("opportunity_id", "user_id"),)

    id: Mapped[intpk]
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[member_fk]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[utc_now]

    user: Mapped[User] = relationship()  # noqa: F821


class Rsvp(db.Model):
    __tablename__ = "event_rsvp"
    __table_args__ = (UniqueConstraint("opportunity_id", "user_id"),
                      # The waitlist is promoted in the order members joined it.
                      Index("ix_event_rsvp_opportunity_id_status_responded_at", "opportunity_id", "status",
                            "responded_at"))

    id: Mapped[intpk]
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"))
    user_id: Mapped[member_fk]
    status: Mapped[RsvpStatus] = mapped_column(_enum(RsvpStatus, "rsvp_status", 16))
    responded_at: Mapped[utc_now]

    opportunity: Mapped[Opportunity] = relationship()


class OpportunityPreference(db.Model):
    """A member's personal calendar feed token and weekly digest choice."""

    __tablename__ = "opportunity_preference"

    user_id: Mapped[member_pk]
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # SHA-256 (hex) of the secret in the personal feed URL, never the secret itself, so a copy of the
    # database opens no one's calendar; NULL when the member has no feed (revoking clears it).
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_created_at: Mapped[datetime | None]


class DigestDelivery(db.Model):
    """One weekly digest sent to one member: the unique key makes a second run in the same week a no-op."""

    __tablename__ = "opportunity_digest"
    __table_args__ = (UniqueConstraint("user_id", "week"),)

    id: Mapped[intpk]
    user_id: Mapped[member_fk]
    week: Mapped[str] = mapped_column(String(8))  # ISO week, e.g. "2026-W48"
    opportunity_ids: Mapped[list] = mapped_column(JSON, default=list)  # what the mail listed
    sent_at: Mapped[utc_now]
