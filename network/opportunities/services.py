"""What members do with opportunities. Services add and flush, raise domain errors, never commit."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import Integer, Select, String, and_, bindparam, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from network import permissions, search
from network.audit.models import record
from network.database import prebuilt
from network.extensions import db
from network.members.models import MemberStatus, User
from network.notifications.services import notify_members
from network.opportunities.models import (
    Bookmark,
    ExpressionOfInterest,
    Opportunity,
    OpportunityKind,
    OpportunityPreference,
    OpportunityStatus,
    Rsvp,
    RsvpStatus,
    WorkMode,
    opportunity_interest,
    opportunity_specialty,
)
from network.profiles.models import Profile, profile_interest
from network.profiles.privacy import connected_member_ids
from network.taxonomy.models import Interest, Specialty
from network.text.phi import without_phi
from network.types import utcnow

log = logging.getLogger(__name__)

PER_PAGE = 20
MAX_NOTE_LENGTH = 1000

#: The fields a poster fills in; kinds use the subsets below.
COMMON_FIELDS = ("title", "organisation", "location", "work_mode", "description", "apply_url", "apply_email",
                 "time_zone", "deadline")
JOB_FIELDS = ("practice_setting_id", "employment_type", "salary_min", "salary_max")
RESEARCH_FIELDS = ("project_stage", "irb_status", "roles_sought", "authorship")
EVENT_FIELDS = ("starts_at", "ends_at", "venue", "online_url", "capacity", "cme_credits")


def fields_for(kind: OpportunityKind) -> tuple[str, ...]:
    """The columns a poster sets for this kind; the others stay empty."""
    kind = OpportunityKind(kind)
    if kind.is_event:
        return COMMON_FIELDS + EVENT_FIELDS
    if kind == OpportunityKind.RESEARCH:
        return COMMON_FIELDS + RESEARCH_FIELDS
    return COMMON_FIELDS + JOB_FIELDS


class OpportunityError(Exception):
    """A request the domain refuses; ``field`` names the form field it is about, if any."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(OpportunityError):
    """The opportunity is not in a state that allows this (closed, over, already done)."""

    status = 409


# -- tags ----------------------------------------------------------------------------

def _terms(model, ids) -> list:
    ids = sorted({int(i) for i in ids or ()})
    if not ids:
        return []
    terms = db.session.scalars(select(model).where(model.id.in_(ids))).all()
    if len(terms) != len(ids):
        raise OpportunityError("Choose tags from the list.", "interests" if model is Interest else "specialties")
    return list(terms)


# -- posting -------------------------------------------------------------------------

def _apply_values(opportunity: Opportunity, values: dict) -> None:
    for name in fields_for(opportunity.kind):
        if name in values:
            setattr(opportunity, name, values[name])


def create_opportunity(poster: User, kind: OpportunityKind, values: dict, interest_ids=(),
                       specialty_ids=()) -> Opportunity:
    """Post an opportunity (the form has validated the values)."""
    now = utcnow()
    if values.get("deadline") is not None and values["deadline"] < now:
        raise OpportunityError("The deadline is in the past. Choose a later date.", "deadline")
    if values.get("starts_at") is not None and values["starts_at"] < now:
        raise OpportunityError("The event would start in the past. Choose a later start.", "starts_at")
    opportunity = Opportunity(kind=OpportunityKind(kind), poster_id=poster.id, status=OpportunityStatus.OPEN,
                              going_count=0)
    _apply_values(opportunity, values)
    opportunity.interests = _terms(Interest, interest_ids)
    opportunity.specialties = _terms(Specialty, specialty_ids)
    db.session.add(opportunity)
    db.session.flush()
    log.info("opportunity %s (%s) posted by %s", opportunity.id, opportunity.kind, poster.id)
    return opportunity


