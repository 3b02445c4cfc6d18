"""What the mentoring pages read about mentorships and requests: a mentor's settings, a fellow's team and a
mentor's mentees (the mentoring page and the home page's card), the requests page, what already links a
fellow to a mentor (for "Ask to mentor"), the workspace and its meeting log, and past mentorships. Nothing
here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, bindparam, func, literal, null, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from network.database import prebuilt
from network.extensions import db
from network.members.models import User
from network.mentorship.models import (
    Goal,
    Meeting,
    MentoringType,
    MentorSettings,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
)
from network.permissions import can_look_for_mentors, can_offer_mentoring

# -- settings and the team ---------------------------------------------------------------------


def settings_of(user: User) -> MentorSettings | None:
    """The member's mentor settings; None until they first save them."""
    return db.session.get(MentorSettings, user.id)


def active_mentorship(mentee_id: int, mentoring_type: MentoringType) -> Mentorship | None:
    """The mentee's active mentorship of this type, if any (a fellow has one of each at most)."""
    return db.session.scalars(select(Mentorship).where(
        Mentorship.mentee_id == mentee_id, Mentorship.type == mentoring_type,
        Mentorship.status == MentorshipStatus.ACTIVE)).first()


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


def mentees_of(mentor: User, limit: int = 100) -> list[Mentorship]:
    """The mentor's active mentorships, newest first, with each mentee."""
    return db.session.scalars(
        select(Mentorship).where(Mentorship.mentor_id == mentor.id, Mentorship.status == MentorshipStatus.ACTIVE)
        .options(selectinload(Mentorship.mentee))
        .order_by(Mentorship.started_at.desc()).limit(limit)).all()


def waiting_requests(mentor: User) -> int:
    """How many requests wait for the mentor's answer."""
    return db.session.connection().execute(_waiting_statement(), {"member": mentor.id}).scalar_one()


def past_mentorships(user: User, limit: int = 100) -> list[Mentorship]:
    """The member's completed and ended mentorships, as mentee or mentor, latest ended first, with both
    members, in one query."""
    return db.session.scalars(
        select(Mentorship).where(or_(Mentorship.mentee_id == user.id, Mentorship.mentor_id == user.id),
                                 Mentorship.status != MentorshipStatus.ACTIVE)
        .options(joinedload(Mentorship.mentee), joinedload(Mentorship.mentor))
        .order_by(Mentorship.ended_at.desc(), Mentorship.id.desc()).limit(limit)).all()


# -- requests ------------------------------------------------------------------------------------


def requests_statement(member: User):
    """The requests the member sent or received, with both members (unordered: callers sort or page it)."""
    return (select(MentorshipRequest)
            .where(or_(MentorshipRequest.mentee_id == member.id, MentorshipRequest.mentor_id == member.id))
            .options(selectinload(MentorshipRequest.mentee), selectinload(MentorshipRequest.mentor)))


def requests_of(member: User, limit: int = 200) -> list[MentorshipRequest]:
    """The requests the member sent or received, newest first, with both members."""
    return db.session.scalars(requests_statement(member).order_by(
        MentorshipRequest.created_at.desc(), MentorshipRequest.id.desc()).limit(limit)).all()


def request_for(member: User, request_id: int, side: str | None = None, *,
                lock: bool = False) -> MentorshipRequest | None:
    """The request with both members if ``member`` is its ``side`` ("mentor" or "mentee"; either when None);
    None otherwise. ``lock`` holds the row until the transaction ends, so two answers to one request (a double
    click, two tabs, an accept racing a withdraw) take turns: the second reads what the first did."""
    query = (select(MentorshipRequest).where(MentorshipRequest.id == request_id)
             .options(selectinload(MentorshipRequest.mentee), selectinload(MentorshipRequest.mentor)))
    item = db.session.scalars(query.with_for_update(of=MentorshipRequest) if lock else query).first()
    sides = ("mentor", "mentee") if side is None else (side,)
    if item is None or member.id not in {getattr(item, f"{name}_id") for name in sides}:
        return None
    return item


