"""The member directory query: words, filters, privacy and sorting in one statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import Date, Integer, String, and_, bindparam, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import aliased
from wtforms import SelectChoice

from network import search
from network.cache import ALL, Version, cached
from network.database import prebuilt
from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.permissions import can_see
from network.profiles.models import (
    MEMBER_FINDABILITY,
    Profile,
    SavedMember,
    Visibility,
    profile_certification,
    profile_interest,
)
from network.profiles.privacy import connected_member_ids, viewer_partner_ids, viewer_program_ids
from network.programs.models import Cohort, CohortMembership, Program
from network.taxonomy.models import BoardCertification, Interest, PracticeSetting, Specialty

PAGE_SIZE = 20
#: Counting stops here ("1,000+ members"): an exact count of a broad search costs more than it tells.
COUNT_CAP = 1000
SORTS = {"relevance": "Best match", "name": "Name", "active": "Recently active"}


@dataclass
class DirectoryQuery:
    """What the member asked for; every field comes from the URL."""

    q: str = ""
    role: str | None = None
    specialty_id: int | None = None
    background_id: int | None = None
    interest_ids: list[int] = field(default_factory=list)
    country: str | None = None
    region: str | None = None
    setting_id: int | None = None
    program_id: int | None = None
    cohort_id: int | None = None
    graduated_from: int | None = None
    graduated_to: int | None = None
    accepting: bool = False
    sort: str = "relevance"
    page: int = 1


class Location(NamedTuple):
    city: str
    region: str
    country: str
    time_zone: str


@dataclass
class Card:
    """A member as a list shows them: plain values read in a few queries, no ORM objects.

    The location is only filled in when the member lets this viewer see it, so a template
    cannot show it by mistake.
    """

    id: int
    name: str
    role: Role
    headline: str = ""
    accepting_mentees: bool = False
    specialty: str | None = None
    background: str | None = None  # the training background's name
    institution: str = ""
    photo_version: int = 0
    location: Location | None = None  # only when the member lets this viewer see it
    place: str = ""  # the location's "city, region, country"
    time_zone: str = ""  # the location's time zone
    interests: list[str] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)  # only read for the profile page
    cohorts: list = field(default_factory=list)  # (program, cohort name) pairs
    connected: bool = False
    saved: bool = False

    @property
    def facts(self) -> str:
        """The card's line of facts: specialty, training background, institution and place."""
        background = f"trained in {self.background}" if self.background else ""
        return " · ".join(fact for fact in (self.specialty, background, self.institution, self.place) if fact)


@dataclass
class DirectoryPage:
    cards: list[Card]
    total: int  # at most COUNT_CAP + 1
    page: int
    pages: int

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP


def read_rows(statement, params=None):
    """Plain rows of a read-only statement that selects columns, on the session's own connection and
    transaction: the ORM's result handling is for entities and only costs time here. Pending ORM
    changes are not flushed first, so this is for the pages that only read."""
    return db.session.connection().execute(statement, params)


def visible_members():
    """Members anyone in the network may find: verified and not deleted."""
    return (select(User).outerjoin(Profile, Profile.user_id == User.id)
            .where(User.status == MemberStatus.VERIFIED, User.deleted_at.is_(None)))


def _location_visible_to(viewer_id: int):
    """Only match a member's location when the member lets this viewer see it."""
    return or_(Profile.location_visibility == Visibility.MEMBERS,
               User.id == viewer_id,
               and_(Profile.location_visibility == Visibility.CONNECTED,
                    User.id.in_(connected_member_ids(viewer_id))))


def _only_words(query: DirectoryQuery) -> bool:
    """A plain word search: no filter but the words, ranked by relevance."""
    filters = (query.role, query.specialty_id, query.background_id, query.interest_ids, query.country, query.region,
               query.setting_id, query.program_id, query.cohort_id, query.graduated_from, query.graduated_to,
               query.accepting)
    return not any(filters) and query.sort == "relevance"