def update_opportunity(opportunity: Opportunity, values: dict, interest_ids=(), specialty_ids=()) -> None:
    """Save the poster's edits; a larger capacity lets the waitlist in."""
    capacity = values.get("capacity")
    if opportunity.is_event and capacity is not None and capacity < opportunity.going_count:
        raise OpportunityError(f"{opportunity.going_count} members are already going; the capacity cannot be "
                               f"lower than that.", "capacity")
    before = _logistics(opportunity)
    _apply_values(opportunity, values)
    opportunity.interests = _terms(Interest, interest_ids)
    opportunity.specialties = _terms(Specialty, specialty_ids)
    db.session.flush()
    if opportunity.is_event:
        _promote_waitlist(opportunity)
        if _logistics(opportunity) != before:
            _tell_attendees(opportunity, "has a new time or place")


def _logistics(opportunity: Opportunity) -> tuple:
    """What an attendee must hear about when it changes."""
    return (opportunity.starts_at, opportunity.ends_at, opportunity.time_zone, opportunity.venue,
            opportunity.online_url)


def _tell_attendees(opportunity: Opportunity, change: str) -> int:
    """Notify everyone who answered going, maybe or joined the waitlist (in-app, and by mail as they chose)."""
    attendees = db.session.scalars(
        select(User).join(Rsvp, Rsvp.user_id == User.id)
        .where(Rsvp.opportunity_id == opportunity.id, Rsvp.status != RsvpStatus.NOT_GOING,
               User.status == MemberStatus.VERIFIED, User.deleted_at.is_(None))
        .order_by(User.id)).all()
    if not attendees:
        return 0
    name = without_phi(opportunity.title)  # notification titles and mails never quote an identifier
    title = f"“{name}” {change}"
    return notify_members(list(attendees), "opportunity-event-changed", title,
                          url_for("opportunities.show", opportunity_id=opportunity.id), target_type="opportunity",
                          target_id=opportunity.id, mail_subject=f"{name} {change}",
                          mail_template="opportunity_event_changed", opportunity=opportunity, change=change)


def close_opportunity(opportunity: Opportunity) -> None:
    if not opportunity.is_open:
        raise Conflict("This opportunity is already closed.")
    opportunity.status = OpportunityStatus.CLOSED
    opportunity.closed_at = utcnow()
    if opportunity.is_event:
        _tell_attendees(opportunity, "was closed by its organiser")


def reopen_opportunity(opportunity: Opportunity) -> None:
    if opportunity.status != OpportunityStatus.CLOSED:
        raise Conflict("Only a closed opportunity can be reopened.")
    opportunity.status = OpportunityStatus.OPEN
    opportunity.closed_at = None


def remove_opportunity(admin: User, opportunity: Opportunity, reason: str) -> None:
    """An administrator takes an opportunity down; it stays in the database and the audit log says why."""
    if opportunity.is_removed:
        raise Conflict("This opportunity is already removed.")
    opportunity.status = OpportunityStatus.REMOVED
    opportunity.removed_at = utcnow()
    if opportunity.is_event:
        _tell_attendees(opportunity, "was taken down by the administrators")
    record(admin.id, "opportunity.remove", "opportunity", opportunity.id, title=opportunity.title,
           poster_id=opportunity.poster_id, reason=reason)


# -- the board -----------------------------------------------------------------------

@dataclass
class BoardFilters:
    kinds: list[str] = field(default_factory=list)
    interest_ids: list[int] = field(default_factory=list)
    specialty_id: int | None = None
    location: str = ""
    work_mode: str = ""  # "", "remote" (remote or hybrid), "remote_only" or "onsite"
    deadline_days: int | None = None
    mine: bool = False  # matches my interests
    q: str = ""
    sort: str = "newest"


SORTS = {"newest": "Newest first", "deadline": "Deadline soonest", "starting": "Starting soonest"}


def current_condition(now: datetime):
    """Open, and neither past its deadline nor over."""
    return and_(Opportunity.status == OpportunityStatus.OPEN,
                or_(Opportunity.deadline.is_(None), Opportunity.deadline >= now),
                or_(Opportunity.ends_at.is_(None), Opportunity.ends_at >= now))


def archive_condition(now: datetime):
    """Closed by the poster, or past its deadline, or over."""
    return or_(Opportunity.status == OpportunityStatus.CLOSED,
               and_(Opportunity.status == OpportunityStatus.OPEN,
                    or_(Opportunity.deadline < now, Opportunity.ends_at < now)))


