"""``/api/v1/mentorships``: your mentorships, their goals and their meeting log, as the workspace page has them.

Only the mentorship's two members reach it (anyone else, admins included, gets a 404, as on the page). A meeting's
notes are here only when they are shared: notes its writer kept private never appear in the API, for anyone, the
writer included (the page shows them to the writer alone; a token is not a person).
"""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import abort, request
from flask_login import current_user

from network.api.auth import scope
from network.api.blueprint import api_blueprint
from network.api.pagination import LINK_HEADER, PageArgs, keyset_page
from network.api.resources.mentorship import (
    CONFIRM_NO_PHI,
    PROBLEM,
    SingleLine,
    Text,
    choice,
    member,
    present,
    refuse_patient_identifiers,
)
from network.api.schemas import MemberRef, UTCDateTime
from network.extensions import db
from network.mentorship import services
from network.mentorship.models import Goal, Meeting, MeetingMode, MentoringType, Mentorship, MentorshipStatus
from network.mentorship.queries import mentorships as queries
from network.permissions import can_change_meeting

blp = api_blueprint("mentorships", __name__,
                    "Your mentorships as mentee or mentor: their goals, and their meetings with shared notes only.")

NO_SUCH_MENTORSHIP = "There is no such mentorship, or you are not one of its two members."
ENDED = "The mentorship has ended: it can be read but not changed."


class MentorshipSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    type = choice(MentoringType, required=True)
    status = choice(MentorshipStatus, required=True)
    mentee = ma.fields.Nested(MemberRef, required=True)
    mentor = ma.fields.Nested(MemberRef, required=True)
    started_at = UTCDateTime(required=True)
    ended_at = UTCDateTime(metadata={"description": "Absent while it runs."})
    cadence_days = ma.fields.Integer(required=True, metadata={"description": "They plan to meet every … days."})
    length_months = ma.fields.Integer(required=True)
    expectations = ma.fields.String(required=True)
    last_met_on = ma.fields.Date(metadata={"description": "Absent until a meeting is logged."})
    overdue = ma.fields.Boolean(required=True, metadata={
        "description": "No meeting for half as long again as planned between meetings (as the page flags it)."})
    rating = ma.fields.Integer(validate=ma.validate.Range(1, 5), metadata={"description": "Once it has ended."})
    closing_comment = ma.fields.String(metadata={"description": "Once it has ended, when one was written."})


def mentorship_out(mentorship: Mentorship) -> dict:
    return present(id=mentorship.id, type=mentorship.type.value, status=mentorship.status.value,
                   mentee=member(mentorship.mentee), mentor=member(mentorship.mentor),
                   started_at=mentorship.started_at, ended_at=mentorship.ended_at,
                   cadence_days=mentorship.cadence_days, length_months=mentorship.length_months,
                   expectations=mentorship.expectations, last_met_on=mentorship.last_met_on,
                   overdue=mentorship.is_overdue(date.today()), rating=mentorship.rating,
                   closing_comment=mentorship.closing_comment or None)


class MentorshipFilterArgs(PageArgs):
    status = choice(MentorshipStatus, load_default=None)
    side = choice(("mentee", "mentor"), load_default=None,
                  metadata={"description": "Only those where you are the mentee, or the mentor."})


@blp.route("")
@scope("read")
@blp.etag
@blp.arguments(MentorshipFilterArgs, location="query")
@blp.response(200, MentorshipSchema(many=True), headers=LINK_HEADER)
def list_mentorships(args):
    """Your mentorships, as mentee or mentor, active and past, latest started first."""
    statement = queries.mentorships_statement(current_user)
    if args["status"]:
        statement = statement.where(Mentorship.status == MentorshipStatus(args["status"]))
    if args["side"]:
        statement = statement.where(getattr(Mentorship, f"{args['side']}_id") == current_user.id)
    page = keyset_page(db.session, statement, [(Mentorship.started_at, True), (Mentorship.id, True)],
                       lambda m: (m.started_at, m.id), args)
    return [mentorship_out(m) for m in page.items], 200, page.headers


def _mentorship_or_404(mentorship_id: int) -> Mentorship:
    """The mentorship if you are one of its two members; a change holds its row until it commits, as the
    workspace's forms do, so two changes to one mentorship take turns."""
    mentorship = queries.mentorship_for(current_user, mentorship_id, lock=request.method not in ("GET", "HEAD"))
    if mentorship is None:
        abort(404, NO_SUCH_MENTORSHIP)
    return mentorship


