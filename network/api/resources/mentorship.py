"""Finding a mentor and asking one: ``/api/v1/mentors/recommendations`` and ``/api/v1/mentorship-requests``.

The same rankings, rules, notifications and mails as the mentoring pages (``network.mentorship``): the views load,
check with ``network.permissions``, call the services and commit once. Mentorships themselves, their goals and
meetings are in ``mentorship_workspace``.
"""

from __future__ import annotations

import flask_smorest
import marshmallow as ma
from flask import abort
from flask_login import current_user

from network.api.auth import scope
from network.api.blueprint import api_blueprint
from network.api.pagination import LINK_HEADER, PageArgs, keyset_page
from network.api.schemas import MemberRef, UTCDateTime
from network.api.spec import PROBLEM_CONTENT_TYPE, ProblemSchema
from network.extensions import db
from network.forms import strip, strip_text
from network.members.models import MemberStatus, Role, User
from network.mentorship import services
from network.mentorship.models import DeclineReason, MentoringType, MentorshipRequest, RequestStatus
from network.mentorship.queries import mentorships
from network.mentorship.queries import recommendations as ranking
from network.permissions import can_ask_for_mentoring, can_look_for_mentors
from network.text import phi_guard

mentors = api_blueprint("mentors", __name__, "Mentors recommended to you (fellows), each with the reasons.")
requests = api_blueprint("mentorship-requests", __name__,
                         "Mentorship requests you sent or received: ask a mentor, accept, decline, withdraw.")

ONLY_FELLOWS = "Only fellows look for mentors for now."
NO_SUCH_REQUEST = "There is no such mentorship request, or it is not one you sent or received."


# -- shared by the mentoring resources ------------------------------------------------------------------

#: How an operation documents an error it can answer: ``@blp.alt_response(404, **PROBLEM, description=...)``.
PROBLEM = {"schema": ProblemSchema, "content_type": PROBLEM_CONTENT_TYPE}


class SingleLine(ma.fields.String):
    """A one-line text, as the pages' forms take it: trimmed, line breaks and control characters folded."""

    def _deserialize(self, value, attr, data, **kwargs):
        return strip(super()._deserialize(value, attr, data, **kwargs))


class Text(ma.fields.String):
    """A multi-line text, as the pages' forms take it: trimmed, control characters other than breaks dropped."""

    def _deserialize(self, value, attr, data, **kwargs):
        return strip_text(super()._deserialize(value, attr, data, **kwargs))


def choice(values, **kwargs):
    """A string field that takes one of ``values`` (documented as the enum)."""
    return ma.fields.String(validate=ma.validate.OneOf([str(v) for v in values]), **kwargs)


#: What a body with free text may add, as the pages' "I checked" box does.
CONFIRM_NO_PHI = ma.fields.Boolean(load_default=False, metadata={
    "description": "Send true to confirm that text flagged as possibly identifying a patient does not. Strong "
                   "identifiers (a named patient, a record number, a date of birth) are refused whatever this says."})


def refuse_patient_identifiers(body: dict, *names: str) -> None:
    """A 422 naming each field whose text looks like it identifies a patient, as the pages' forms refuse it
    (``network.forms.PhiGuarded``): strong identifiers always, weaker ones unless ``confirm_no_phi``."""
    found = phi_guard.check(*(body.get(name) for name in names))
    if phi_guard.blocks(found, body.get("confirm_no_phi", False)):
        flagged = [name for name in names if phi_guard.check(body.get(name))]
        flask_smorest.abort(422, messages={"json": {name: [found.message] for name in flagged}})


def present(**fields) -> dict:
    """``fields`` without the ones that have no value: a client sees a key only when there is something in it."""
    return {name: value for name, value in fields.items() if value is not None}


def member(user: User | None) -> dict | None:
    return None if user is None else {"id": user.id, "name": user.name}


# -- recommendations -----------------------------------------------------------------------------------------


class RecommendationArgs(ma.Schema):
    type = choice(MentoringType, load_default=MentoringType.RESEARCH.value,
                  metadata={"description": "The kind of mentoring, as on the page's tabs."})


class MentorRecommendationSchema(ma.Schema):
    mentor = ma.fields.Nested(MemberRef, required=True)
    score = ma.fields.Integer(required=True, validate=ma.validate.Range(0, 100),
                              metadata={"description": "How well the mentor fits you, 0 to 100."})
    reasons = ma.fields.List(ma.fields.String(), required=True, metadata={"description": "Why, in words."})
    role = choice(Role, required=True)
    institution = ma.fields.String(metadata={"description": "Absent when the mentor gives none."})
    location = ma.fields.String(metadata={"description": "Absent unless the mentor lets you see it."})