@dataclass(frozen=True, kw_only=True, slots=True)
class BoardShape:
    """Which filters are set, not their values: the board's statements are built once per shape and run with
    the values as parameters (``_board_parameters``)."""

    kinds: bool
    interests: bool
    specialty: bool
    mine: bool
    location: bool
    work_mode: str  # "", "remote" (remote or hybrid), "remote_only" or "onsite"
    deadline: bool
    words: bool

    @classmethod
    def of(cls, filters: BoardFilters) -> BoardShape:
        return cls(kinds=bool(filters.kinds), interests=bool(filters.interest_ids),
                   specialty=bool(filters.specialty_id), mine=filters.mine, location=bool(filters.location),
                   work_mode=filters.work_mode if filters.work_mode in ("remote", "remote_only", "onsite") else "",
                   deadline=bool(filters.deadline_days), words=bool(search.search_terms(filters.q)))


def _like_pattern(words: str) -> str:
    """``words`` anywhere, ``%`` and ``_`` taken literally (what ``contains(..., autoescape=True)`` writes)."""
    escaped = words.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _board_where(statement: Select, shape: BoardShape, dialect: str, archive: bool) -> Select:
    """``statement`` narrowed to the board's (or the archive's) opportunities for filters of this shape; the
    values are parameters: ``now``, ``viewer``, ``kinds``, ``interests``, ``specialty``, ``location``,
    ``deadline_before`` and ``query``."""
    now = bindparam("now", type_=Opportunity.deadline.type)
    statement = statement.where(archive_condition(now) if archive else current_condition(now))
    if shape.kinds:
        statement = statement.where(Opportunity.kind.in_(bindparam("kinds", expanding=True)))
    if shape.interests:
        statement = statement.where(exists().where(
            opportunity_interest.c.opportunity_id == Opportunity.id,
            opportunity_interest.c.interest_id.in_(bindparam("interests", expanding=True))))
    if shape.specialty:
        statement = statement.where(exists().where(
            opportunity_specialty.c.opportunity_id == Opportunity.id,
            opportunity_specialty.c.specialty_id == bindparam("specialty", type_=Integer)))
    if shape.mine:
        my_interests = select(profile_interest.c.interest_id).where(
            profile_interest.c.profile_id == bindparam("viewer", type_=Integer))
        statement = statement.where(exists().where(opportunity_interest.c.opportunity_id == Opportunity.id,
                                                   opportunity_interest.c.interest_id.in_(my_interests)))
    if shape.location:
        statement = statement.where(func.lower(Opportunity.location).like(bindparam("location", type_=String),
                                                                          escape="/"))
    if shape.work_mode == "remote":
        statement = statement.where(Opportunity.work_mode.in_([WorkMode.REMOTE, WorkMode.HYBRID]))
    elif shape.work_mode == "remote_only":
        statement = statement.where(Opportunity.work_mode == WorkMode.REMOTE)
    elif shape.work_mode == "onsite":
        statement = statement.where(Opportunity.work_mode == WorkMode.ONSITE)
    if shape.deadline:
        statement = statement.where(Opportunity.deadline.is_not(None),
                                    Opportunity.deadline <= bindparam("deadline_before",
                                                                      type_=Opportunity.deadline.type))
    if shape.words:
        statement, _order = search.match(statement, search.index_of(Opportunity), dialect,
                                         bindparam("query", type_=String))
    return statement


def _tag_list(dialect: str):
    """The opportunity's interest names in one column: a JSON array, alphabetical on PostgreSQL (SQLite's
    ``json_group_array`` takes no order: its names are sorted after reading, in SQLite's own binary order)."""
    if dialect == "postgresql":
        names = func.json_agg(aggregate_order_by(Interest.name, Interest.name))
    else:
        names = func.json_group_array(Interest.name)
    return (select(names).select_from(opportunity_interest)
            .join(Interest, Interest.id == opportunity_interest.c.interest_id)
            .where(opportunity_interest.c.opportunity_id == Opportunity.id)
            .scalar_subquery().label("tags"))