def directory_filters(query: DirectoryQuery, viewer_id: int, dialect: str):
    """(statement, rank): the visible members (User with its Profile) matching the query's words and filters, and
    the words' best-first order (None without words); ``directory_statement`` or ``queries.directory_keys`` sort."""
    statement = visible_members()
    rank = None
    words = search.expression(search.index_of(Profile), dialect, query.q)
    if words is not None:
        statement, rank = search.match(statement, search.index_of(Profile), dialect, words, ranked=True)
    if query.role:
        statement = statement.where(User.role == query.role)
    if query.specialty_id:
        statement = statement.where(Profile.primary_specialty_id == query.specialty_id)
    if query.background_id:
        statement = statement.where(User.training_background_id == query.background_id)
    for interest_id in query.interest_ids:
        statement = statement.where(User.id.in_(
            select(profile_interest.c.profile_id).where(profile_interest.c.interest_id == interest_id)))
    if query.country or query.region:
        statement = statement.where(_location_visible_to(viewer_id))
        if query.country:
            statement = statement.where(Profile.country == query.country)
        if query.region:
            statement = statement.where(func.lower(Profile.region) == query.region.strip().lower())
    if query.setting_id:
        statement = statement.where(Profile.practice_setting_id == query.setting_id)
    if query.program_id or query.cohort_id:
        cohorts = select(CohortMembership.user_id).join(Cohort, Cohort.id == CohortMembership.cohort_id)
        if query.program_id:
            cohorts = cohorts.where(Cohort.program_id == query.program_id)
        if query.cohort_id:
            cohorts = cohorts.where(Cohort.id == query.cohort_id)
        statement = statement.where(User.id.in_(cohorts))
    if query.graduated_from:
        statement = statement.where(Profile.graduation_year >= query.graduated_from)
    if query.graduated_to:
        statement = statement.where(Profile.graduation_year <= query.graduated_to)
    if query.accepting:
        statement = statement.where(Profile.accepting_mentees.is_(True))
    return statement, rank


def directory_statement(query: DirectoryQuery, viewer_id: int, dialect: str):
    """(statement, order by) for the query; the statement selects User with its Profile."""
    statement, rank = directory_filters(query, viewer_id, dialect)
    if query.sort == "active":
        # SQLite already sorts NULL last when descending; saying so would stop it using the index.
        last_seen = User.last_seen_at.desc() if dialect == "sqlite" else User.last_seen_at.desc().nulls_last()
        order = [last_seen, User.id.desc()]
    elif query.sort == "relevance" and rank is not None:
        order = [rank, User.name, User.id]
    else:
        order = [User.name, User.id]
    return statement, order


#: What the directory's and the board's filter forms offer (active terms, programs and cohorts), and the API's
#: taxonomy (which gives the certifications too).
VOCABULARY = Version("vocabulary", {"specialty": ALL, "interest": ALL, "practice_setting": ALL, "program": ALL,
                                    "cohort": ALL, "board_certification": ALL})
#: What a plain word search ranks: the full-text index (SQLite's ``profile_fts``, PostgreSQL's
#: ``profile.search_vector``) and who may be found, by which name.
DIRECTORY = Version("directory", {"profile_fts": ALL, "profile": ("search_vector",),
                                  "user": MEMBER_FINDABILITY})


def filter_choices(*names: str, version: str | None = None) -> dict[str, list[SelectChoice]]:
    """The filter form's active terms, programs and cohorts (those ``names`` only, when given), kept per
    version of the ``VOCABULARY`` (``version``, when the caller has read it already)."""
    pairs = cached(VOCABULARY, "filter-choices", _read_filter_choices, current=version)
    return {name: [SelectChoice(value, label) for value, label in pairs[name]] for name in names or pairs}


def _read_filter_choices() -> dict[str, list[tuple[int, str]]]:
    """The filter choices from the database, (id, name) pairs in two queries of plain rows."""
    choices = {name: [] for name in FILTER_VOCABULARIES}
    for vocabulary, term_id, name in db.session.execute(_filter_terms_statement()):
        choices[vocabulary].append((term_id, name))
    choices["program"], choices["cohort"] = [], []
    for program_id, program_name, cohort_id, cohort_name in db.session.execute(_programs_statement()):
        if not choices["program"] or choices["program"][-1][0] != program_id:
            choices["program"].append((program_id, program_name))
        if cohort_id is not None:
            choices["cohort"].append((cohort_id, f"{program_name}: {cohort_name}"))
    return choices


FILTER_VOCABULARIES = {"specialty": Specialty, "interest": Interest, "practice_setting": PracticeSetting}


