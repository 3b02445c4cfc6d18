"""The lists behind the cockpit's numbers: one statement each, whatever the program's size, each row an
``Entry`` naming the item (what a reminder is about, and is limited per) and the members to remind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from network.cockpit.queries import WITHOUT, fellows_of, overdue_rows, unranked_filter, unreviewed_filter, waiting_since
from network.cohorts.models import Invitation, InvitationStatus
from network.discussions.models import Category, Post, Thread
from network.extensions import db
from network.matching.models import Choice, MatchingRound, Participant, RoundStatus, Side, round_cohort
from network.members.models import User
from network.mentorship.models import Mentorship, MentorshipRequest, MentorshipStatus, RequestStatus
from network.programs.models import Cohort
from network.reminders.models import ReminderLog
from network.reminders.services import QUIET
from network.text.words import plural
from network.types import utcnow

#: What each list is, in the words of its heading ("Fellows without a research mentor", ...).
TITLES = {**{key: f"Fellows without a {kind.label.lower()} mentor" for key, kind in WITHOUT.items()},
          "overdue": "Overdue mentorships", "waiting-requests": "Mentoring requests waiting more than 7 days",
          "not-ranked": "Fellows who have not ranked their mentors", "not-reviewed": "Mentors who have not reviewed",
          "invitations": "Invitations sent but not accepted", "held-posts": "Posts held for review"}
#: Lists whose people can be reminded (held posts wait for a moderator: the staff themselves).
REMINDABLE = frozenset(TITLES) - {"held-posts"}


@dataclass(frozen=True)
class Entry:
    target_id: int  # the item: a fellow (for a type), a mentorship, a request, a round place, an invitation
    cohort_id: int | None
    people: tuple[tuple[int, str], ...]  # (member id, name) of whoever is reminded; both members of a mentorship
    detail: str = ""
    since: datetime | None = None
    round_id: int | None = None
    email: str = ""  # an invitation's address (the invited person may have no account yet)


def current_cohort_choices(program_id: int) -> list:
    """``(id, name)`` of the program's current cohorts, by start."""
    return db.session.execute(select(Cohort.id, Cohort.name)
                              .where(Cohort.program_id == program_id, Cohort.graduated_at.is_(None))
                              .order_by(Cohort.start_date, Cohort.id)).all()


def entries(key: str, cohort_ids: list[int], round_id: int | None = None) -> list[Entry]:
    """The rows of list ``key`` for ``cohort_ids`` (the program's current cohorts, or one of them)."""
    now = utcnow()
    if key in WITHOUT:
        return _without(WITHOUT[key], cohort_ids)
    return {"overdue": _overdue, "waiting-requests": _waiting, "invitations": _invitations,
            "held-posts": _held}.get(key, lambda ids, _now: _round_list(key, ids, round_id))(cohort_ids, now)


def _without(kind, cohort_ids) -> list[Entry]:
    fellows = fellows_of(cohort_ids)
    covered = exists().where(Mentorship.mentee_id == fellows.c.user_id, Mentorship.type == kind,
                             Mentorship.status == MentorshipStatus.ACTIVE)
    return [Entry(user_id, cohort_id, ((user_id, name),)) for cohort_id, user_id, name in db.session.execute(
        select(fellows.c.cohort_id, User.id, User.name).join(User, User.id == fellows.c.user_id)
        .where(~covered).order_by(User.name, User.id))]


def _overdue(cohort_ids, now) -> list[Entry]:
    return [Entry(row.id, row.cohort_id, ((row.mentee_id, row.mentee_name), (row.mentor_id, row.mentor_name)),
                  detail=f"{row.type.label} mentoring, every {row.cadence_days} days",
                  since=row.last_met_on or row.started_at)
            for row in sorted(overdue_rows(cohort_ids, now.date(), named=True), key=lambda r: (r.mentee_name, r.id))]


def _waiting(cohort_ids, now) -> list[Entry]:
    fellows = fellows_of(cohort_ids)
    mentee, mentor = aliased(User), aliased(User)
    rows = db.session.execute(
        select(MentorshipRequest.id, fellows.c.cohort_id, MentorshipRequest.type, MentorshipRequest.created_at,
               mentor.id, mentor.name, mentee.name)
        .join(fellows, fellows.c.user_id == MentorshipRequest.mentee_id)
        .join(mentee, mentee.id == MentorshipRequest.mentee_id).join(mentor, mentor.id == MentorshipRequest.mentor_id)
        .where(MentorshipRequest.status == RequestStatus.PENDING, MentorshipRequest.created_at <= waiting_since(now))
        .order_by(MentorshipRequest.created_at, MentorshipRequest.id))
    return [Entry(request_id, cohort_id, ((mentor_id, mentor_name),),
                  detail=f"{mentee_name} asked for {kind.label.lower()} mentoring", since=created_at)
            for request_id, cohort_id, kind, created_at, mentor_id, mentor_name, mentee_name in rows]