#: What a card on the board shows, and what it needs to know whether the opportunity is past.
CARD_COLUMNS = (Opportunity.id, Opportunity.kind, Opportunity.status, Opportunity.title, Opportunity.organisation,
                Opportunity.location, Opportunity.venue, Opportunity.online_url, Opportunity.work_mode,
                Opportunity.time_zone, Opportunity.starts_at, Opportunity.ends_at, Opportunity.deadline,
                Opportunity.cme_credits)


@prebuilt
def _board_statement(shape: BoardShape, dialect: str, archive: bool, sort: str) -> Select:
    """One page of the board for filters of this shape, built once per process: building it cost more than
    running it. Each row carries whether the viewer bookmarked it, its tags and the total (a window count)."""
    saved = exists().where(Bookmark.user_id == bindparam("viewer", type_=Integer),
                           Bookmark.opportunity_id == Opportunity.id)
    statement = select(*CARD_COLUMNS, saved.label("saved"), _tag_list(dialect),
                       func.count().over().label("total"))
    if sort == "deadline":
        order = (Opportunity.deadline.is_(None), Opportunity.deadline, Opportunity.id)
    elif sort == "starting":
        order = (Opportunity.starts_at.is_(None), Opportunity.starts_at, Opportunity.id)
    else:
        order = (Opportunity.created_at.desc(), Opportunity.id.desc())
    return (_board_where(statement, shape, dialect, archive).order_by(*order)
            .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)))


@prebuilt
def _board_count_statement(shape: BoardShape, dialect: str, archive: bool) -> Select:
    """How many opportunities the filters find: asked only for a page past the end."""
    return _board_where(select(func.count()).select_from(Opportunity), shape, dialect, archive)


def _board_parameters(viewer_id: int, filters: BoardFilters, now: datetime, dialect: str) -> dict:
    return {"now": now, "viewer": viewer_id, "kinds": list(filters.kinds), "interests": list(filters.interest_ids),
            "specialty": filters.specialty_id, "location": _like_pattern(filters.location),
            "deadline_before": now + timedelta(days=filters.deadline_days) if filters.deadline_days else None,
            "query": search.expression(search.index_of(Opportunity), dialect, filters.q)}


@dataclass(slots=True)
class BoardCard:
    """One opportunity on the board, as the plain values its card writes."""

    id: int
    kind: str  # its label
    status: OpportunityStatus
    title: str
    organisation: str
    place: str
    work_mode: str  # its label
    time_zone: str
    starts_at: datetime | None
    deadline: datetime | None
    credits: str  # CME credits to one decimal, "" for none
    past: bool
    saved: bool
    tags: list[str]


_KIND_LABELS = {kind: kind.label for kind in OpportunityKind}
_WORK_MODE_LABELS = {mode: mode.label for mode in WorkMode}


@dataclass
class Page:
    items: list[BoardCard]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def board_page(viewer_id: int, filters: BoardFilters, now: datetime, page: int, archive: bool = False,
               per_page: int = PER_PAGE) -> Page:
    """One page of the board (or the archive) for these filters, in the chosen order, with whether the viewer
    bookmarked each and each one's interest tags: one query from a statement built once, plain rows on the
    session's connection; only a page past the end needs a second, for the total."""
    page = max(1, page)
    connection = db.session.connection()
    dialect = connection.dialect.name
    shape = BoardShape.of(filters)
    parameters = _board_parameters(viewer_id, filters, now, dialect)
    sort = filters.sort if filters.sort in SORTS else "newest"
    rows = connection.execute(_board_statement(shape, dialect, archive, sort),
                              {**parameters, "limit": per_page, "offset": (page - 1) * per_page}).all()
    if not rows:
        total = connection.execute(_board_count_statement(shape, dialect, archive), parameters).scalar() or 0
        return Page([], total, page, per_page)
    sqlite = dialect != "postgresql"
    cards = [card_of(row, now, bool(row.saved), _names(row.tags, sqlite)) for row in rows]
    return Page(cards, rows[0].total, page, per_page)


