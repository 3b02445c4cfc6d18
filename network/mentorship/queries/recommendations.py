"""Recommending mentors: the mentor pool scored for one mentee and one kind of mentoring, each mentor with the
reasons, and the cards the recommendations page shows. A ranking of the whole pool is kept in the cache
(``network.cache``) under the pool's version and the mentee's inputs; nothing here writes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from sqlalchemy import Integer, String, bindparam, cast, literal, null, select, union_all

from network import cache
from network.database import prebuilt
from network.extensions import db
from network.matching.scoring import Mentee, Mentor, recommend
from network.members.models import MemberStatus, Role, User
from network.mentorship.models import (
    MentorSettings,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
    mentor_topic,
)
from network.permissions import can_see, reaches_others
from network.profiles.models import Profile, Visibility, profile_interest
from network.profiles.privacy import connected_member_ids
from network.taxonomy.models import Interest, PracticeSetting, Specialty

#: Part of every cache key: change it when the scoring or the stored shape of a ranking changes, so a
#: new release never reads rankings an older one kept in Redis.
RANKING_FORMAT = 2  # 2: a mentor's location counts only where the mentee may see it
#: What a ranking of the mentor pool reads; a write to any of it gives the next view a fresh ranking. (The
#: mentee's own inputs are part of each ranking's key instead: editing them changes no one else's.)
MENTOR_POOL = cache.Version("mentor-pool", {
    "mentor_settings": cache.ALL, "mentor_topic": cache.ALL, "profile_interest": cache.ALL,
    "user": ("name", "role", "status", "deleted_at", "training_background_id"),
    "profile": ("primary_specialty_id", "time_zone", "country", "region", "location_visibility",
                "practice_setting_id"),
    "interest": ("name",), "practice_setting": ("slug",)})
#: How many mentors a cached ranking keeps: enough that leaving out a mentee's open requests and
#: current mentors still fills the page (a mentee with very many gets a deeper ranking of their own).
RANKED_DEPTH = 60


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One recommended mentor, as the page shows them."""

    mentor_id: int
    name: str
    score: int  # 0–100
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@prebuilt
def _mentors_statement():
    """The mentors this mentee has (an active mentorship, with its type and the mentor's name) or has asked
    (an open request: the mentor's id alone); and the members open to mentees (the profile's flag, which
    follows the settings) who share their location with their connections only and are connected to this
    mentee: their location counts for this mentee's ranking, not for others'."""
    mentee_id = bindparam("mentee_id", type_=Integer)
    return union_all(
        select(Mentorship.mentor_id, Mentorship.id, Mentorship.type, User.name, literal("mentor").label("kind"))
        .join(User, User.id == Mentorship.mentor_id)
        .where(Mentorship.mentee_id == mentee_id, Mentorship.status == MentorshipStatus.ACTIVE),
        select(MentorshipRequest.mentor_id, null(), null(), null(), literal("asked"))
        .where(MentorshipRequest.mentee_id == mentee_id, MentorshipRequest.status == RequestStatus.PENDING),
        select(Profile.user_id, null(), null(), null(), literal("located"))
        .where(Profile.accepting_mentees.is_(True), Profile.location_visibility == Visibility.CONNECTED,
               Profile.user_id.in_(connected_member_ids(mentee_id))))


@prebuilt
def _mentee_statement():
    """The mentee's scoring inputs, a row per interest, and the mentor pool's version."""
    return (select(User.training_background_id, Specialty.name.label("background_name"),
                   Profile.primary_specialty_id, Profile.time_zone, Profile.country, Profile.region,
                   Profile.career_goal, profile_interest.c.interest_id,
                   cache.version_column(MENTOR_POOL).label("pool_version"))
            .select_from(User)
            .outerjoin(Specialty, Specialty.id == User.training_background_id)
            .outerjoin(Profile, Profile.user_id == User.id)
            .outerjoin(profile_interest, profile_interest.c.profile_id == Profile.user_id)
            .where(User.id == bindparam("mentee_id", type_=Integer)))


