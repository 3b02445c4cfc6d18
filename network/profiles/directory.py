"""The member directory query: words, filters, privacy and sorting in one statement."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from network.extensions import db
from network.members.models import MemberStatus, User
from network.profiles import search
from network.profiles.models import Profile, SavedMember, Visibility, profile_interest
from network.profiles.privacy import connected_member_ids, viewer_relations
from network.programs.models import Cohort, CohortMembership, Program

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


def find_members(query: DirectoryQuery, viewer_id: int) -> DirectoryPage:
    """One page of the directory, with what each card needs, in a fixed number of queries."""
    dialect = db.session.get_bind().dialect.name
    offset = (query.page - 1) * PAGE_SIZE
    statement, order = directory_statement(query, viewer_id, dialect)
    if _only_words(query) and search.search_terms(query.q):
        # A plain word search ranks every match once per version of the index; a page is then a
        # slice of that ranking, whatever the word and however many members it matches.
        ranked = _ranked_member_ids(query, statement, order)
        total, page_ids = len(ranked), ranked[offset:offset + PAGE_SIZE]
        statement = visible_members().where(User.id.in_(page_ids))
        order, offset = [], 0
    else:
        total = db.session.scalar(select(func.count()).select_from(
            statement.with_only_columns(User.id).limit(COUNT_CAP + 1).subquery()))
    users = db.session.scalars(
        statement
        .options(joinedload(User.training_background),
                 contains_eager(User.profile).joinedload(Profile.primary_specialty),
                 contains_eager(User.profile).joinedload(Profile.practice_setting),
                 contains_eager(User.profile).selectinload(Profile.interests))
        .order_by(*order)
        .limit(PAGE_SIZE).offset(offset)
    ).unique().all()
    if not order:
        position = {user_id: n for n, user_id in enumerate(page_ids)}
        users.sort(key=lambda user: position[user.id])
    cards = [Card(user=user, profile=user.profile) for user in users]
    decorate_cards(cards, viewer_id)
    return DirectoryPage(cards=cards, total=total, page=query.page,
                         pages=max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE)))


def _ranked_member_ids(query: DirectoryQuery, statement, order) -> tuple[int, ...]:
    """The ids of the first ``COUNT_CAP + 1`` members a plain word search finds, best match first.

    The ranking depends only on the words and the index (not on the viewer: a word search has no
    location filter), so it is kept per version of the index, which every index write changes.
    """
    rankings = current_app.extensions.setdefault("directory_rankings", search.RankingCache())
    version = search.index_version(db.session)
    key = (version, tuple(term.lower() for term in search.search_terms(query.q)))
    ranked = rankings.get(key) if version else None
    if ranked is None:
        ranked = tuple(db.session.scalars(statement.with_only_columns(User.id).order_by(*order)
                                          .limit(COUNT_CAP + 1)))
        if version:
            rankings.put(key, ranked)
    return ranked


def decorate_cards(cards: list[Card], viewer_id: int) -> None:
    """Cohorts, connection to the viewer and saved state for a page of cards: three queries."""
    if not cards:
        return
    ids = [card.user.id for card in cards]
    viewer_programs, partners = viewer_relations(viewer_id)
    memberships = db.session.execute(
        select(CohortMembership.user_id, Program, Cohort.name)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .join(Program, Program.id == Cohort.program_id)
        .where(CohortMembership.user_id.in_(ids))
        .order_by(Cohort.start_date)
    ).all()
    saved = set(db.session.scalars(select(SavedMember.member_id).where(SavedMember.owner_id == viewer_id,
                                                                       SavedMember.member_id.in_(ids))))
    by_id = {card.user.id: card for card in cards}
    for user_id, program, cohort_name in memberships:
        card = by_id[user_id]
        card.cohorts.append((program, cohort_name))
        if program.id in viewer_programs:
            card.connected = True
    for card in cards:
        card.saved = card.user.id in saved
        card.connected = card.connected or card.user.id in partners
