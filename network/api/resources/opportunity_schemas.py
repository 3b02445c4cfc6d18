"""What ``/api/v1/opportunities`` reads and writes: the board's filters, an opportunity on the board and on its
page, a new opportunity, and a member's interest and RSVP. The rules that decide whether a value is acceptable
are the page's forms' (``network.opportunities.forms``): these schemas only say what shape a value has."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

import marshmallow as ma

from network.api.pagination import PageArgs
from network.api.schemas import MemberRef, UTCDateTime
from network.integers import DB_INT_MAX
from network.opportunities.forms import MAX_DESCRIPTION, MAX_TAGS
from network.opportunities.models import (
    EmploymentType,
    IrbStatus,
    OpportunityKind,
    ProjectStage,
    RsvpStatus,
    WorkMode,
)
from network.opportunities.queries.board import SORTS
from network.opportunities.services.engagement import MAX_NOTE_LENGTH

OneOf, Length, Range = ma.validate.OneOf, ma.validate.Length, ma.validate.Range

KINDS = [kind.value for kind in OpportunityKind]
#: The board's "on site or remote" choices.
WORK_MODE_FILTERS = ["remote", "onsite", "remote_only"]
#: The board's "deadline within" choices, in days.
DEADLINE_DAYS = [7, 30, 90]
ANSWERS = [status.value for status in RsvpStatus if status != RsvpStatus.WAITLISTED]


def _values(enum_cls) -> list[str]:
    return [member.value for member in enum_cls]


def _known_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ma.ValidationError("Choose an IANA time zone, e.g. America/Chicago.")


#: The dates a posting may carry: far enough from the calendar's ends that every time zone can express them.
EARLIEST, LATEST = date(2000, 1, 1), date(9000, 12, 31)


def _when(**kwargs):
    return UTCDateTime(validate=Range(datetime.combine(EARLIEST, datetime.min.time(), UTC),
                                      datetime.combine(LATEST, datetime.min.time(), UTC)), **kwargs)


def _id(**kwargs):
    return ma.fields.Integer(strict=True, validate=Range(1, DB_INT_MAX), **kwargs)


class BoardArgs(PageArgs):
    """The board's filters, as its form offers them."""

    kind = ma.fields.List(ma.fields.String(validate=OneOf(KINDS)), load_default=list,
                          validate=Length(max=len(KINDS)), metadata={"description": "Any of these kinds."})
    interest = ma.fields.List(ma.fields.Integer(validate=Range(1, DB_INT_MAX)), load_default=list,
                              validate=Length(max=50), metadata={"description": "Tagged with any of these interests."})
    specialty = ma.fields.Integer(load_default=None, validate=Range(1, DB_INT_MAX),
                                  metadata={"description": "Tagged with this specialty."})
    mine = ma.fields.Boolean(load_default=False, metadata={"description": "Tagged with one of your interests."})
    location = ma.fields.String(load_default="", validate=Length(max=120),
                                metadata={"description": "Words in the location."})
    work_mode = ma.fields.String(load_default="", validate=OneOf(WORK_MODE_FILTERS), metadata={
        "description": "remote: remote or hybrid; remote_only: fully remote; onsite: on site only."})
    deadline_days = ma.fields.Integer(load_default=None, validate=OneOf(DEADLINE_DAYS),
                                      metadata={"description": "A deadline within this many days."})
    q = ma.fields.String(load_default="", validate=Length(max=200), metadata={"description": "Search words."})
    sort = ma.fields.String(load_default="newest", validate=OneOf(list(SORTS)), metadata={
        "description": "newest first, deadline soonest or starting soonest (those without one last)."})
    archive = ma.fields.Boolean(load_default=False, metadata={
        "description": "The archive instead of the board: closed by the poster, past the deadline, or over."})


class OpportunitySummarySchema(ma.Schema):
    """An opportunity as the board lists it; a field with no value (no deadline, not an event) is absent."""

    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": KINDS})
    status = ma.fields.String(required=True, metadata={"enum": ["open", "closed", "removed"]})
    title = ma.fields.String(required=True)
    organisation = ma.fields.String()
    location = ma.fields.String()
    venue = ma.fields.String()
    online_url = ma.fields.String()
    work_mode = ma.fields.String(required=True, metadata={"enum": _values(WorkMode)})
    time_zone = ma.fields.String(required=True, metadata={"description": "Where its dates are meant (IANA)."})
    deadline = UTCDateTime()
    starts_at = UTCDateTime()
    ends_at = UTCDateTime()
    cme_credits = ma.fields.Float()
    past = ma.fields.Boolean(required=True, metadata={"description": "Past its deadline, or over."})
    bookmarked = ma.fields.Boolean(required=True, metadata={"description": "You bookmarked it."})
    interests = ma.fields.List(ma.fields.String(), required=True, metadata={"description": "Interest tags."})
    created_at = UTCDateTime(required=True)


class InterestedSchema(ma.Schema):
    member = ma.fields.Nested(MemberRef, required=True)
    note = ma.fields.String(required=True)
    email = ma.fields.String(metadata={"description": "Absent unless the member's privacy lets you see it."})
    created_at = UTCDateTime(required=True)


class AttendeesSchema(ma.Schema):
    going = ma.fields.List(ma.fields.Nested(MemberRef), required=True)
    waitlisted = ma.fields.List(ma.fields.Nested(MemberRef), required=True,
                                metadata={"description": "In the order they move in."})
    maybe = ma.fields.List(ma.fields.Nested(MemberRef), required=True)


class RsvpCountsSchema(ma.Schema):
    going = ma.fields.Integer(required=True)
    waitlisted = ma.fields.Integer(required=True)
    maybe = ma.fields.Integer(required=True)
    not_going = ma.fields.Integer(required=True)