def mentee_and_pool_version(user: User) -> tuple[Mentee, str | None]:
    """The mentee's scoring inputs and the mentor pool's version, in one query."""
    rows = db.session.execute(_mentee_statement(), {"mentee_id": user.id}).all()
    first = rows[0]
    mentee = Mentee(id=user.id, specialty_id=first.primary_specialty_id, background_id=first.training_background_id,
                    background_name=first.background_name,
                    interest_ids=frozenset(row.interest_id for row in rows if row.interest_id is not None),
                    time_zone=first.time_zone or "", country=first.country or "", region=first.region or "",
                    career_goal=first.career_goal.value if first.career_goal else None)
    return mentee, first.pool_version


def _digest(mentee: Mentee, located: frozenset[int]) -> str:
    """Everything of the mentee that scores and reasons read (not who they are: equal inputs share a list),
    including whose connections-only location they may see (``located``): two mentees share a list only
    when they may see the same locations."""
    inputs = (mentee.specialty_id, mentee.background_id, mentee.background_name, sorted(mentee.interest_ids),
              mentee.time_zone, mentee.country, mentee.region, mentee.career_goal, sorted(located))
    return hashlib.blake2b(repr(inputs).encode(), digest_size=16).hexdigest()


def mentor_candidates(mentoring_type: str, exclude_ids: set[int], wanted_interest_ids=frozenset(),
                      located: frozenset[int] = frozenset()) -> list[Mentor]:
    """Every verified mentor accepting ``mentoring_type`` with a place free, in two queries.

    Only the interests a mentor shares with the mentee are loaded: that is all the score reads,
    and it keeps the ranking cheap with ten thousand mentors. A mentor's location (time zone,
    country, region) is kept only where the mentee may see it: shared with all members, or with
    connections and the mentor is in ``located`` (connected to the mentee); otherwise the score
    and the reasons would tell the mentee what the profile hides.
    """
    open_to_mentees = (MentorSettings.accepting.is_(True), MentorSettings.active_mentees < MentorSettings.capacity,
                       # The JSON text holds each type in double quotes, so this match is exact.
                       cast(MentorSettings.types, String).contains(f'"{mentoring_type}"', autoescape=True))
    rows = db.session.execute(
        select(User.id, User.name, User.role, User.training_background_id, MentorSettings.capacity,
               MentorSettings.active_mentees, Profile.primary_specialty_id, Profile.time_zone, Profile.country,
               Profile.region, PracticeSetting.slug, Profile.location_visibility)
        .join(MentorSettings, MentorSettings.user_id == User.id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .outerjoin(PracticeSetting, PracticeSetting.id == Profile.practice_setting_id)
        .where(User.status == MemberStatus.VERIFIED, User.deleted_at.is_(None), *open_to_mentees)
    ).all()
    interests: dict[int, dict[int, str]] = {}
    wanted = list(wanted_interest_ids)
    if rows and wanted:
        mentors = select(MentorSettings.user_id).where(*open_to_mentees)
        shared = union_all(
            select(profile_interest.c.profile_id.label("owner"), profile_interest.c.interest_id.label("interest"))
            .where(profile_interest.c.interest_id.in_(wanted), profile_interest.c.profile_id.in_(mentors)),
            select(mentor_topic.c.mentor_id, mentor_topic.c.interest_id).where(mentor_topic.c.interest_id.in_(wanted)),
        ).subquery()
        for owner, interest_id, name in db.session.execute(
                select(shared.c.owner, shared.c.interest, Interest.name)
                .join(Interest, Interest.id == shared.c.interest)):
            interests.setdefault(owner, {})[interest_id] = name
    none: dict[int, str] = {}
    types = frozenset((mentoring_type,))
    # Plain tuples unpacked positionally: this loop runs once per mentor.
    return [Mentor(user_id, name, types, capacity, active, specialty_id, background_id,
                   interests.get(user_id, none),
                   *((time_zone or "", country or "", region or "")
                     if reaches_others(level, connected=user_id in located) else _NOWHERE),
                   frozenset((str(role), slug) if slug else (str(role),)))
            for (user_id, name, role, background_id, capacity, active, specialty_id, time_zone, country,
                 region, slug, level) in rows if user_id not in exclude_ids]


#: A location the mentee may not see: no time zone, country or region.
_NOWHERE = ("", "", "")


def rank(mentee: Mentee, mentoring_type: str, exclude_ids: set[int], limit: int,
         located: frozenset[int] = frozenset()) -> list[Suggestion]:
    """Score every candidate mentor now (no cache): the best ``limit``, each with the reasons; ``located``
    are the mentors connected to the mentee who share their location with connections only."""
    candidates = mentor_candidates(mentoring_type, exclude_ids, mentee.interest_ids, located)
    return [Suggestion(r.mentor.id, r.mentor.name, r.score, r.reasons)
            for r in recommend(mentee, candidates, mentoring_type, limit)]


@dataclass(frozen=True, slots=True)
class CurrentMentor:
    """The mentee's active mentorship of the type shown: no asking anyone else until it ends."""

    mentorship_id: int
    name: str


def recommendations(user: User, mentoring_type: str, limit: int = 20) -> tuple[list[Suggestion], CurrentMentor | None]:
    """Ranked mentors for this mentee and type, leaving out their current mentors and open requests;
    and their current mentor of this type, if any.

    The ranking of the whole pool is cached per pool version and mentee inputs (``cache``); the
    mentee's own mentors and open requests are left out afterwards, as they change without
    changing the pool.
    """
    rows = db.session.execute(_mentors_statement(), {"mentee_id": user.id}).all()
    mentors = [m for m in rows if m.kind != "located"]
    located = frozenset(m.mentor_id for m in rows if m.kind == "located")
    current = next((CurrentMentor(m.id, m.name) for m in mentors if m.id is not None and m.type == mentoring_type),
                   None)
    busy = {m.mentor_id for m in mentors} | {user.id}
    mentee, version = mentee_and_pool_version(user)
    # Deep enough that leaving out every mentor the mentee has or has asked still fills the page.
    depth = RANKED_DEPTH
    while depth < limit + len(busy):
        depth *= 2
    ranked = cache.cached(
        MENTOR_POOL, f"recommendations:{RANKING_FORMAT}:{mentoring_type}:{depth}:{_digest(mentee, located)}",
        lambda: [[s.mentor_id, s.name, s.score, s.reasons]
                 for s in rank(replace(mentee, id=0), mentoring_type, set(), depth, located)],
        current=version)
    shown = [Suggestion(mentor_id, name, score, tuple(reasons))
             for mentor_id, name, score, reasons in ranked if mentor_id not in busy][:limit]
    return shown, current


@dataclass(frozen=True, slots=True)
class MentorCard:
    """What a recommendation card shows of a mentor besides the name: the location only where the mentor
    lets the viewer see it (``network.permissions.can_see``), so a template cannot show a hidden one."""

    role: Role
    photo_version: int
    institution: str
    place: str


@prebuilt
def _card_statement():
    """The cards' columns for a page of mentors, with whether each is connected to the viewer, in one query."""
    viewer_id = bindparam("viewer_id", type_=Integer)
    return (select(User.id, User.role, Profile.photo_version, Profile.institution, Profile.city, Profile.region,
                   Profile.country, Profile.location_visibility,
                   User.id.in_(connected_member_ids(viewer_id)).label("connected"))
            .outerjoin(Profile, Profile.user_id == User.id)
            .where(User.id.in_(bindparam("ids", expanding=True))))


def mentor_cards(viewer_id: int, mentor_ids: list[int]) -> dict[int, MentorCard]:
    """Photo, role, institution and (where visible to ``viewer_id``) location of each mentor shown."""
    if not mentor_ids:
        return {}
    cards = {}
    for row in db.session.connection().execute(_card_statement(), {"viewer_id": viewer_id, "ids": list(mentor_ids)}):
        place = ""
        if row.location_visibility is not None and can_see(row.location_visibility, viewer_id=viewer_id,
                                                           owner_id=row.id, connected=bool(row.connected)):
            place = ", ".join(part for part in (row.city, row.region, row.country) if part)
        cards[row.id] = MentorCard(row.role, row.photo_version or 0, row.institution or "", place)
    return cards
