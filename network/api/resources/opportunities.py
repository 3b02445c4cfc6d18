"""``/api/v1/opportunities``: the board with its filters, one opportunity as its page shows it, posting one, and
what a member does with one (bookmark, interest, RSVP), through the same queries, forms, services and
notifications as the opportunity pages.

What a member does with an opportunity is a sub-resource of it, set with ``PUT`` and taken back with
``DELETE``: ``/opportunities/{id}/bookmark``, ``/opportunities/{id}/interest``, ``/opportunities/{id}/rsvp``.
"""

from __future__ import annotations

import zoneinfo

from flask import abort
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort as abort_with
from werkzeug.datastructures import MultiDict
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.fields import DateTimeLocalField

from network import permissions
from network.api.auth import scope
from network.api.blueprint import api_blueprint
from network.api.pagination import LINK_HEADER, keyset_page
from network.api.resources.opportunity_schemas import (
    BoardArgs,
    InterestSchema,
    InterestStateSchema,
    NewOpportunitySchema,
    OpportunitySchema,
    OpportunitySummarySchema,
    RsvpSchema,
    RsvpStateSchema,
)
from network.extensions import db
from network.forms import strip
from network.opportunities.forms import InterestForm, form_class, offer_terms
from network.opportunities.limits import posting_limit
from network.opportunities.models import Opportunity, OpportunityKind, RsvpStatus
from network.opportunities.queries.board import BoardFilters, board_list, board_order, board_order_key, tag_names
from network.opportunities.queries.opportunity import (
    attendees,
    interest_count,
    interested_members,
    load_opportunity,
    rsvp_counts,
    viewer_state,
)
from network.opportunities.services import OpportunityError, engagement, posting
from network.opportunities.services import rsvp as rsvp_services
from network.text import phi_guard
from network.types import utcnow

blp = api_blueprint("opportunities", __name__, "The opportunity board: jobs, research collaborations and events; "
                                               "posting them; your bookmarks, interest and RSVPs.")

NOT_FOUND = "There is no such opportunity, or it was taken down."
NOT_AN_EVENT = "Only events take RSVPs."
MAY_NOT_POST = "Your role may not post this kind of opportunity (fellows post research collaborations and conferences)."
INVALID = "Some values are not valid: see errors."


def _present(values: dict) -> dict:
    """The fields that have a value: an empty one is absent, not null."""
    return {name: value for name, value in values.items() if value is not None and value != ""}


def _credits(value) -> float | None:
    return float(value) if value is not None else None


def summary_json(row, dialect: str, now) -> dict:
    """A board row as the list gives it."""
    return {"id": row.id, "kind": str(row.kind), "status": str(row.status), "title": row.title,
            "work_mode": str(row.work_mode), "time_zone": row.time_zone, "past": Opportunity.is_past(row, now),
            "bookmarked": bool(row.saved), "interests": tag_names(row.tags, dialect), "created_at": row.created_at,
            **_present({"organisation": row.organisation, "location": row.location, "venue": row.venue,
                        "online_url": row.online_url, "deadline": row.deadline, "starts_at": row.starts_at,
                        "ends_at": row.ends_at, "cme_credits": _credits(row.cme_credits)})}


def _kind_fields(opportunity: Opportunity) -> dict:
    """The fields of the opportunity's kind (the others are not part of it, so absent)."""
    fields = set(posting.fields_for(opportunity.kind))
    values = {"employment_type": opportunity.employment_type, "salary_min": opportunity.salary_min,
              "salary_max": opportunity.salary_max,
              "practice_setting": opportunity.practice_setting.name if opportunity.practice_setting else None,
              "project_stage": opportunity.project_stage, "irb_status": opportunity.irb_status,
              "roles_sought": opportunity.roles_sought, "authorship": opportunity.authorship,
              "capacity": opportunity.capacity, "seats_left": opportunity.seats_left}
    wanted = {"practice_setting" if name == "practice_setting_id" else name for name in fields}
    if "capacity" in wanted:
        wanted.add("seats_left")
    return _present({name: str(value) if name in ("employment_type", "project_stage", "irb_status") and value
                     else value for name, value in values.items() if name in wanted})