@prebuilt
def _filter_terms_statement():
    """The active terms of every filter vocabulary: (vocabulary, id, name), in each one's order."""
    terms = union_all(*(select(literal(name).label("vocabulary"), model.id, model.name, model.position)
                        .where(model.retired_at.is_(None)) for name, model in FILTER_VOCABULARIES.items())).subquery()
    return select(terms.c.vocabulary, terms.c.id, terms.c.name).order_by(terms.c.vocabulary, terms.c.position,
                                                                         terms.c.name)


@prebuilt
def _programs_statement():
    """Every program with its cohorts: (program id, program name, cohort id, cohort name)."""
    return (select(Program.id, Program.name, Cohort.id, Cohort.name)
            .outerjoin(Cohort, Cohort.program_id == Program.id)
            .order_by(Program.name, Program.id, Cohort.start_date, Cohort.id))


def find_members(query: DirectoryQuery, viewer_id: int, version: str | None) -> DirectoryPage:
    """One page of the directory, with what each card needs, in a fixed number of queries.

    ``version`` is the ``DIRECTORY`` version, read by the caller before anything else.
    """
    offset = (query.page - 1) * PAGE_SIZE
    ranked = word_search_ranking(query, viewer_id, version)
    if ranked is not None:
        # A plain word search ranks every match once per version of the index; a page is then a
        # slice of that ranking, whatever the word and however many members it matches.
        total, page_ids = len(ranked), ranked[offset:offset + PAGE_SIZE]
        rows = card_rows_by_id(page_ids)
    else:
        statement, order = directory_statement(query, viewer_id, db.session.get_bind().dialect.name)
        total = db.session.scalar(select(func.count()).select_from(
            statement.with_only_columns(User.id).limit(COUNT_CAP + 1).subquery()))
        rows = read_rows(with_card_columns(statement).order_by(*order).limit(PAGE_SIZE).offset(offset)).all()
    return DirectoryPage(cards=load_cards(rows, viewer_id), total=total, page=query.page,
                         pages=max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE)))


#: The training background is a specialty too, so it joins a second time under its own name.
_background = aliased(Specialty, name="background")

#: What a member card shows, as columns: one row per member, no ORM objects to build.
CARD_COLUMNS = (User.id, User.name, User.role, Profile.headline, Profile.accepting_mentees,
                Specialty.name.label("specialty"), _background.name.label("background"), Profile.institution,
                Profile.photo_version, Profile.city, Profile.region, Profile.country, Profile.time_zone,
                Profile.location_visibility)


def with_card_columns(statement, *more_columns):
    """``statement`` (built on ``visible_members()``) selecting the card's columns instead of ``User``."""
    return (statement.with_only_columns(*CARD_COLUMNS, *more_columns)
            .outerjoin(Specialty, Specialty.id == Profile.primary_specialty_id)
            .outerjoin(_background, _background.id == User.training_background_id))


@prebuilt
def _card_rows_statement():
    """The card rows of the visible members among ``ids``."""
    return with_card_columns(visible_members()).where(User.id.in_(bindparam("ids", expanding=True)))


def card_rows_by_id(ids) -> list:
    """Card rows of the visible members among ``ids``, in the order of ``ids``."""
    if not ids:
        return []
    rows = read_rows(_card_rows_statement(), {"ids": list(ids)}).all()
    position = {user_id: n for n, user_id in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row.id])


def word_search_ranking(query: DirectoryQuery, viewer_id: int, version: str | None = None) -> list[int] | None:
    """For a plain word search, the first ``COUNT_CAP + 1`` members' ids, best match first (the directory's and
    the API's pages are slices of it); None for any other query. It depends only on the words and the index (a
    word search has no location filter), so it is kept per version of the index, which every index write changes.
    """
    if not (_only_words(query) and search.search_terms(query.q)):
        return None

    def rank() -> list[int]:
        statement, order = directory_statement(query, viewer_id, db.session.get_bind().dialect.name)
        return list(db.session.scalars(statement.with_only_columns(User.id).order_by(*order).limit(COUNT_CAP + 1)))

    words = " ".join(term.lower() for term in search.search_terms(query.q))
    return cached(DIRECTORY, f"ranking:{words}", rank, current=version)


class ProgramName(NamedTuple):
    id: int
    name: str


