"""Opportunities, their tags, and what members do with them (bookmark, interest, RSVP)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network import search
from network.database import association_table
from network.extensions import db
from network.taxonomy.models import Interest, PracticeSetting, Specialty
from network.text.markdown import markdown_to_text
from network.types import LabelledEnum, enum_column, intpk, member_fk, member_pk, utc_now, utc_updated


class OpportunityKind(LabelledEnum):
    JOB = "job", "Job"
    LOCUM = "locum", "Locum"
    FELLOWSHIP = "fellowship_position", "Fellowship position"
    RESEARCH = "research", "Research collaboration"
    CONFERENCE = "conference", "Conference"
    WORKSHOP = "workshop", "Workshop / hands-on course"
    WEBINAR = "webinar", "Webinar"

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


class WorkMode(LabelledEnum):
    ONSITE = "onsite", "On site"
    HYBRID = "hybrid", "Hybrid"
    REMOTE = "remote", "Remote / online"


class EmploymentType(LabelledEnum):
    FULL_TIME = "full_time", "Full time"
    PART_TIME = "part_time", "Part time"
    CONTRACT = "contract", "Contract"
    PER_DIEM = "per_diem", "Per diem"


class ProjectStage(LabelledEnum):
    IDEA = "idea", "Idea / planning"
    PROTOCOL = "protocol", "Protocol writing"
    DATA_COLLECTION = "data_collection", "Data collection"
    ANALYSIS = "analysis", "Analysis"
    WRITING = "writing", "Manuscript writing"


class IrbStatus(LabelledEnum):
    NOT_NEEDED = "not_needed", "Not needed (no human subjects)"
    PLANNED = "planned", "Not yet submitted"
    SUBMITTED = "submitted", "Submitted, under review"
    APPROVED = "approved", "Approved"
    EXEMPT = "exempt", "Exempt"


class RsvpStatus(LabelledEnum):
    GOING = "going", "Going"
    # Said "going" when the event was full; promoted in order when a seat frees.
    WAITLISTED = "waitlisted", "On the waitlist"
    MAYBE = "maybe", "Maybe"
    NOT_GOING = "not_going", "Not going"


opportunity_interest = association_table("opportunity_interest", ("opportunity_id", "opportunity.id"),
                                         ("interest_id", "interest.id"))

opportunity_specialty = association_table("opportunity_specialty", ("opportunity_id", "opportunity.id"),
                                          ("specialty_id", "specialty.id"))


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
    kind: Mapped[OpportunityKind] = mapped_column(enum_column(OpportunityKind, "opportunity_kind"), index=True)
    status: Mapped[OpportunityStatus] = mapped_column(enum_column(OpportunityStatus, "opportunity_status", 16),
                                                      default=OpportunityStatus.OPEN)
    poster_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    organisation: Mapped[str] = mapped_column(String(160), default="")
    location: Mapped[str] = mapped_column(String(160), default="")
    work_mode: Mapped[WorkMode] = mapped_column(enum_column(WorkMode, "work_mode", 16), default=WorkMode.ONSITE)
    description: Mapped[str] = mapped_column(Text, default="")
    apply_url: Mapped[str] = mapped_column(String(500), default="")
    apply_email: Mapped[str] = mapped_column(String(254), default="")
    # Dates are stored in UTC; ``time_zone`` (IANA) is where they are meant, for display and calendars.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    deadline: Mapped[datetime | None]
    # Jobs, locums, fellowship positions
    practice_setting_id: Mapped[int | None] = mapped_column(ForeignKey("practice_setting.id"), index=True)
    employment_type: Mapped[EmploymentType | None] = mapped_column(enum_column(EmploymentType, "employment_type"))
    salary_min: Mapped[int | None] = mapped_column(Integer)
    salary_max: Mapped[int | None] = mapped_column(Integer)
    # Research collaborations
    project_stage: Mapped[ProjectStage | None] = mapped_column(enum_column(ProjectStage, "project_stage"))
    irb_status: Mapped[IrbStatus | None] = mapped_column(enum_column(IrbStatus, "irb_status"))
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
    status: Mapped[RsvpStatus] = mapped_column(enum_column(RsvpStatus, "rsvp_status", 16))
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
