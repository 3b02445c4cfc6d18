"""The member directory query: words, filters, privacy and sorting in one statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Integer, and_, bindparam, func, literal, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload
from wtforms import SelectChoice

from network.extensions import db
from network.members.models import MemberStatus, User
from network.profiles import search
from network.profiles.models import Profile, SavedMember, Visibility, profile_interest
from network.profiles.privacy import connected_member_ids, viewer_relations
from network.programs.models import Cohort, CohortMembership, Program
from network.taxonomy.models import Interest, PracticeSetting, Specialty

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


@dataclass
class Card:
    user: User
    profile: Profile | None
    cohorts: list = field(default_factory=list)  # (program, cohort name) pairs
    connected: bool = False
    saved: bool = False


@dataclass
class DirectoryPage:
    cards: list[Card]
    total: int  # at most COUNT_CAP + 1
    page: int
    pages: int

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP


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


def directory_statement(query: DirectoryQuery, viewer_id: int, dialect: str):
    """(statement, order by) for the query; the statement selects User with its Profile."""
    statement = visible_members()
    rank = None
    terms = search.search_terms(query.q)
    if terms:
        statement, rank = search.apply_search(statement, dialect, terms, User.id)
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
    if query.sort == "active":
        # SQLite already sorts NULL last when descending; saying so would stop it using the index.
        last_seen = User.last_seen_at.desc() if dialect == "sqlite" else User.last_seen_at.desc().nulls_last()
        order = [last_seen, User.id.desc()]
    elif query.sort == "relevance" and rank is not None:
        order = [rank, User.name, User.id]
    else:
        order = [User.name, User.id]
    return statement, order


def filter_choices() -> dict[str, list[SelectChoice]]:
    """The filter form's active terms, programs and cohorts, in two queries of plain rows."""
    terms_statement, programs_statement = _filter_statements()
    choices = {name: [] for name in FILTER_VOCABULARIES}
    for vocabulary, term_id, name in db.session.execute(terms_statement):
        choices[vocabulary].append(SelectChoice(term_id, name))
    choices["program"], choices["cohort"] = [], []
    for program_id, program_name, cohort_id, cohort_name in db.session.execute(programs_statement):
        if not choices["program"] or choices["program"][-1].value != program_id:
            choices["program"].append(SelectChoice(program_id, program_name))
        if cohort_id is not None:
            choices["cohort"].append(SelectChoice(cohort_id, f"{program_name}: {cohort_name}"))
    return choices


FILTER_VOCABULARIES = {"specialty": Specialty, "interest": Interest, "practice_setting": PracticeSetting}


@cache
def _filter_statements():
    terms = union_all(*(select(literal(name).label("vocabulary"), model.id, model.name, model.position)
                        .where(model.retired_at.is_(None)) for name, model in FILTER_VOCABULARIES.items())).subquery()
    terms = select(terms.c.vocabulary, terms.c.id, terms.c.name).order_by(terms.c.vocabulary, terms.c.position,
                                                                          terms.c.name)
    programs = (select(Program.id, Program.name, Cohort.id, Cohort.name)
                .outerjoin(Cohort, Cohort.program_id == Program.id)
                .order_by(Program.name, Program.id, Cohort.start_date, Cohort.id))
    return terms, programs


def find_members(query: DirectoryQuery, viewer_id: int) -> DirectoryPage:
    """One page of the directory, with what each card needs, in a fixed number of queries."""
    dialect = db.session.get_bind().dialect.name
    offset = (query.page - 1) * PAGE_SIZE
    if _only_words(query) and search.search_terms(query.q):
        # A plain word search ranks every match once per version of the index; a page is then a
        # slice of that ranking, whatever the word and however many members it matches.
        ranked = _ranked_member_ids(query, viewer_id, dialect)
        total, page_ids = len(ranked), ranked[offset:offset + PAGE_SIZE]
        users = members_by_id(page_ids)
    else:
        statement, order = directory_statement(query, viewer_id, dialect)
        total = db.session.scalar(select(func.count()).select_from(
            statement.with_only_columns(User.id).limit(COUNT_CAP + 1).subquery()))
        users = db.session.scalars(
            statement.options(*_card_options()).order_by(*order).limit(PAGE_SIZE).offset(offset)).unique().all()
    cards = [Card(user=user, profile=user.profile) for user in users]
    decorate_cards(cards, viewer_id)
    return DirectoryPage(cards=cards, total=total, page=query.page,
                         pages=max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE)))


