"""What changes mentoring: a mentor's settings; requests sent, answered, withdrawn and expired; the
workspace's agreement, goals and meetings; ending a mentorship. They change the session's objects, raise
domain errors, and never commit; what the pages read is in ``network.mentorship.queries``."""

from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from network.extensions import db
from network.members.models import User
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
)
from network.mentorship.queries.mentorships import active_mentorship, settings_of
from network.notifications.services import notify_members
from network.permissions import can_look_for_mentors, can_offer_mentoring
from network.profiles.services import profile_of
from network.taxonomy.models import Interest
from network.types import utcnow

#: A request nobody answered in this many days expires.
REQUEST_LIFETIME = timedelta(days=14)


class MentorshipError(Exception):
    """A refused action; the message is for the member."""


# -- settings ---------------------------------------------------------------------------------


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


# -- requests -----------------------------------------------------------------------------------


def _link(endpoint: str, **values) -> str:
    return url_for(endpoint, **values)



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
    notify_members([mentor], "mentorship-request",
                   f"{mentee.name} asks you for {mentoring_type.label.lower()} mentoring", _link("mentorship.requests"),
                   target_type="mentorship_request", target_id=request.id,
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
                       f"{request.mentee.name} found a {request.type.label.lower()} mentor; "
                       "their request to you is closed",
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
    set_goal_done(mentorship, goal, goal.done_at is None)


def set_goal_done(mentorship: Mentorship, goal: Goal, done: bool) -> None:
    """Tick a goal done (when it was ticked stays), or open it again."""
    _active(mentorship)
    if done != (goal.done_at is not None):
        goal.done_at = utcnow() if done else None


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