@mentors.route("/recommendations")
@scope("read")
@mentors.etag
@mentors.arguments(RecommendationArgs, location="query")
@mentors.response(200, MentorRecommendationSchema(many=True))
@mentors.alt_response(403, **PROBLEM, description="Only fellows look for mentors.")
def recommendations(args):
    """Mentors recommended to you for one kind of mentoring, best first, each with the reasons.

    The same ranking as the page (at most 20, leaving out your current mentors and the mentors you already
    asked). A mentor's location is here only where their profile lets you see it."""
    if not can_look_for_mentors(current_user):
        abort(403, ONLY_FELLOWS)
    results, _ = ranking.recommendations(current_user, MentoringType(args["type"]))
    cards = ranking.mentor_cards(current_user.id, [r.mentor_id for r in results])
    shown = []
    for result in results:
        card = cards.get(result.mentor_id)
        shown.append(present(mentor={"id": result.mentor_id, "name": result.name}, score=result.score,
                             reasons=list(result.reasons), role=card.role.value if card else None,
                             institution=(card.institution or None) if card else None,
                             location=(card.place or None) if card else None))
    return shown


# -- requests ---------------------------------------------------------------------------------------------


class MentorshipRequestSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    type = choice(MentoringType, required=True)
    status = choice(RequestStatus, required=True)
    message = ma.fields.String(required=True)
    mentee = ma.fields.Nested(MemberRef, required=True)
    mentor = ma.fields.Nested(MemberRef, required=True)
    created_at = UTCDateTime(required=True)
    responded_at = UTCDateTime(metadata={"description": "Absent while the request waits."})
    decline_reason = choice(DeclineReason, metadata={"description": "Only on a declined request."})
    response_note = ma.fields.String(metadata={"description": "The mentor's note, when they wrote one."})
    mentorship_id = ma.fields.Integer(metadata={"description": "The mentorship an accepted request started."})


def request_out(item: MentorshipRequest) -> dict:
    return present(id=item.id, type=item.type.value, status=item.status.value, message=item.message,
                   mentee=member(item.mentee), mentor=member(item.mentor), created_at=item.created_at,
                   responded_at=item.responded_at,
                   decline_reason=item.decline_reason.value if item.decline_reason else None,
                   response_note=item.response_note or None, mentorship_id=item.mentorship_id)


class RequestFilterArgs(PageArgs):
    direction = choice(("sent", "received"), load_default=None,
                       metadata={"description": "Only the requests you sent, or only those sent to you."})
    status = choice(RequestStatus, load_default=None)


@requests.route("")
@scope("read")
@requests.etag
@requests.arguments(RequestFilterArgs, location="query")
@requests.response(200, MentorshipRequestSchema(many=True), headers=LINK_HEADER)
def list_requests(args):
    """The mentorship requests you sent and received, newest first."""
    statement = mentorships.requests_statement(current_user)
    if args["direction"] == "sent":
        statement = statement.where(MentorshipRequest.mentee_id == current_user.id)
    elif args["direction"] == "received":
        statement = statement.where(MentorshipRequest.mentor_id == current_user.id)
    if args["status"]:
        statement = statement.where(MentorshipRequest.status == RequestStatus(args["status"]))
    page = keyset_page(db.session, statement, [(MentorshipRequest.created_at, True), (MentorshipRequest.id, True)],
                       lambda r: (r.created_at, r.id), args)
    return [request_out(item) for item in page.items], 200, page.headers


def _request_or_404(request_id: int, side: str | None = None, *, lock: bool = False) -> MentorshipRequest:
    item = mentorships.request_for(current_user, request_id, side, lock=lock)
    if item is None:
        abort(404, NO_SUCH_REQUEST)
    return item


@requests.route("/<int:request_id>")
@scope("read")
@requests.etag
@requests.response(200, MentorshipRequestSchema)
@requests.alt_response(404, **PROBLEM, description="No such request, or not one you sent or received.")
def get_request(request_id: int):
    """One mentorship request you sent or received."""
    return request_out(_request_or_404(request_id))