@dataclass(frozen=True, slots=True)
class Tie:
    """What already links a fellow to a mentor: a request ``asked`` and waiting, or an active mentorship
    (``mentor``); or ``full``, the mentor has no place free."""

    kind: str
    type: MentoringType | None
    id: int | None
    since: object


@prebuilt
def _ties_statement():
    fellow, mentor = bindparam("fellow_id", type_=Integer), bindparam("mentor_id", type_=Integer)
    return union_all(
        select(literal("asked").label("kind"), MentorshipRequest.type, MentorshipRequest.id,
               MentorshipRequest.created_at.label("since"))
        .where(MentorshipRequest.mentee_id == fellow, MentorshipRequest.mentor_id == mentor,
               MentorshipRequest.status == RequestStatus.PENDING),
        select(literal("mentor"), Mentorship.type, Mentorship.id, Mentorship.started_at)
        .where(Mentorship.mentee_id == fellow, Mentorship.mentor_id == mentor,
               Mentorship.status == MentorshipStatus.ACTIVE),
        select(literal("full"), null(), null(), null())
        .where(MentorSettings.user_id == mentor, MentorSettings.active_mentees >= MentorSettings.capacity))


def ties_between(fellow_id: int, mentor_id: int) -> list[Tie]:
    """The fellow's waiting requests to and active mentorships with the mentor, and whether the mentor is
    full, in one query (for the profile page's "Ask to mentor")."""
    return [Tie(*row) for row in db.session.execute(_ties_statement(),
                                                   {"fellow_id": fellow_id, "mentor_id": mentor_id})]


def request_types(fellow: User, settings: MentorSettings) -> tuple[list[MentoringType], MentoringType | None]:
    """The kinds of mentoring the mentor offers (every kind if their settings name none) and the first of
    them the fellow has no mentor for yet: what the request form offers and starts on."""
    offered = [t for t in MentoringType if t.value in (settings.types or [])] or list(MentoringType)
    taken = set(db.session.scalars(select(Mentorship.type).where(
        Mentorship.mentee_id == fellow.id, Mentorship.status == MentorshipStatus.ACTIVE)))
    return offered, next((t for t in offered if t not in taken), None)


# -- the workspace --------------------------------------------------------------------------------


def mentorship_for(user: User, mentorship_id: int, *, lock: bool = False) -> Mentorship | None:
    """The mentorship with its members and goals if ``user`` is one of its two members; None otherwise (even
    for admins). ``lock`` holds its row until the transaction ends, so two changes take turns and the
    second sees what the first did (both members ending it at once frees one place, not two)."""
    query = (select(Mentorship).where(Mentorship.id == mentorship_id)
             .options(selectinload(Mentorship.mentee), selectinload(Mentorship.mentor), selectinload(Mentorship.goals)))
    mentorship = db.session.scalars(query.with_for_update() if lock else query).first()
    if mentorship is None or user.id not in (mentorship.mentee_id, mentorship.mentor_id):
        return None
    return mentorship


def mentorships_statement(member: User):
    """The member's mentorships as mentee or mentor, any status, with both members (callers sort or page it)."""
    return (select(Mentorship).where(or_(Mentorship.mentee_id == member.id, Mentorship.mentor_id == member.id))
            .options(selectinload(Mentorship.mentee), selectinload(Mentorship.mentor)))


def goals_statement(mentorship: Mentorship):
    """The mentorship's goals (callers sort or page them)."""
    return select(Goal).where(Goal.mentorship_id == mentorship.id)


def meetings_statement(mentorship: Mentorship):
    """The mentorship's meeting log with each meeting's author (callers sort or page it). Private notes are
    in the rows: who may read them is ``permissions.can_read_meeting_notes``."""
    return select(Meeting).where(Meeting.mentorship_id == mentorship.id).options(selectinload(Meeting.author))


def meetings_visible_to(mentorship: Mentorship, user: User):
    """The meeting log; private notes are only the writer's (``permissions.can_read_meeting_notes``)."""
    return db.session.scalars(select(Meeting).where(Meeting.mentorship_id == mentorship.id)
                              .options(selectinload(Meeting.author))
                              .order_by(Meeting.met_on.desc(), Meeting.id.desc()).limit(200)).all()