def _invitations(cohort_ids, now) -> list[Entry]:
    rows = db.session.execute(
        select(Invitation.id, Invitation.cohort_id, Invitation.email, Invitation.name, Invitation.sent_at,
               Invitation.expires_at)
        .where(Invitation.cohort_id.in_(cohort_ids), Invitation.status == InvitationStatus.SENT)
        .order_by(Invitation.sent_at, Invitation.id))
    return [Entry(invitation_id, cohort_id, (), detail=("link expired" if expires_at <= now else "link still valid"),
                  since=sent_at, email=email if not name else f"{name} <{email}>")
            for invitation_id, cohort_id, email, name, sent_at, expires_at in rows]


def _held(cohort_ids, now) -> list[Entry]:
    rows = db.session.execute(
        select(Post.id, Category.cohort_id, Post.created_at, User.id, User.name, Thread.title)
        .join(Thread, Thread.id == Post.thread_id).join(Category, Category.id == Thread.category_id)
        .join(User, User.id == Post.author_id)
        .where(Category.cohort_id.in_(cohort_ids), Post.held.is_(True), Post.removed_at.is_(None))
        .order_by(Post.id).limit(200))
    return [Entry(post_id, cohort_id, ((author_id, author),), detail=f"In “{title}”", since=created_at)
            for post_id, cohort_id, created_at, author_id, author, title in rows]


def _round_list(key: str, cohort_ids, round_id: int | None) -> list[Entry]:
    """Fellows of the cohorts in an open round who have not ranked, or the round's mentors with fellows they
    have not answered (``round_id``: one round only)."""
    of_cohorts = round_cohort.c.cohort_id.in_(cohort_ids)
    rounds = select(round_cohort.c.round_id).where(of_cohorts)
    statement = (select(Participant.id, Participant.round_id, User.id, User.name, MatchingRound.title,
                        MatchingRound.deadline)
                 .join(User, User.id == Participant.user_id)
                 .join(MatchingRound, MatchingRound.id == Participant.round_id)
                 .where(MatchingRound.status == RoundStatus.OPEN))
    if round_id is not None:
        statement = statement.where(Participant.round_id == round_id)
    if key == "not-ranked":
        fellows = fellows_of(cohort_ids)
        statement = (statement.add_columns(fellows.c.cohort_id)
                     .join(round_cohort, round_cohort.c.round_id == Participant.round_id)
                     .join(fellows, and_(fellows.c.user_id == Participant.user_id,
                                         fellows.c.cohort_id == round_cohort.c.cohort_id))
                     .where(Participant.side == Side.FELLOW, ~unranked_filter()))
    elif key == "not-reviewed":
        waiting = (select(func.count()).where(Choice.round_id == Participant.round_id,
                                              Choice.mentor_id == Participant.user_id, Choice.mentor_accepts.is_(None))
                   .scalar_subquery())
        statement = statement.add_columns(waiting).where(Participant.side == Side.MENTOR,
                                                         Participant.round_id.in_(rounds), unreviewed_filter())
    else:
        return []
    found = []
    for participant_id, participant_round, user_id, name, title, deadline, extra in db.session.execute(
            statement.order_by(MatchingRound.deadline, User.name, Participant.id)):
        detail = (f"{title}, lists close {deadline:%-d %b %Y}" if key == "not-ranked"
                  else f"{title}: {plural(extra, 'fellow')} waiting for an answer")
        found.append(Entry(participant_id, extra if key == "not-ranked" else None, ((user_id, name),), detail=detail,
                           round_id=participant_round))
    return found


def last_reminded(key: str, target_ids: list[int]) -> dict[int, datetime]:
    """When each item was last reminded from this list within the quiet week, in one query."""
    if not target_ids:
        return {}
    return dict(db.session.execute(
        select(ReminderLog.target_id, func.max(ReminderLog.sent_at))
        .where(ReminderLog.kind == nudge_kind(key), ReminderLog.target_id.in_(target_ids),
               ReminderLog.sent_at > utcnow() - QUIET)
        .group_by(ReminderLog.target_id)).all())


def nudge_kind(key: str) -> str:
    """The reminders' log kind of a staff reminder from list ``key``."""
    return f"nudge-{key}"
