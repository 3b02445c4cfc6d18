"""Mentorship services: they change the session's objects, raise domain errors, and never commit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import Integer, String, bindparam, cast, func, literal, null, select, union_all, update
from sqlalchemy.orm import joinedload, selectinload

from network import cache
from network.database import prebuilt
from network.extensions import db
from network.matching.scoring import Mentee, Mentor, recommend
from network.members.models import MemberStatus, User
from network.mentorship.models import (
    DeclineReason,
    Goal,
    Meeting,
    MentoringType,
    MentorSettings,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
    mentor_topic,
)
from network.notifications.services import notify_members
from network.permissions import can_look_for_mentors, can_offer_mentoring, reaches_others
from network.profiles.models import Profile, Visibility, profile_interest
from network.profiles.privacy import connected_member_ids
from network.profiles.services import profile_of
from network.taxonomy.models import Interest, PracticeSetting, Specialty
from network.types import utcnow

#: A request nobody answered in this many days expires.
REQUEST_LIFETIME = timedelta(days=14)


class MentorshipError(Exception):
    """A refused action; the message is for the member."""


class NotFound(Exception):
    """The member may not see this (shown as 404)."""


# -- settings ---------------------------------------------------------------------------------


def settings_of(user: User) -> MentorSettings | None:
    return db.session.get(MentorSettings, user.id)


def save_settings(user: User, *, accepting: bool, capacity: int, types: list[str], meeting_modes: list[str],
                  availability: str, topics: list[Interest]) -> MentorSettings:
    """Create or update the mentor's settings; the directory's "open to mentoring" follows them."""
    if not can_offer_mentoring(user):
        raise MentorshipError("Only alumni and faculty mentor for now.")
    settings = settings_of(user)
    if settings is None:
        settings = MentorSettings(user_id=user.id, active_mentees=_active_count(user.id))
        db.session.add(settings)
    settings.accepting = accepting
    settings.capacity = capacity
    settings.types = list(types)
    settings.meeting_modes = list(meeting_modes)
    settings.availability = availability
    settings.topics = list(topics)
    profile_of(user).accepting_mentees = accepting
    return settings


def _active_count(mentor_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Mentorship).where(
        Mentorship.mentor_id == mentor_id, Mentorship.status == MentorshipStatus.ACTIVE)) or 0


# -- recommendations ---------------------------------------------------------------------------

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


# -- requests -----------------------------------------------------------------------------------


def _link(endpoint: str, **values) -> str:
    return url_for(endpoint, **values)


def active_mentorship(mentee_id: int, mentoring_type: MentoringType) -> Mentorship | None:
    return db.session.scalars(select(Mentorship).where(
        Mentorship.mentee_id == mentee_id, Mentorship.type == mentoring_type,
        Mentorship.status == MentorshipStatus.ACTIVE)).first()


def send_request(mentee: User, mentor: User, mentoring_type: MentoringType, message: str) -> MentorshipRequest:
    """Ask ``mentor`` for mentoring of one type; the mentor is told."""
    if not can_look_for_mentors(mentee):
        raise MentorshipError("Only fellows ask for mentors for now.")
    if mentee.id == mentor.id:
        raise MentorshipError("You cannot mentor yourself.")
    settings = settings_of(mentor)
    if settings is None or not settings.accepting or mentoring_type.value not in (settings.types or []):
        raise MentorshipError(f"{mentor.name} does not take {mentoring_type.label.lower()} mentees at the moment.")
    if settings.free <= 0:
        raise MentorshipError(f"{mentor.name} has no place free at the moment.")
    if active_mentorship(mentee.id, mentoring_type) is not None:
        raise MentorshipError(f"You already have a {mentoring_type.label.lower()} mentor. "
                              "End that mentorship before asking someone else.")
    duplicate = db.session.scalar(select(MentorshipRequest.id).where(
        MentorshipRequest.mentee_id == mentee.id, MentorshipRequest.mentor_id == mentor.id,
        MentorshipRequest.type == mentoring_type, MentorshipRequest.status == RequestStatus.PENDING))
    if duplicate:
        raise MentorshipError(f"You already asked {mentor.name} for {mentoring_type.label.lower()} mentoring.")
    request = MentorshipRequest(mentee_id=mentee.id, mentor_id=mentor.id, type=mentoring_type, message=message)
    db.session.add(request)
    db.session.flush()
    notify_members([mentor], "mentorship-request", f"{mentee.name} asks you for {mentoring_type.label.lower()} mentoring",
                   _link("mentorship.requests"), target_type="mentorship_request", target_id=request.id,
                   mail_subject=f"{mentee.name} asks you to be their mentor", mail_template="mentorship_event",
                   body=message)
    return request


def _is_expired(request: MentorshipRequest) -> bool:
    return request.created_at < utcnow() - REQUEST_LIFETIME


def _pending(request: MentorshipRequest) -> None:
    if request.status == RequestStatus.PENDING and _is_expired(request):
        request.status = RequestStatus.EXPIRED
        raise MentorshipError("This request expired: it waited more than 14 days for an answer.")
    if request.status != RequestStatus.PENDING:
        raise MentorshipError(f"This request is already {request.status.value}.")


def accept_request(request: MentorshipRequest, mentor: User) -> Mentorship:
    """Accept: take a place (atomically), start the mentorship, close the mentee's other requests of the type."""
    _pending(request)
    if active_mentorship(request.mentee_id, request.type) is not None:
        raise MentorshipError(f"{request.mentee.name} already has a {request.type.label.lower()} mentor.")
    # The capacity check and the place taken are one conditional UPDATE: of two acceptances racing
    # for the last place, the database lets exactly one through.
    taken = db.session.execute(
        update(MentorSettings)
        .where(MentorSettings.user_id == mentor.id, MentorSettings.active_mentees < MentorSettings.capacity)
        .values(active_mentees=MentorSettings.active_mentees + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise MentorshipError("You have no place free. Raise your capacity or end a mentorship first.")
    mentorship = Mentorship(mentee_id=request.mentee_id, mentor_id=mentor.id, type=request.type)
    db.session.add(mentorship)
    db.session.flush()
    request.status = RequestStatus.ACCEPTED
    request.responded_at = utcnow()
    request.mentorship_id = mentorship.id
    others = db.session.scalars(select(MentorshipRequest).where(
        MentorshipRequest.mentee_id == request.mentee_id, MentorshipRequest.type == request.type,
        MentorshipRequest.status == RequestStatus.PENDING, MentorshipRequest.id != request.id)
        .options(selectinload(MentorshipRequest.mentor))).all()
    for other in others:
        other.status = RequestStatus.CLOSED
        other.responded_at = utcnow()
    link = _link("mentorship.workspace", mentorship_id=mentorship.id)
    notify_members([request.mentee], "mentorship-accepted", f"{mentor.name} accepted your request", link,
                   target_type="mentorship", target_id=mentorship.id,
                   mail_subject=f"{mentor.name} is your {request.type.label.lower()} mentor",
                   mail_template="mentorship_event", body=request.response_note)
    if others:
        notify_members([o.mentor for o in others], "mentorship-closed",
                       f"{request.mentee.name} found a {request.type.label.lower()} mentor; their request to you is closed",
                       _link("mentorship.requests"), mail_subject="A mentorship request to you was closed",
                       mail_template="mentorship_event", body="")
    return mentorship


def decline_request(request: MentorshipRequest, reason: DeclineReason, note: str) -> None:
    _pending(request)
    request.status = RequestStatus.DECLINED
    request.decline_reason = reason
    request.response_note = note
    request.responded_at = utcnow()
    notify_members([request.mentee], "mentorship-declined", f"{request.mentor.name} declined your request",
                   _link("mentorship.requests"), target_type="mentorship_request", target_id=request.id,
                   mail_subject=f"{request.mentor.name} cannot be your mentor", mail_template="mentorship_event",
                   body=f"{reason.label}. {note}".strip())


def withdraw_request(request: MentorshipRequest) -> None:
    _pending(request)
    request.status = RequestStatus.WITHDRAWN
    request.responded_at = utcnow()
    notify_members([request.mentor], "mentorship-withdrawn", f"{request.mentee.name} withdrew their request",
                   _link("mentorship.requests"), mail_subject="A mentorship request was withdrawn",
                   mail_template="mentorship_event", body="")


def expire_requests(now=None) -> int:
    """Expire requests unanswered for 14 days; both sides are told. Safe to run again."""
    cutoff = (now or utcnow()) - REQUEST_LIFETIME
    stale = db.session.scalars(select(MentorshipRequest).where(
        MentorshipRequest.status == RequestStatus.PENDING, MentorshipRequest.created_at < cutoff)
        .options(selectinload(MentorshipRequest.mentee), selectinload(MentorshipRequest.mentor))).all()
    for request in stale:
        request.status = RequestStatus.EXPIRED
        request.responded_at = utcnow()
        notify_members([request.mentee, request.mentor], "mentorship-expired",
                       f"The {request.type.label.lower()} mentoring request between {request.mentee.name} and "
                       f"{request.mentor.name} expired", url_for("mentorship.requests"),
                       mail_subject="A mentorship request expired", mail_template="mentorship_event", body="")
    return len(stale)


# -- the workspace --------------------------------------------------------------------------------


def mentorship_for(user: User, mentorship_id: int) -> Mentorship:
    """The mentorship if ``user`` is one of its two members (NotFound otherwise: even admins)."""
    mentorship = db.session.scalars(select(Mentorship).where(Mentorship.id == mentorship_id)
                                    .options(selectinload(Mentorship.mentee), selectinload(Mentorship.mentor),
                                             selectinload(Mentorship.goals))).first()
    if mentorship is None or user.id not in (mentorship.mentee_id, mentorship.mentor_id):
        raise NotFound()
    return mentorship


def _active(mentorship: Mentorship) -> None:
    if mentorship.status != MentorshipStatus.ACTIVE:
        raise MentorshipError("This mentorship has ended; it can be read but not changed.")


def update_compact(mentorship: Mentorship, cadence_days: int, length_months: int, expectations: str) -> None:
    _active(mentorship)
    mentorship.cadence_days = cadence_days
    mentorship.length_months = length_months
    mentorship.expectations = expectations


def add_goal(mentorship: Mentorship, title: str, due_on: date | None) -> Goal:
    _active(mentorship)
    goal = Goal(mentorship_id=mentorship.id, title=title, due_on=due_on)
    db.session.add(goal)
    return goal


def toggle_goal(mentorship: Mentorship, goal: Goal) -> None:
    _active(mentorship)
    goal.done_at = None if goal.done_at else utcnow()


def log_meeting(mentorship: Mentorship, author: User, **fields) -> Meeting:
    _active(mentorship)
    if fields["met_on"] > date.today():
        raise MentorshipError("A meeting cannot be logged in the future.")
    meeting = Meeting(mentorship_id=mentorship.id, author_id=author.id, **fields)
    db.session.add(meeting)
    if mentorship.last_met_on is None or meeting.met_on > mentorship.last_met_on:
        mentorship.last_met_on = meeting.met_on
    return meeting


def edit_meeting(mentorship: Mentorship, meeting: Meeting, **fields) -> None:
    """Correct a logged meeting; the date the pair last met follows the log."""
    _active(mentorship)
    if fields["met_on"] > date.today():
        raise MentorshipError("A meeting cannot be logged in the future.")
    for name, value in fields.items():
        setattr(meeting, name, value)
    _follow_the_log(mentorship)


def delete_meeting(mentorship: Mentorship, meeting: Meeting) -> None:
    """Delete a logged meeting; the date the pair last met follows the log."""
    _active(mentorship)
    db.session.delete(meeting)
    _follow_the_log(mentorship)


def _follow_the_log(mentorship: Mentorship) -> None:
    """The date of the latest meeting still logged (none: counted from the start again)."""
    db.session.flush()
    mentorship.last_met_on = db.session.scalar(select(func.max(Meeting.met_on))
                                               .where(Meeting.mentorship_id == mentorship.id))


def meetings_visible_to(mentorship: Mentorship, user: User):
    """The meeting log; private notes are only the writer's (``permissions.can_read_meeting_notes``)."""
    return db.session.scalars(select(Meeting).where(Meeting.mentorship_id == mentorship.id)
                              .options(selectinload(Meeting.author))
                              .order_by(Meeting.met_on.desc(), Meeting.id.desc()).limit(200)).all()


def end_mentorship(mentorship: Mentorship, user: User, completed: bool, rating: int, comment: str) -> None:
    """End it (completed or early) with a rating; the mentor's place is free again."""
    _active(mentorship)
    mentorship.status = MentorshipStatus.COMPLETED if completed else MentorshipStatus.ENDED
    mentorship.ended_at = utcnow()
    mentorship.rating = rating
    mentorship.closing_comment = comment
    db.session.execute(update(MentorSettings).where(MentorSettings.user_id == mentorship.mentor_id,
                                                    MentorSettings.active_mentees > 0)
                       .values(active_mentees=MentorSettings.active_mentees - 1)
                       .execution_options(synchronize_session=False))
    other = mentorship.mentor if user.id == mentorship.mentee_id else mentorship.mentee
    notify_members([other], "mentorship-ended", f"{user.name} ended your {mentorship.type.label.lower()} mentorship",
                   url_for("mentorship.workspace", mentorship_id=mentorship.id), target_type="mentorship",
                   target_id=mentorship.id, mail_subject="A mentorship ended", mail_template="mentorship_event",
                   body="")


def team_of(mentee: User) -> dict[MentoringType, Mentorship | None]:
    """The fellow's four slots: the active mentorship of each type, or None."""
    active = db.session.scalars(select(Mentorship).where(
        Mentorship.mentee_id == mentee.id, Mentorship.status == MentorshipStatus.ACTIVE)
        .options(joinedload(Mentorship.mentor))).all()  # at most four: one query with their mentors
    return _slots(active)


def _slots(active) -> dict:
    """Each mentoring type's active mentorship (an object or a row), or None: a fellow has one of each at most."""
    by_type = {m.type: m for m in active}
    return {t: by_type.get(t) for t in MentoringType}


def home_summary(user: User, today: date) -> dict:
    """What the home page shows about mentoring: a fellow's team (each type's active mentorship or None), a
    mentor's first five mentees and the requests waiting for them, and which of those mentorships are overdue.
    Mentorships are plain rows of ``id``, ``type`` and the other member's name (``mentor_name`` on the team,
    ``mentee_name`` in the mentees)."""
    summary = {"team": None, "mentees": [], "waiting": 0, "overdue": set()}
    connection, member, active = db.session.connection(), {"member": user.id}, []
    if can_look_for_mentors(user):
        active = connection.execute(_team_statement(), member).all()
        summary["team"] = _slots(active)
    elif can_offer_mentoring(user):
        active = summary["mentees"] = connection.execute(_mentees_statement(), member).all()
        summary["waiting"] = connection.execute(_waiting_statement(), member).scalar_one()
    # The model's own rule, read from the row's columns.
    summary["overdue"] = {row.id for row in active if Mentorship.is_overdue(row, today)}
    return summary


# The home page's mentoring card runs these on every view, the member as a parameter; only the columns the
# card and the overdue rule read.

_HOME_MEMBER = bindparam("member", type_=Integer)
_CARD_COLUMNS = (Mentorship.id, Mentorship.type, Mentorship.status, Mentorship.started_at, Mentorship.last_met_on,
                 Mentorship.cadence_days)


@prebuilt
def _team_statement():
    """A fellow's active mentorships, with each mentor's name."""
    return (select(*_CARD_COLUMNS, User.name.label("mentor_name")).join(User, User.id == Mentorship.mentor_id)
            .where(Mentorship.mentee_id == _HOME_MEMBER, Mentorship.status == MentorshipStatus.ACTIVE))


@prebuilt
def _mentees_statement():
    """A mentor's first five active mentorships, with each mentee's name."""
    return (select(*_CARD_COLUMNS, User.name.label("mentee_name")).join(User, User.id == Mentorship.mentee_id)
            .where(Mentorship.mentor_id == _HOME_MEMBER, Mentorship.status == MentorshipStatus.ACTIVE)
            .order_by(Mentorship.started_at).limit(5))


@prebuilt
def _waiting_statement():
    """How many requests wait for the mentor's answer."""
    return select(func.count()).select_from(MentorshipRequest).where(
        MentorshipRequest.mentor_id == _HOME_MEMBER, MentorshipRequest.status == RequestStatus.PENDING)