def _details_row(kind: str, member_id=None, ref_id=None, name=None, cohort=None, start=None):
    """A ``select`` of one kind of card detail, with the columns every kind shares (NULL where unused)."""
    def column(value, type_, label):
        return (cast(null(), type_) if value is None else value).label(label)

    return select(literal(kind).label("kind"), column(member_id, Integer, "member_id"),
                  column(ref_id, Integer, "ref_id"), column(name, String, "name"),
                  column(cohort, String, "cohort"), column(start, Date, "start"))


@prebuilt
def _card_details_statement(certifications: bool):
    """Everything a page of cards needs beyond their rows, in one round trip: the viewer's programs
    and mentorship partners (for "connected"), and the members' cohorts, interests, saved state and,
    for the profile page, certifications. Rows are (kind, member id, id, name, cohort name)."""
    ids = bindparam("ids", expanding=True)
    viewer_id = bindparam("viewer_id", type_=Integer)
    programs = viewer_program_ids(viewer_id).subquery()
    partners = viewer_partner_ids(viewer_id).subquery()
    parts = [
        _details_row("program", ref_id=programs.c.program_id),
        _details_row("partner", ref_id=partners.c.id),
        _details_row("cohort", CohortMembership.user_id, Program.id, Program.name, Cohort.name, Cohort.start_date)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .join(Program, Program.id == Cohort.program_id)
        .where(CohortMembership.user_id.in_(ids)),
        _details_row("saved", SavedMember.member_id)
        .where(SavedMember.owner_id == viewer_id, SavedMember.member_id.in_(ids)),
        _details_row("interest", profile_interest.c.profile_id, Interest.id, Interest.name)
        .join(Interest, Interest.id == profile_interest.c.interest_id)
        .where(profile_interest.c.profile_id.in_(ids)),
    ]
    if certifications:
        parts.append(_details_row("certification", profile_certification.c.profile_id, BoardCertification.id,
                                  BoardCertification.name)
                     .join(BoardCertification, BoardCertification.id == profile_certification.c.certification_id)
                     .where(profile_certification.c.profile_id.in_(ids)))
    details = union_all(*parts).subquery("details")
    # Cohorts in the order they started, terms by name (as the profile's relationships order them).
    return (select(details.c.kind, details.c.member_id, details.c.ref_id, details.c.name, details.c.cohort)
            .order_by(details.c.kind, details.c.start, details.c.name))


def load_cards(rows, viewer_id: int, certifications: bool = False) -> list[Card]:
    """Cards for rows of ``CARD_COLUMNS``: cohorts, interests, connection to the viewer and saved
    state are read in one more query; the location (with the time zone) is kept only where the viewer may
    see it."""
    if not rows:
        return []
    cards = [Card(id=row.id, name=row.name, role=row.role, headline=row.headline or "",
                  accepting_mentees=bool(row.accepting_mentees), specialty=row.specialty,
                  background=row.background, institution=row.institution or "",
                  photo_version=row.photo_version or 0) for row in rows]
    by_id = {card.id: card for card in cards}
    viewer_programs, partners, saved = set(), set(), set()
    memberships = []
    details = read_rows(_card_details_statement(certifications), {"ids": list(by_id), "viewer_id": viewer_id})
    for kind, member_id, ref_id, name, cohort in details:
        if kind == "interest":
            by_id[member_id].interests.append(name)
        elif kind == "cohort":
            memberships.append((member_id, ref_id, name, cohort))
        elif kind == "program":
            viewer_programs.add(ref_id)
        elif kind == "partner":
            partners.add(ref_id)
        elif kind == "saved":
            saved.add(member_id)
        elif kind == "certification":
            by_id[member_id].certifications.append(name)
    for member_id, program_id, program_name, cohort_name in memberships:
        card = by_id[member_id]
        card.cohorts.append((ProgramName(program_id, program_name), cohort_name))
        card.connected = card.connected or program_id in viewer_programs
    for card, row in zip(cards, rows, strict=True):
        card.saved = card.id in saved
        card.connected = card.connected or card.id in partners
        if row.location_visibility is not None and can_see(row.location_visibility, viewer_id=viewer_id,
                                                           owner_id=card.id, connected=card.connected):
            card.location = Location(row.city or "", row.region or "", row.country or "", row.time_zone or "")
            card.place = ", ".join(part for part in card.location[:3] if part)
            card.time_zone = card.location.time_zone
    return cards