def card_of(opportunity, now: datetime, saved: bool, tags: list[str]) -> BoardCard:
    """The card of an opportunity: a row of ``CARD_COLUMNS`` or an ``Opportunity`` (the model's own rule
    for "past" reads the row's columns too)."""
    o = opportunity
    return BoardCard(o.id, _KIND_LABELS[o.kind], o.status, o.title, o.organisation,
                     o.location or o.venue or ("Online" if o.online_url else "No fixed place"),
                     _WORK_MODE_LABELS[o.work_mode], o.time_zone, o.starts_at, o.deadline,
                     str(round(float(o.cme_credits), 1)) if o.cme_credits else "",
                     Opportunity.is_past(o, now), saved, tags)


def _names(tags, sqlite: bool) -> list[str]:
    if tags is None:
        return []
    if sqlite:
        return sorted(json.loads(tags))
    return tags


def load_opportunity(opportunity_id: int) -> Opportunity | None:
    """An opportunity with everything its page shows, in one query plus one per tag list."""
    return db.session.scalars(
        select(Opportunity).where(Opportunity.id == opportunity_id)
        .options(joinedload(Opportunity.poster), joinedload(Opportunity.practice_setting),
                 selectinload(Opportunity.interests), selectinload(Opportunity.specialties))
    ).first()


def recent_for_home(viewer_id: int, limit: int = 5) -> list:
    """Current opportunities for the home page: those matching the member's interests first, newest. Rows
    of what the card shows: ``id``, ``title``, ``kind``, ``starts_at``, ``deadline`` and ``time_zone``."""
    return db.session.connection().execute(_home_statement(limit), {"viewer": viewer_id, "now": utcnow()}).all()


@prebuilt
def _home_statement(limit: int) -> Select:
    """Built once, the member and the time as parameters: every home page view runs it, and building it
    cost more than running it."""
    mine = select(profile_interest.c.interest_id).where(
        profile_interest.c.profile_id == bindparam("viewer", type_=Integer))
    matches = exists().where(opportunity_interest.c.opportunity_id == Opportunity.id,
                             opportunity_interest.c.interest_id.in_(mine))
    return (select(Opportunity.id, Opportunity.title, Opportunity.kind, Opportunity.starts_at, Opportunity.deadline,
                   Opportunity.time_zone)
            .where(current_condition(bindparam("now", type_=Opportunity.deadline.type)))
            .order_by(matches.desc(), Opportunity.created_at.desc(), Opportunity.id.desc()).limit(limit))


# -- what a member did with one opportunity --------------------------------------------

@dataclass
class ViewerState:
    bookmarked: bool = False
    expression: ExpressionOfInterest | None = None
    rsvp: Rsvp | None = None


def viewer_state(user_id: int, opportunity_id: int) -> ViewerState:
    """The member's bookmark, interest and RSVP for one opportunity, in one query."""
    row = db.session.execute(
        select(exists().where(Bookmark.user_id == user_id, Bookmark.opportunity_id == opportunity_id),
               ExpressionOfInterest, Rsvp)
        .select_from(User)
        .outerjoin(ExpressionOfInterest, and_(ExpressionOfInterest.user_id == User.id,
                                              ExpressionOfInterest.opportunity_id == opportunity_id))
        .outerjoin(Rsvp, and_(Rsvp.user_id == User.id, Rsvp.opportunity_id == opportunity_id))
        .where(User.id == user_id)
    ).first()
    if row is None:
        return ViewerState()
    return ViewerState(bool(row[0]), row[1], row[2])


def rsvp_counts(opportunity_id: int) -> dict[str, int]:
    rows = db.session.execute(select(Rsvp.status, func.count()).where(Rsvp.opportunity_id == opportunity_id)
                              .group_by(Rsvp.status)).all()
    counts = {status.value: 0 for status in RsvpStatus}
    counts.update({str(status): n for status, n in rows})
    return counts


def interest_count(opportunity_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ExpressionOfInterest)
                             .where(ExpressionOfInterest.opportunity_id == opportunity_id)) or 0