def _card_options():
    """What a member card shows, loaded with the members (the profile is joined by the statement)."""
    return (joinedload(User.training_background),
            contains_eager(User.profile).joinedload(Profile.primary_specialty),
            contains_eager(User.profile).joinedload(Profile.practice_setting),
            contains_eager(User.profile).selectinload(Profile.interests))


@cache
def _members_by_id_statement():
    # Built once per process: constructing it costs more than running it.
    return (visible_members().where(User.id.in_(bindparam("ids", expanding=True)))
            .options(*_card_options()))


def members_by_id(ids) -> list[User]:
    """Visible members with what their cards show, in the order of ``ids``."""
    if not ids:
        return []
    users = db.session.scalars(_members_by_id_statement(), {"ids": list(ids)}).unique().all()
    position = {user_id: n for n, user_id in enumerate(ids)}
    return sorted(users, key=lambda user: position[user.id])


def _ranked_member_ids(query: DirectoryQuery, viewer_id: int, dialect: str) -> tuple[int, ...]:
    """The ids of the first ``COUNT_CAP + 1`` members a plain word search finds, best match first.

    The ranking depends only on the words and the index (not on the viewer: a word search has no
    location filter), so it is kept per version of the index, which every index write changes.
    """
    rankings = current_app.extensions.setdefault("directory_rankings", search.RankingCache())
    version = search.index_version(db.session)
    key = (version, tuple(term.lower() for term in search.search_terms(query.q)))
    ranked = rankings.get(key) if version else None
    if ranked is None:
        statement, order = directory_statement(query, viewer_id, dialect)
        ranked = tuple(db.session.scalars(statement.with_only_columns(User.id).order_by(*order)
                                          .limit(COUNT_CAP + 1)))
        if version:
            rankings.put(key, ranked)
    return ranked


@cache
def _card_statements():
    ids = bindparam("ids", expanding=True)
    memberships = (select(CohortMembership.user_id, Program.id, Program.name, Cohort.name)
                   .join(Cohort, Cohort.id == CohortMembership.cohort_id)
                   .join(Program, Program.id == Cohort.program_id)
                   .where(CohortMembership.user_id.in_(ids))
                   .order_by(Cohort.start_date))
    saved = select(SavedMember.member_id).where(SavedMember.owner_id == bindparam("viewer_id", type_=Integer),
                                                SavedMember.member_id.in_(ids))
    return memberships, saved


class ProgramName(NamedTuple):
    id: int
    name: str


def decorate_cards(cards: list[Card], viewer_id: int) -> None:
    """Cohorts, connection to the viewer and saved state for a page of cards: three queries."""
    if not cards:
        return
    ids = [card.user.id for card in cards]
    viewer_programs, partners = viewer_relations(viewer_id)
    memberships_statement, saved_statement = _card_statements()
    memberships = db.session.execute(memberships_statement, {"ids": ids}).all()
    saved = set(db.session.scalars(saved_statement, {"ids": ids, "viewer_id": viewer_id}))
    by_id = {card.user.id: card for card in cards}
    for user_id, program_id, program_name, cohort_name in memberships:
        card = by_id[user_id]
        card.cohorts.append((ProgramName(program_id, program_name), cohort_name))
        if program_id in viewer_programs:
            card.connected = True
    for card in cards:
        card.saved = card.user.id in saved
        card.connected = card.connected or card.user.id in partners