@blp.route("/<int:mentorship_id>")
@scope("read")
@blp.etag
@blp.response(200, MentorshipSchema)
@blp.alt_response(404, **PROBLEM, description=NO_SUCH_MENTORSHIP)
def get_mentorship(mentorship_id: int):
    """One of your mentorships."""
    return mentorship_out(_mentorship_or_404(mentorship_id))


def _apply(action, *args):
    """A workspace change, committed once; 409 when the mentorship has ended (read-only, as on the page)."""
    try:
        result = action(*args)
    except services.MentorshipError as exc:
        abort(409, str(exc))
    db.session.commit()
    return result


# -- goals -------------------------------------------------------------------------------------------------


class MentorshipGoalSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    due_on = ma.fields.Date(metadata={"description": "Absent when the goal has no date."})
    done = ma.fields.Boolean(required=True)
    done_at = UTCDateTime(metadata={"description": "When it was ticked done; absent while open."})
    created_at = UTCDateTime(required=True)


def goal_out(goal: Goal) -> dict:
    return present(id=goal.id, title=goal.title, due_on=goal.due_on, done=goal.done_at is not None,
                   done_at=goal.done_at, created_at=goal.created_at)


@blp.route("/<int:mentorship_id>/goals")
@scope("read")
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, MentorshipGoalSchema(many=True), headers=LINK_HEADER)
@blp.alt_response(404, **PROBLEM, description=NO_SUCH_MENTORSHIP)
def list_goals(args, mentorship_id: int):
    """The mentorship's goals, in the order they were set (as on the page)."""
    mentorship = _mentorship_or_404(mentorship_id)
    page = keyset_page(db.session, queries.goals_statement(mentorship), [(Goal.id, False)], lambda g: (g.id,), args)
    return [goal_out(g) for g in page.items], 200, page.headers


class NewMentorshipGoalSchema(ma.Schema):
    title = SingleLine(required=True,
                       validate=ma.validate.Length(1, 200, error="Name the goal in 1 to 200 characters."))
    due_on = ma.fields.Date(load_default=None, allow_none=True)
    confirm_no_phi = CONFIRM_NO_PHI


@blp.route("/<int:mentorship_id>/goals", methods=["POST"])
@scope("write")
@blp.arguments(NewMentorshipGoalSchema)
@blp.response(201, MentorshipGoalSchema)
@blp.alt_response(404, **PROBLEM, description=NO_SUCH_MENTORSHIP)
@blp.alt_response(409, **PROBLEM, description=ENDED)
def create_goal(body, mentorship_id: int):
    """Add a goal to an active mentorship."""
    mentorship = _mentorship_or_404(mentorship_id)
    refuse_patient_identifiers(body, "title")
    return goal_out(_apply(services.add_goal, mentorship, body["title"], body["due_on"]))


class MentorshipGoalChangeSchema(ma.Schema):
    done = ma.fields.Boolean(required=True, metadata={"description": "true ticks it done, false opens it again."})


def _goal_or_404(mentorship: Mentorship, goal_id: int) -> Goal:
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.mentorship_id != mentorship.id:
        abort(404, "This mentorship has no such goal.")
    return goal


@blp.route("/<int:mentorship_id>/goals/<int:goal_id>", methods=["PATCH"])
@scope("write")
@blp.arguments(MentorshipGoalChangeSchema)
@blp.response(200, MentorshipGoalSchema)
@blp.alt_response(404, **PROBLEM, description="No such mentorship of yours, or no such goal in it.")
@blp.alt_response(409, **PROBLEM, description=ENDED)
def update_goal(body, mentorship_id: int, goal_id: int):
    """Tick a goal done, or open it again (either member, while the mentorship is active)."""
    mentorship = _mentorship_or_404(mentorship_id)
    goal = _goal_or_404(mentorship, goal_id)
    _apply(services.set_goal_done, mentorship, goal, body["done"])
    return goal_out(goal)


# -- meetings ----------------------------------------------------------------------------------------------


class MentorshipMeetingSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    met_on = ma.fields.Date(required=True)
    minutes = ma.fields.Integer(required=True)
    mode = choice(MeetingMode, required=True)
    topics = ma.fields.String(required=True)
    notes = ma.fields.String(metadata={"description": "The shared notes; absent when the writer kept them private."})
    notes_private = ma.fields.Boolean(metadata={
        "description": "Only on meetings you logged: whether you kept your notes private (they are then never "
                       "in the API). Absent on the other member's meetings."})
    author = ma.fields.Nested(MemberRef, metadata={"description": "Who logged it; absent for a former member."})
    created_at = UTCDateTime(required=True)