def opportunity_json(opportunity: Opportunity) -> dict:
    """The opportunity as its page shows it to the caller: what they did with it, and for its poster (and
    administrators) who is interested and who answered."""
    state = viewer_state(current_user.id, opportunity.id)
    viewer = {"bookmarked": state.bookmarked, "interested": state.expression is not None}
    if state.expression is not None:
        viewer["interest_note"] = state.expression.note
    if state.rsvp is not None:
        viewer["rsvp"] = str(state.rsvp.status)
    body = {"id": opportunity.id, "kind": str(opportunity.kind), "status": str(opportunity.status),
            "title": opportunity.title, "work_mode": str(opportunity.work_mode), "time_zone": opportunity.time_zone,
            "past": opportunity.is_past(utcnow()), "bookmarked": state.bookmarked,
            "interests": [term.name for term in opportunity.interests],
            "specialties": [term.name for term in opportunity.specialties], "created_at": opportunity.created_at,
            "description": opportunity.description, "viewer": viewer,
            **_present({"organisation": opportunity.organisation, "location": opportunity.location,
                        "venue": opportunity.venue, "online_url": opportunity.online_url,
                        "deadline": opportunity.deadline, "starts_at": opportunity.starts_at,
                        "ends_at": opportunity.ends_at, "cme_credits": _credits(opportunity.cme_credits),
                        "apply_url": opportunity.apply_url, "apply_email": opportunity.apply_email}),
            **_kind_fields(opportunity)}
    if opportunity.poster is not None and opportunity.poster.deleted_at is None:
        body["poster"] = {"id": opportunity.poster.id, "name": opportunity.poster.name}
    if opportunity.is_event:
        body["rsvp_counts"] = rsvp_counts(opportunity.id)
    if permissions.can_see_interested(current_user, opportunity):
        body["interest_count"] = interest_count(opportunity.id)
        body["interested"] = [{"member": {"id": line.user.id, "name": line.user.name}, "note": line.expression.note,
                               "created_at": line.expression.created_at, **_present({"email": line.email})}
                              for line in interested_members(current_user.id, opportunity)]
        if opportunity.is_event:
            body["attendees"] = {status: [{"id": user.id, "name": user.name} for _, user in answers]
                                 for status, answers in attendees(opportunity).items()}
    return body


def opportunity_or_404(opportunity_id: int) -> Opportunity:
    """The opportunity with what its page shows, if the caller may see it (404 if not, as on the pages)."""
    opportunity = load_opportunity(opportunity_id)
    if not permissions.can_view_opportunity(current_user, opportunity):
        abort(404, NOT_FOUND)
    return opportunity


def _refuse(errors: dict):
    """A 422 naming each invalid field, with the form's own words."""
    abort_with(422, messages={"json": {name or "_schema": list(messages) for name, messages in errors.items()}},
               message=INVALID)


def _phi_errors(form) -> dict:
    """The check's words on each free-text field that tripped it (the form's, if none alone does)."""
    flagged = [name for name in form.phi_fields if phi_guard.check(form[name].data)]
    return {name: [form.phi.message] for name in flagged or ["_schema"]}


def _blank_sent(field) -> bool:
    """Whether a browser sends the field empty when left alone: a text box, or a list with an empty choice."""
    if isinstance(field, SelectField):
        return any((choice.value if hasattr(choice, "value") else choice[0]) == "" for choice in field.choices)
    return isinstance(field, StringField | IntegerField | DecimalField | DateField | DateTimeLocalField)


def _formdata(body: dict, form) -> MultiDict:
    """The JSON body as the posting form reads a submitted form: text, local dates in the time zone, and the
    fields it leaves out sent empty, as a browser sends a form's untouched fields."""
    zone = zoneinfo.ZoneInfo(body.get("time_zone", "UTC"))
    data = MultiDict({field.name: "" for field in form if field.name not in body and _blank_sent(field)})
    for name, value in body.items():
        if name in ("interests", "specialties"):
            data.setlist(name, [str(item) for item in value])
        elif name in ("starts_at", "ends_at"):
            data[name] = value.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S")
        elif name == "confirm_no_phi":
            if value:
                data[name] = "y"
        elif name != "kind":
            data[name] = value.isoformat() if name == "deadline" else str(value)
    return data


@blp.route("", endpoint="opportunities", methods=["GET"])
@scope("read")
@blp.etag
@blp.arguments(BoardArgs, location="query")
@blp.response(200, OpportunitySummarySchema(many=True), headers=LINK_HEADER)
@blp.alt_response(400, description="The cursor is not one this API gave out.")
def opportunities(args):
    """The board (or with ``archive=true`` its archive), filtered as on the board's page."""
    sort = args["sort"]
    # The words as the board's form filters them (trimmed, control characters folded: no NUL reaches the query).
    filters = BoardFilters(kinds=args["kind"], interest_ids=args["interest"], specialty_id=args["specialty"],
                           location=strip(args["location"]), work_mode=args["work_mode"],
                           deadline_days=args["deadline_days"], mine=args["mine"], q=strip(args["q"]), sort=sort)
    now = utcnow()
    statement = board_list(current_user.id, filters, now, archive=args["archive"])
    page = keyset_page(db.session, statement, board_order(sort), lambda row: board_order_key(sort, row), args,
                       scalars=False)
    dialect = db.session.get_bind().dialect.name
    return [summary_json(row, dialect, now) for row in page.items], 200, page.headers