class NewMentorshipRequestSchema(ma.Schema):
    mentor_id = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 2**31 - 1))
    type = choice(MentoringType, required=True,
                  metadata={"description": "One of the kinds of mentoring the mentor offers."})
    message = Text(required=True, validate=ma.validate.Length(1, 2000, error="Use 1 to 2,000 characters."),
                   metadata={"description": "What you hope to work on, and how often you would like to meet."})
    confirm_no_phi = CONFIRM_NO_PHI


@requests.route("", methods=["POST"])
@scope("write")
@requests.arguments(NewMentorshipRequestSchema)
@requests.response(201, MentorshipRequestSchema)
@requests.alt_response(403, **PROBLEM, description="Only fellows ask, and only members who take mentees.")
@requests.alt_response(404, **PROBLEM, description="No such mentor.")
@requests.alt_response(409, **PROBLEM, description="Refused as the page refuses it: no place free, the kind not "
                       "taken, a mentor of that kind already, or the same request already waiting.")
def create_request(body):
    """Ask a mentor for mentoring of one kind; the mentor is told (notification and mail)."""
    if not can_look_for_mentors(current_user):
        abort(403, ONLY_FELLOWS)
    mentor = db.session.get(User, body["mentor_id"])
    if mentor is None or mentor.status != MemberStatus.VERIFIED or mentor.deleted_at is not None:
        abort(404, "There is no such member.")
    settings = mentorships.settings_of(mentor)
    if not can_ask_for_mentoring(current_user, mentor, open_to_mentees=settings is not None and settings.accepting):
        abort(403, f"{mentor.name} does not take mentees at the moment.")
    offered, _ = mentorships.request_types(current_user, settings)
    if body["type"] not in {t.value for t in offered}:
        flask_smorest.abort(422, messages={"json": {"type": [
            "Choose a kind of mentoring this mentor offers: " + ", ".join(t.value for t in offered) + "."]}})
    refuse_patient_identifiers(body, "message")
    try:
        item = services.send_request(current_user, mentor, MentoringType(body["type"]), body["message"])
    except services.MentorshipError as exc:
        abort(409, str(exc))
    db.session.commit()
    return request_out(item)


def _answer(item: MentorshipRequest, action, *args) -> dict:
    """Run a request's action on the (locked) request and commit once; 409 (with why) when its state refuses."""
    try:
        action(item, *args)
    except services.MentorshipError as exc:
        db.session.commit()  # an expiry noticed on the way is worth keeping, as on the page
        abort(409, str(exc))
    db.session.commit()
    return request_out(item)


ANSWER_CONFLICT = "The request is no longer waiting (already answered, withdrawn or expired), or no place is free."


@requests.route("/<int:request_id>/accept", methods=["POST"])
@scope("write")
@requests.response(200, MentorshipRequestSchema)
@requests.alt_response(404, **PROBLEM, description="No such request sent to you.")
@requests.alt_response(409, **PROBLEM, description=ANSWER_CONFLICT)
def accept_request(request_id: int):
    """Accept a request sent to you: the mentorship starts (``mentorship_id``), the mentee is told, and their
    other waiting requests of the kind are closed."""
    return _answer(_request_or_404(request_id, "mentor", lock=True), services.accept_request, current_user)


class MentorshipDeclineSchema(ma.Schema):
    reason = choice(DeclineReason, required=True)
    note = Text(load_default="", validate=ma.validate.Length(max=1000),
                metadata={"description": "Optional, told to the mentee."})
    confirm_no_phi = CONFIRM_NO_PHI


@requests.route("/<int:request_id>/decline", methods=["POST"])
@scope("write")
@requests.arguments(MentorshipDeclineSchema)
@requests.response(200, MentorshipRequestSchema)
@requests.alt_response(404, **PROBLEM, description="No such request sent to you.")
@requests.alt_response(409, **PROBLEM, description=ANSWER_CONFLICT)
def decline_request(body, request_id: int):
    """Decline a request sent to you, with a reason; the mentee is told (notification and mail)."""
    item = _request_or_404(request_id, "mentor", lock=True)
    refuse_patient_identifiers(body, "note")
    return _answer(item, services.decline_request, DeclineReason(body["reason"]), body["note"])


@requests.route("/<int:request_id>/withdraw", methods=["POST"])
@scope("write")
@requests.response(200, MentorshipRequestSchema)
@requests.alt_response(404, **PROBLEM, description="No such request sent by you.")
@requests.alt_response(409, **PROBLEM, description=ANSWER_CONFLICT)
def withdraw_request(request_id: int):
    """Withdraw a request you sent; the mentor is told."""
    return _answer(_request_or_404(request_id, "mentee", lock=True), services.withdraw_request)