def meeting_out(meeting: Meeting) -> dict:
    """The meeting as the API shows it to anyone: private notes are left out whoever asks."""
    mine = meeting.author_id == current_user.id
    return present(id=meeting.id, met_on=meeting.met_on, minutes=meeting.minutes, mode=meeting.mode.value,
                   topics=meeting.topics, notes=None if meeting.notes_private else meeting.notes,
                   notes_private=meeting.notes_private if mine else None, author=member(meeting.author),
                   created_at=meeting.created_at)


@blp.route("/<int:mentorship_id>/meetings")
@scope("read")
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, MentorshipMeetingSchema(many=True), headers=LINK_HEADER)
@blp.alt_response(404, **PROBLEM, description=NO_SUCH_MENTORSHIP)
def list_meetings(args, mentorship_id: int):
    """The mentorship's meeting log, latest first, with shared notes only."""
    mentorship = _mentorship_or_404(mentorship_id)
    page = keyset_page(db.session, queries.meetings_statement(mentorship),
                       [(Meeting.met_on, True), (Meeting.id, True)], lambda m: (m.met_on, m.id), args)
    return [meeting_out(m) for m in page.items], 200, page.headers


def not_in_future(value: date) -> None:
    if value > date.today():
        raise ma.ValidationError("A meeting cannot be in the future.")


class MentorshipMeetingChangeSchema(ma.Schema):
    """A meeting's fields, with the limits of the page's meeting form."""

    met_on = ma.fields.Date(validate=not_in_future)
    minutes = ma.fields.Integer(validate=ma.validate.Range(5, 600))
    mode = choice(MeetingMode)
    topics = SingleLine(validate=ma.validate.Length(max=300))
    notes = Text(validate=ma.validate.Length(max=5000))
    notes_private = ma.fields.Boolean(metadata={"description": "Keep your notes private: only you see them, on "
                                                               "the page; the API never shows them."})
    confirm_no_phi = CONFIRM_NO_PHI


class NewMentorshipMeetingSchema(MentorshipMeetingChangeSchema):
    met_on = ma.fields.Date(required=True, validate=not_in_future)
    minutes = ma.fields.Integer(required=True, validate=ma.validate.Range(5, 600))
    mode = choice(MeetingMode, required=True)
    topics = SingleLine(load_default="", validate=ma.validate.Length(max=300))
    notes = Text(load_default="", validate=ma.validate.Length(max=5000))
    notes_private = ma.fields.Boolean(load_default=False)


def _meeting_fields(body: dict) -> dict:
    return {name: MeetingMode(value) if name == "mode" else value
            for name, value in body.items() if name != "confirm_no_phi"}


@blp.route("/<int:mentorship_id>/meetings", methods=["POST"])
@scope("write")
@blp.arguments(NewMentorshipMeetingSchema)
@blp.response(201, MentorshipMeetingSchema)
@blp.alt_response(404, **PROBLEM, description=NO_SUCH_MENTORSHIP)
@blp.alt_response(409, **PROBLEM, description=ENDED)
def create_meeting(body, mentorship_id: int):
    """Log a meeting of an active mentorship (its date the pair last met follows)."""
    mentorship = _mentorship_or_404(mentorship_id)
    refuse_patient_identifiers(body, "topics", "notes")
    return meeting_out(_apply(lambda: services.log_meeting(mentorship, current_user, **_meeting_fields(body))))


@blp.route("/<int:mentorship_id>/meetings/<int:meeting_id>", methods=["PATCH"])
@scope("write")
@blp.arguments(MentorshipMeetingChangeSchema)
@blp.response(200, MentorshipMeetingSchema)
@blp.alt_response(403, **PROBLEM,
                  description="Only the member who logged a meeting corrects it, while the mentorship is active.")
@blp.alt_response(404, **PROBLEM, description="No such mentorship of yours, or no such meeting in it.")
def update_meeting(body, mentorship_id: int, meeting_id: int):
    """Correct a meeting you logged: the fields sent change, the others (private notes included) stay."""
    mentorship = _mentorship_or_404(mentorship_id)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.mentorship_id != mentorship.id:
        abort(404, "This mentorship has no such meeting.")
    if not can_change_meeting(current_user, meeting, mentorship):
        abort(403, "Only the member who logged a meeting corrects it, while the mentorship is active.")
    refuse_patient_identifiers(body, "topics", "notes")
    fields = {"met_on": meeting.met_on, "minutes": meeting.minutes, "mode": meeting.mode, "topics": meeting.topics,
              "notes": meeting.notes, "notes_private": meeting.notes_private, **_meeting_fields(body)}
    _apply(lambda: services.edit_meeting(mentorship, meeting, **fields))
    return meeting_out(meeting)