# Its own endpoint (not a method of the list's): the posting limit marks the endpoint it decorates, and the
# limiter then checks that endpoint's blueprint limit (the token's allowance) only in the decorated view.
@blp.route("", endpoint="post", methods=["POST"])
@scope("write")
@posting_limit
@blp.arguments(NewOpportunitySchema)
@blp.response(201, OpportunitySchema)
@blp.alt_response(403, description="Your role may not post this kind (fellows: research and conferences).")
@blp.alt_response(422, description="A value the posting form refuses: see errors.")
@blp.alt_response(429, description="You are posting faster than the network allows.")
def post_opportunity(body):
    """Post an opportunity, validated as the posting form validates it."""
    kind = OpportunityKind(body["kind"])
    if not permissions.can_post_opportunity(current_user, kind):
        abort(403, MAY_NOT_POST)
    form = form_class(kind)(formdata=None, meta={"csrf": False})
    form.creating = True
    offer_terms(form)
    form.process(_formdata(body, form))
    foreign = sorted(set(body) - set(form._fields) - {"kind"})
    if foreign:
        _refuse({name: [f"A {kind.label.lower()} has no such field."] for name in foreign})
    if not form.validate():
        _refuse({name: messages for name, messages in form.errors.items() if name != "submit"})
    if form.holds_patient_identifiers():
        _refuse(_phi_errors(form))
    try:
        opportunity = posting.create_opportunity(current_user, kind, form.values(), form.interests.data,
                                                  form.specialties.data)
    except OpportunityError as error:
        db.session.rollback()
        _refuse({error.field: [error.message]})
    db.session.commit()
    return opportunity_json(load_opportunity(opportunity.id))


@blp.route("/<int:opportunity_id>", endpoint="opportunity")
class OneOpportunity(MethodView):
    @scope("read")
    @blp.etag
    @blp.response(200, OpportunitySchema)
    @blp.alt_response(404, description=NOT_FOUND)
    def get(self, opportunity_id: int):
        """One opportunity as its page shows it to you."""
        return opportunity_json(opportunity_or_404(opportunity_id))


@blp.route("/<int:opportunity_id>/bookmark", endpoint="bookmark")
class Bookmark(MethodView):
    @scope("write")
    @blp.response(204)
    @blp.alt_response(404, description=NOT_FOUND)
    def put(self, opportunity_id: int):
        """Bookmark it (its deadline joins your calendar feed); bookmarking it again changes nothing."""
        engagement.bookmark(current_user.id, opportunity_or_404(opportunity_id))
        db.session.commit()

    @scope("write")
    @blp.response(204)
    @blp.alt_response(404, description=NOT_FOUND)
    def delete(self, opportunity_id: int):
        """Remove your bookmark (if there is none, nothing changes)."""
        engagement.unbookmark(current_user.id, opportunity_or_404(opportunity_id))
        db.session.commit()


@blp.route("/<int:opportunity_id>/interest", endpoint="interest")
class Interest(MethodView):
    @scope("write")
    @blp.arguments(InterestSchema)
    @blp.response(200, InterestStateSchema)
    @blp.alt_response(404, description=NOT_FOUND)
    @blp.alt_response(409, description="It is your own, or it is closed or past.")
    @blp.alt_response(422, description="The note is too long or holds patient identifiers.")
    def put(self, body, opportunity_id: int):
        """Say you are interested, with a note (or change the note); the poster is told the first time."""
        opportunity = opportunity_or_404(opportunity_id)
        formdata = MultiDict({"note": body["note"], **({"confirm_no_phi": "y"} if body["confirm_no_phi"] else {})})
        form = InterestForm(formdata=formdata, meta={"csrf": False})
        if not form.validate():
            _refuse(form.errors)
        if form.holds_patient_identifiers():
            _refuse(_phi_errors(form))
        try:
            expression = engagement.express_interest(current_user, opportunity, form.note.data or "")
        except OpportunityError as error:
            db.session.rollback()
            abort(error.status, error.message)
        db.session.commit()
        return {"note": expression.note, "created_at": expression.created_at}

    @scope("write")
    @blp.response(204)
    @blp.alt_response(404, description=NOT_FOUND)
    def delete(self, opportunity_id: int):
        """Take back your "I'm interested" (if there is none, nothing changes)."""
        engagement.withdraw_interest(current_user.id, opportunity_or_404(opportunity_id))
        db.session.commit()


@blp.route("/<int:opportunity_id>/rsvp", endpoint="rsvp")
class Rsvp(MethodView):
    @scope("write")
    @blp.arguments(RsvpSchema)
    @blp.response(200, RsvpStateSchema)
    @blp.alt_response(404, description="No such event (only events take RSVPs).")
    @blp.alt_response(409, description="The event is closed or over.")
    def put(self, body, opportunity_id: int):
        """Answer an event going, maybe or not going; "going" to a full event puts you on its waitlist."""
        opportunity = opportunity_or_404(opportunity_id)
        if not opportunity.is_event:
            abort(404, NOT_AN_EVENT)
        try:
            answer = rsvp_services.respond(current_user, opportunity, RsvpStatus(body["status"]))
        except OpportunityError as error:
            db.session.rollback()
            abort(error.status, error.message)
        db.session.commit()
        return {"status": str(answer.status), "responded_at": answer.responded_at}