def _require_open(opportunity: Opportunity, what: str) -> None:
    if not opportunity.is_open or opportunity.is_past(utcnow()):
        raise Conflict(f"This opportunity is closed or past, so you cannot {what} any more.")


def bookmark(user_id: int, opportunity: Opportunity) -> bool:
    """Bookmark; returns False when it already was."""
    if db.session.scalar(select(Bookmark.id).where(Bookmark.user_id == user_id,
                                                   Bookmark.opportunity_id == opportunity.id)):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Bookmark(user_id=user_id, opportunity_id=opportunity.id))
    except IntegrityError:
        return False  # a double click won the race; the bookmark exists
    return True


def unbookmark(user_id: int, opportunity: Opportunity) -> bool:
    result = db.session.execute(Bookmark.__table__.delete().where(Bookmark.user_id == user_id,
                                                                  Bookmark.opportunity_id == opportunity.id))
    return result.rowcount > 0


def express_interest(member: User, opportunity: Opportunity, note: str) -> ExpressionOfInterest:
    """Say "I'm interested" (or change the note); the poster is told the first time, in-app and by mail."""
    if opportunity.poster_id == member.id:
        raise Conflict("This is your own opportunity.")
    _require_open(opportunity, "say you are interested")
    expression = db.session.scalars(select(ExpressionOfInterest).where(
        ExpressionOfInterest.opportunity_id == opportunity.id, ExpressionOfInterest.user_id == member.id)).first()
    if expression is not None:
        expression.note = note
        return expression
    expression = ExpressionOfInterest(opportunity_id=opportunity.id, user_id=member.id, note=note)
    try:
        with db.session.begin_nested():
            db.session.add(expression)
    except IntegrityError as exc:
        raise Conflict("You already said you are interested.") from exc
    poster = opportunity.poster
    if poster is not None and poster.status == MemberStatus.VERIFIED and poster.deleted_at is None:
        link = url_for("opportunities.interested", opportunity_id=opportunity.id)
        notify_members([poster], "opportunity-interest", f"{member.name} is interested in “{without_phi(opportunity.title)}”",
                       link, target_type="opportunity", target_id=opportunity.id,
                       mail_subject=f"{member.name} is interested in your opportunity",
                       mail_template="opportunity_interest", opportunity=opportunity, member=member, note=note)
    return expression


def withdraw_interest(member_id: int, opportunity: Opportunity) -> bool:
    result = db.session.execute(ExpressionOfInterest.__table__.delete().where(
        ExpressionOfInterest.user_id == member_id, ExpressionOfInterest.opportunity_id == opportunity.id))
    return result.rowcount > 0


@dataclass
class InterestedMember:
    expression: ExpressionOfInterest
    user: User
    email: str | None  # only when the member's email visibility lets the viewer see it