class ViewerSchema(ma.Schema):
    """What you did with it."""

    bookmarked = ma.fields.Boolean(required=True)
    interested = ma.fields.Boolean(required=True)
    interest_note = ma.fields.String(metadata={"description": "Your note to the poster, when interested."})
    rsvp = ma.fields.String(metadata={"enum": _values(RsvpStatus), "description": "Your answer, for an event."})


class OpportunitySchema(OpportunitySummarySchema):
    """An opportunity as its page shows it to you. Fields of other kinds, and empty ones, are absent; who is
    interested and who answered an event's RSVP only for its poster and administrators."""

    description = ma.fields.String(required=True, metadata={"description": "Markdown."})
    apply_url = ma.fields.String()
    apply_email = ma.fields.String()
    poster = ma.fields.Nested(MemberRef, metadata={"description": "Absent once the poster's account is gone."})
    specialties = ma.fields.List(ma.fields.String(), required=True)
    practice_setting = ma.fields.String()
    employment_type = ma.fields.String(metadata={"enum": _values(EmploymentType)})
    salary_min = ma.fields.Integer()
    salary_max = ma.fields.Integer()
    project_stage = ma.fields.String(metadata={"enum": _values(ProjectStage)})
    irb_status = ma.fields.String(metadata={"enum": _values(IrbStatus)})
    roles_sought = ma.fields.String()
    authorship = ma.fields.String()
    capacity = ma.fields.Integer()
    seats_left = ma.fields.Integer()
    rsvp_counts = ma.fields.Nested(RsvpCountsSchema)
    viewer = ma.fields.Nested(ViewerSchema, required=True)
    interest_count = ma.fields.Integer(metadata={"description": "For the poster and administrators."})
    interested = ma.fields.List(ma.fields.Nested(InterestedSchema),
                                metadata={"description": "For the poster and administrators, oldest first."})
    attendees = ma.fields.Nested(AttendeesSchema, metadata={"description": "An event's, for its poster."})


def _text(maximum: int, **kwargs):
    return ma.fields.String(validate=Length(max=maximum), **kwargs)


class NewOpportunitySchema(ma.Schema):
    """A new opportunity: the fields of the posting form for its kind (another kind's fields are refused).
    Jobs, locums and fellowship positions take the job fields, research collaborations the research fields,
    conferences, workshops and webinars the event fields."""

    kind = ma.fields.String(required=True, validate=OneOf(KINDS))
    title = ma.fields.String(required=True, validate=Length(1, 160))
    organisation = _text(160)
    location = _text(160, metadata={"description": "City and state or country; empty if fully remote."})
    work_mode = ma.fields.String(validate=OneOf(_values(WorkMode)), metadata={"description": "onsite unless given."})
    description = ma.fields.String(required=True, validate=Length(1, MAX_DESCRIPTION),
                                   metadata={"description": "Markdown. Never include patient identifiers."})
    how_to_apply = _text(500, metadata={"description": "A web address (https://...) or an email address; "
                                                      "required except for events."})
    time_zone = ma.fields.String(validate=[Length(1, 64), _known_zone],
                                 metadata={"description": "IANA time zone the dates are meant in; UTC unless given."})
    deadline = ma.fields.Date(validate=Range(EARLIEST, LATEST),
                              metadata={"description": "The last day (closes at its end in time_zone)."})
    interests = ma.fields.List(_id(), validate=Length(max=MAX_TAGS), metadata={"description": "Interest ids."})
    specialties = ma.fields.List(_id(), validate=Length(max=MAX_TAGS), metadata={"description": "Specialty ids."})
    confirm_no_phi = ma.fields.Boolean(metadata={
        "description": "You checked that text the identifier check flagged as possible identifies no patient."})
    # Jobs, locums and fellowship positions
    practice_setting_id = _id()
    employment_type = ma.fields.String(validate=OneOf(_values(EmploymentType)))
    salary_min = ma.fields.Integer(strict=True, validate=Range(0, 10_000_000))
    salary_max = ma.fields.Integer(strict=True, validate=Range(0, 10_000_000))
    # Research collaborations
    project_stage = ma.fields.String(validate=OneOf(_values(ProjectStage)))
    irb_status = ma.fields.String(validate=OneOf(_values(IrbStatus)))
    roles_sought = _text(300)
    authorship = _text(500)
    # Events
    starts_at = _when(metadata={"description": "Required for events."})
    ends_at = _when(metadata={"description": "Required for events; after starts_at."})
    venue = _text(200, metadata={"description": "An event needs a venue, an online link, or both."})
    online_url = _text(500)
    capacity = ma.fields.Integer(strict=True, validate=Range(1, 100_000))
    cme_credits = ma.fields.Float(validate=Range(0, 200))


class InterestSchema(ma.Schema):
    note = ma.fields.String(load_default="", validate=Length(max=MAX_NOTE_LENGTH),
                            metadata={"description": "For the poster: who you are and why this fits you."})
    confirm_no_phi = ma.fields.Boolean(load_default=False, load_only=True, metadata={
        "description": "You checked that text the identifier check flagged as possible identifies no patient."})


class InterestStateSchema(ma.Schema):
    note = ma.fields.String(required=True)
    created_at = UTCDateTime(required=True)


class RsvpSchema(ma.Schema):
    status = ma.fields.String(required=True, validate=OneOf(ANSWERS),
                              metadata={"description": "going, maybe or not_going."})


class RsvpStateSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={
        "enum": _values(RsvpStatus), "description": "waitlisted: the event was full; you move in when a seat frees."})
    responded_at = UTCDateTime(required=True)
