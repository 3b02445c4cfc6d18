"""The board and its archive: the filters a member sets, the statement (built once per shape of filters) that
finds one page of cards, and the current opportunities the home page lists. Reads only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Integer, Select, String, and_, bindparam, exists, func, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from network import search
from network.database import prebuilt
from network.extensions import db
from network.opportunities.models import (
    Bookmark,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    WorkMode,
    opportunity_interest,
    opportunity_specialty,
)
from network.profiles.models import profile_interest
from network.taxonomy.models import Interest
from network.types import utcnow

PER_PAGE = 20


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


#: Where a missing deadline or start sorts in a keyset order: after every date, as ``_board_statement`` sorts it.
_NEVER = datetime(9999, 12, 31, tzinfo=UTC)


def board_order(sort: str) -> list[tuple]:
    """The board's order for ``sort`` as ``(column, descending)`` pairs ending with the id, for a keyset page
    (the API): the same order as the board's pages, a missing deadline or start last."""
    if sort == "deadline":
        return [(func.coalesce(Opportunity.deadline, _NEVER), False), (Opportunity.id, False)]
    if sort == "starting":
        return [(func.coalesce(Opportunity.starts_at, _NEVER), False), (Opportunity.id, False)]
    return [(Opportunity.created_at, True), (Opportunity.id, True)]


def board_order_key(sort: str, row) -> tuple:
    """A row's values of ``board_order(sort)``."""
    if sort == "deadline":
        return (row.deadline or _NEVER, row.id)
    if sort == "starting":
        return (row.starts_at or _NEVER, row.id)
    return (row.created_at, row.id)


@prebuilt
def _board_list_statement(shape: BoardShape, dialect: str, archive: bool) -> Select:
    """The board's rows for filters of this shape, neither sorted nor paged (its caller pages by keyset):
    the card's columns, when it was posted, whether the viewer bookmarked it and its tags."""
    saved = exists().where(Bookmark.user_id == bindparam("viewer", type_=Integer),
                           Bookmark.opportunity_id == Opportunity.id)
    statement = select(*CARD_COLUMNS, Opportunity.created_at, saved.label("saved"), _tag_list(dialect))
    return _board_where(statement, shape, dialect, archive)


def board_list(viewer_id: int, filters: BoardFilters, now: datetime, archive: bool = False) -> Select:
    """The board's (or the archive's) opportunities for these filters, as the board finds them, with the
    values bound: a statement to sort by ``board_order`` and page. Rows as ``_board_list_statement``'s, their
    ``tags`` read with ``tag_names``."""
    dialect = db.session.get_bind().dialect.name
    statement = _board_list_statement(BoardShape.of(filters), dialect, archive)
    return statement.params(_board_parameters(viewer_id, filters, now, dialect))


def tag_names(tags, dialect: str) -> list[str]:
    """A board row's ``tags`` column as the names, alphabetical."""
    return _names(tags, dialect != "postgresql")


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