def interested_members(viewer_id: int, opportunity: Opportunity) -> list[InterestedMember]:
    """Who said they are interested, oldest first, each email shown as its owner's privacy setting allows."""
    rows = db.session.execute(
        select(ExpressionOfInterest, User, Profile.email_visibility)
        .join(User, User.id == ExpressionOfInterest.user_id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(ExpressionOfInterest.opportunity_id == opportunity.id, User.deleted_at.is_(None))
        .order_by(ExpressionOfInterest.created_at, ExpressionOfInterest.id)
    ).all()
    ids = [user.id for _, user, _ in rows]
    connected = set()
    if ids:
        related = connected_member_ids(viewer_id).subquery()
        column = next(iter(related.c))
        connected = set(db.session.scalars(select(column).where(column.in_(ids))))
    result = []
    for expression, user, visibility in rows:
        level = str(visibility) if visibility is not None else "connected"  # the profile default
        shown = permissions.can_see(level, viewer_id=viewer_id, owner_id=user.id, connected=user.id in connected)
        result.append(InterestedMember(expression, user, user.email if shown else None))
    return result


def attendees(opportunity: Opportunity) -> dict[str, list[tuple[Rsvp, User]]]:
    """The event's answers by status for its organiser: going, waitlist (in promotion order), maybe."""
    rows = db.session.execute(
        select(Rsvp, User).join(User, User.id == Rsvp.user_id)
        .where(Rsvp.opportunity_id == opportunity.id, Rsvp.status != RsvpStatus.NOT_GOING,
               User.deleted_at.is_(None))
        .order_by(Rsvp.responded_at, Rsvp.id)).all()
    grouped: dict[str, list[tuple[Rsvp, User]]] = {"going": [], "waitlisted": [], "maybe": []}
    for rsvp, user in rows:
        grouped[str(rsvp.status)].append((rsvp, user))
    return grouped


# -- RSVPs, capacity and the waitlist ----------------------------------------------------

def _take_seat(opportunity_id: int) -> bool:
    """Take one seat if one is free, atomically: the UPDATE's condition is the capacity check."""
    result = db.session.execute(
        update(Opportunity)
        .where(Opportunity.id == opportunity_id,
               or_(Opportunity.capacity.is_(None), Opportunity.going_count < Opportunity.capacity))
        .values(going_count=Opportunity.going_count + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _free_seat(opportunity_id: int) -> None:
    db.session.execute(update(Opportunity).where(Opportunity.id == opportunity_id, Opportunity.going_count > 0)
                       .values(going_count=Opportunity.going_count - 1)
                       .execution_options(synchronize_session=False))


def _promote_waitlist(opportunity: Opportunity) -> list[int]:
    """Move waitlisted members to "going", first come first served, while seats are free."""
    promoted = []
    while True:
        waiting = db.session.scalars(
            select(Rsvp).where(Rsvp.opportunity_id == opportunity.id, Rsvp.status == RsvpStatus.WAITLISTED)
            .order_by(Rsvp.responded_at, Rsvp.id).limit(1)).first()
        if waiting is None or not _take_seat(opportunity.id):
            break
        waiting.status = RsvpStatus.GOING
        db.session.flush()
        promoted.append(waiting.user_id)
        member = db.session.get(User, waiting.user_id)
        name = without_phi(opportunity.title)
        notify_members([member], "opportunity-waitlist", f"A seat opened: you are going to “{name}”",
                       url_for("opportunities.show", opportunity_id=opportunity.id), target_type="opportunity",
                       target_id=opportunity.id, mail_subject=f"You have a seat at {name}",
                       mail_template="opportunity_waitlist", opportunity=opportunity)
    if promoted:
        log.info("event %s: promoted %s from the waitlist", opportunity.id, promoted)
    db.session.refresh(opportunity, ["going_count"])
    return promoted


def respond(member: User, opportunity: Opportunity, wanted: RsvpStatus) -> Rsvp:
    """Answer going / maybe / not going. "Going" to a full event joins the waitlist; leaving frees the seat
    for the first member waiting, in the same transaction."""
    if not opportunity.is_event:
        raise OpportunityError("Only events take RSVPs.")
    wanted = RsvpStatus(wanted)
    if wanted == RsvpStatus.WAITLISTED:
        raise OpportunityError("Choose going, maybe or not going.", "status")
    if not opportunity.is_open or (opportunity.ends_at is not None and opportunity.ends_at < utcnow()):
        raise Conflict("This event is closed or over, so RSVPs are closed.")
    rsvp = db.session.scalars(select(Rsvp).where(Rsvp.opportunity_id == opportunity.id, Rsvp.user_id == member.id)
                              .with_for_update()).first()
    previous = rsvp.status if rsvp is not None else None
    if wanted == RsvpStatus.GOING and previous in (RsvpStatus.GOING, RsvpStatus.WAITLISTED):
        return rsvp
    status = wanted
    if wanted == RsvpStatus.GOING:
        status = RsvpStatus.GOING if _take_seat(opportunity.id) else RsvpStatus.WAITLISTED
    if rsvp is None:
        rsvp = Rsvp(opportunity_id=opportunity.id, user_id=member.id, status=status)
        try:
            with db.session.begin_nested():
                db.session.add(rsvp)
        except IntegrityError as exc:
            raise Conflict("Your RSVP changed in the meantime. Reload the page and try again.") from exc
    else:
        rsvp.status = status
        rsvp.responded_at = utcnow()
    db.session.flush()
    if previous == RsvpStatus.GOING:
        _free_seat(opportunity.id)
        _promote_waitlist(opportunity)
    else:
        db.session.refresh(opportunity, ["going_count"])
    return rsvp


# -- calendar feed and digest preferences --------------------------------------------------

def preference(user_id: int, create: bool = False) -> OpportunityPreference | None:
    pref = db.session.get(OpportunityPreference, user_id)
    if pref is None and create:
        pref = OpportunityPreference(user_id=user_id, digest_enabled=True)
        db.session.add(pref)
    return pref


def new_feed_token(user_id: int) -> str:
    """Give the member a new feed secret (returned once; only its hash is kept); any earlier one stops working."""
    pref = preference(user_id, create=True)
    token = secrets.token_urlsafe(32)
    pref.feed_token = _digest(token)
    pref.feed_created_at = utcnow()
    db.session.flush()
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def revoke_feed(user_id: int) -> bool:
    pref = preference(user_id)
    if pref is None or pref.feed_token is None:
        return False
    pref.feed_token = None
    pref.feed_created_at = None
    return True


def feed_owner(token: str) -> User | None:
    """The active member a feed token belongs to, or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalars(
        select(User).join(OpportunityPreference, OpportunityPreference.user_id == User.id)
        .where(OpportunityPreference.feed_token == _digest(token), User.status == MemberStatus.VERIFIED,
               User.deleted_at.is_(None))).first()


def feed_items(user_id: int) -> tuple[list[tuple[Opportunity, RsvpStatus]], list[Opportunity]]:
    """The events the member answered going / maybe / waitlisted to, and their bookmarked deadlines."""
    events = db.session.execute(
        select(Opportunity, Rsvp.status).join(Rsvp, Rsvp.opportunity_id == Opportunity.id)
        .where(Rsvp.user_id == user_id, Rsvp.status != RsvpStatus.NOT_GOING,
               Opportunity.status != OpportunityStatus.REMOVED, Opportunity.starts_at.is_not(None))
        .order_by(Opportunity.starts_at)).all()
    deadlines = db.session.scalars(
        select(Opportunity).join(Bookmark, Bookmark.opportunity_id == Opportunity.id)
        .where(Bookmark.user_id == user_id, Opportunity.status != OpportunityStatus.REMOVED,
               Opportunity.deadline.is_not(None))
        .order_by(Opportunity.deadline)).all()
    return [(o, s) for o, s in events], list(deadlines)


def set_digest(user_id: int, enabled: bool) -> None:
    preference(user_id, create=True).digest_enabled = enabled


def my_opportunities(user_id: int, now: datetime):
    """What the member posted, bookmarked (as cards) and RSVPed to, for their page."""
    posted = db.session.scalars(select(Opportunity).where(Opportunity.poster_id == user_id,
                                                          Opportunity.status != OpportunityStatus.REMOVED)
                                .order_by(Opportunity.created_at.desc())).all()
    saved = db.session.scalars(select(Opportunity).join(Bookmark, Bookmark.opportunity_id == Opportunity.id)
                               .where(Bookmark.user_id == user_id,
                                      Opportunity.status != OpportunityStatus.REMOVED)
                               .options(selectinload(Opportunity.interests))
                               .order_by(Bookmark.created_at.desc())).all()
    rsvps = db.session.execute(select(Opportunity, Rsvp.status).join(Rsvp, Rsvp.opportunity_id == Opportunity.id)
                               .where(Rsvp.user_id == user_id, Opportunity.status != OpportunityStatus.REMOVED)
                               .order_by(Opportunity.starts_at)).all()
    interest_counts = dict(db.session.execute(
        select(ExpressionOfInterest.opportunity_id, func.count())
        .join(Opportunity, Opportunity.id == ExpressionOfInterest.opportunity_id)
        .where(Opportunity.poster_id == user_id).group_by(ExpressionOfInterest.opportunity_id)).all())
    saved = [card_of(o, now, True, [interest.name for interest in o.interests]) for o in saved]
    return list(posted), saved, [(o, s) for o, s in rsvps], interest_counts
