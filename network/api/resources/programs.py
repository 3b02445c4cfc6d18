"""``/api/v1/programs`` and ``/api/v1/cohorts``: the programs pages for the people who run them.

The programs a member runs (all of them for administrators), each program's cohorts, a cohort's roster and its
invitations, and inviting people to a cohort. The same rules as the pages, through the same functions: faculty and
administrators reach these operations at all (``can_list_programs``, 403 for everyone else), and a program or cohort
its caller does not run is not found (404), whoever ran it before or runs another program. Inviting goes through
the roster page's service, so the consent rule holds: people are invited, and join only by accepting.
"""

from __future__ import annotations

from functools import wraps

import marshmallow as ma
from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.api.auth import scope
from network.api.blueprint import api_blueprint
from network.api.pagination import LINK_HEADER, PageArgs, keyset_page
from network.api.schemas import UTCDateTime
from network.cohorts import queries, services
from network.cohorts.forms import invitation_addresses_problem, unique_addresses
from network.cohorts.models import Invitation, InvitationStatus
from network.cohorts.routes.loading import cohort_or_404
from network.extensions import db
from network.permissions import can_list_programs, can_manage_program
from network.profiles.privacy import emails_shown
from network.programs.models import Cohort, CohortRole, Program, ProgramRole, ProgramStaff
from network.programs.services import program_overview, programs_for
from network.types import utcnow

blp = api_blueprint("programs", __name__, "The programs you run (all of them for administrators) and their cohorts.")
cohorts = api_blueprint("cohorts", __name__, "A cohort you run: its roster, its invitations, and inviting people "
                                             "(who join only by accepting).")

NOT_STAFF = "Programs are run by faculty and administrators: this account runs none."
NOTHING_NEW = ("Everyone listed is in the cohort already or holds a valid invitation: nothing was sent "
               "(an invitation can be resent from the roster page).")

COHORT_ROLES = [role.value for role in CohortRole]
MEMBER_ROLES = ["fellow", "alumni", "faculty", "admin"]
STATES = [state.value for state in InvitationStatus]


def program_staff(view):
    """Faculty and administrators only (403 for anyone else), as on the programs pages."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not can_list_programs(current_user):
            abort(403, NOT_STAFF)
        return view(*args, **kwargs)

    return wrapped


# -- schemas ---------------------------------------------------------------------


class ProgramStaffMemberSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"description": "The staff member's member id."})
    name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"enum": [role.value for role in ProgramRole]})


class StaffProgramSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True, metadata={"description": "The program's part of its page's address."})
    name = ma.fields.String(required=True)
    institution = ma.fields.String(required=True)
    city = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    created_at = UTCDateTime(required=True)


class StaffProgramDetailSchema(StaffProgramSchema):
    staff = ma.fields.List(ma.fields.Nested(ProgramStaffMemberSchema), required=True,
                           metadata={"description": "Who runs the program, by role."})
    alumni = ma.fields.Integer(required=True, metadata={"description": "Fellows of its cohorts who are alumni now."})


class CohortCountsSchema(ma.Schema):
    fellows = ma.fields.Integer(required=True)
    faculty = ma.fields.Integer(required=True, metadata={"description": "Faculty advisors of the cohort."})
    alumni = ma.fields.Integer(required=True, metadata={"description": "Of the fellows, those who are alumni now."})


class StaffCohortSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    program_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True)
    graduated_at = UTCDateTime(metadata={"description": "When the class graduated; absent while it has not."})
    counts = ma.fields.Nested(CohortCountsSchema, required=True)


class CohortInvitationStatesSchema(ma.Schema):
    sent = ma.fields.Integer(required=True, metadata={"description": "Sent and still valid."})
    accepted = ma.fields.Integer(required=True)
    expired = ma.fields.Integer(required=True)
    revoked = ma.fields.Integer(required=True)


class StaffCohortDetailSchema(StaffCohortSchema):
    invitations = ma.fields.Nested(CohortInvitationStatesSchema, required=True,
                                   metadata={"description": "How many invitations are in each state."})


class RosterMemberSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"description": "The member's id."})
    name = ma.fields.String(required=True)
    email = ma.fields.Email(metadata={"description": "Present only where the member's profile shows it to you."})
    role = ma.fields.String(required=True, metadata={"enum": COHORT_ROLES,
                                                     "description": "Fellow, or faculty advisor, of the cohort."})
    member_role = ma.fields.String(required=True, metadata={"enum": MEMBER_ROLES,
                                                            "description": "The member's role in the network now."})
    training_background = ma.fields.String(metadata={"description": "Absent when the member gave none."})
    joined_at = UTCDateTime(required=True)


class CohortInvitationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    name = ma.fields.String(metadata={"description": "The name it was sent to, when one was given."})
    role = ma.fields.String(required=True, metadata={"enum": COHORT_ROLES})
    state = ma.fields.String(required=True, metadata={"enum": STATES, "description": "A sent invitation past its "
                                                                                      "expiry is expired."})
    created_at = UTCDateTime(required=True)
    sent_at = UTCDateTime(required=True)
    expires_at = UTCDateTime(required=True)
    accepted_at = UTCDateTime(metadata={"description": "Present once accepted."})


class CohortInvitationArgs(PageArgs):
    state = ma.fields.String(load_default=None, validate=ma.validate.OneOf(STATES),
                             metadata={"description": "Only the invitations in this state."})


class CohortInviteSchema(ma.Schema):
    emails = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(1, 254), metadata={"format": "email"}), required=True,
        validate=ma.validate.Length(1, 50),
        metadata={"description": "The addresses to invite (at most 50; the same rule as the roster page's form)."})
    role = ma.fields.String(load_default="fellow", validate=ma.validate.OneOf(COHORT_ROLES),
                            metadata={"description": "Their role in the cohort."})

    @ma.validates("emails")
    def valid_addresses(self, value, **kwargs):
        addresses = unique_addresses(value)
        problem = invitation_addresses_problem(addresses) if addresses else "Enter at least one email address."
        if problem:
            raise ma.ValidationError(problem)


class CohortInviteResultSchema(ma.Schema):
    invited = ma.fields.List(ma.fields.Nested(CohortInvitationSchema), required=True,
                             metadata={"description": "The invitations sent now, each mailed its own link."})
    skipped = ma.fields.List(ma.fields.String(), required=True,
                             metadata={"description": "Addresses not invited: in the cohort already, or holding "
                                                      "a valid invitation."})


# -- what the schemas are built from ---------------------------------------------


def _program_fields(program: Program) -> dict:
    return {"id": program.id, "slug": program.slug, "name": program.name, "institution": program.institution,
            "city": program.city, "description": program.description, "created_at": program.created_at}


def _cohort_fields(cohort: Cohort, counts: dict) -> dict:
    fields = {"id": cohort.id, "program_id": cohort.program_id, "name": cohort.name, "start_date": cohort.start_date,
              "end_date": cohort.end_date,
              "counts": counts.get(cohort.id) or {"fellows": 0, "faculty": 0, "alumni": 0}}
    if cohort.graduated_at is not None:
        fields["graduated_at"] = cohort.graduated_at
    return fields


def _invitation_fields(invitation: Invitation, now) -> dict:
    fields = {"id": invitation.id, "email": invitation.email, "role": invitation.role.value,
              "state": invitation.state(now).value, "created_at": invitation.created_at,
              "sent_at": invitation.sent_at, "expires_at": invitation.expires_at}
    if invitation.name:
        fields["name"] = invitation.name
    if invitation.accepted_at is not None:
        fields["accepted_at"] = invitation.accepted_at
    return fields


def _program_or_404(program_id: int) -> Program:
    """The program if the caller runs it; 404 otherwise, as the program's page answers."""
    program = db.get_or_404(Program, program_id)
    if not can_manage_program(current_user, program):
        abort(404)
    return program


def _counts(program_counts: dict) -> dict:
    """``program_overview``'s counts as the cohort schema names them."""
    return {cohort_id: {"fellows": n["fellow"], "faculty": n["faculty"], "alumni": n["alumni"]}
            for cohort_id, n in program_counts.items()}


# -- programs --------------------------------------------------------------------


@blp.route("")
@scope("read")
@program_staff
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, StaffProgramSchema(many=True), headers=LINK_HEADER)
@blp.alt_response(403, response="FORBIDDEN", description="Not faculty or an administrator.")
def programs(args):
    """The programs you run, by name (every program for administrators)."""
    page = keyset_page(db.session, programs_for(current_user).order_by(None),
                       [(Program.name, False), (Program.id, False)], lambda p: (p.name, p.id), args)
    return [_program_fields(program) for program in page.items], 200, page.headers


@blp.route("/<int:program_id>")
@scope("read")
@program_staff
@blp.etag
@blp.response(200, StaffProgramDetailSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not faculty or an administrator.")
@blp.alt_response(404, response="NOT_FOUND", description="No such program, or you do not run it.")
def program(program_id: int):
    """A program you run, with its staff, as its page shows them."""
    found = _program_or_404(program_id)
    staff = db.session.scalars(select(ProgramStaff).where(ProgramStaff.program_id == found.id)
                               .options(selectinload(ProgramStaff.user))
                               .order_by(ProgramStaff.role, ProgramStaff.id)).all()
    return {**_program_fields(found), "alumni": program_overview(found)["alumni"],
            "staff": [{"id": s.user_id, "name": s.user.name, "role": s.role.value} for s in staff]}


@blp.route("/<int:program_id>/cohorts")
@scope("read")
@program_staff
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, StaffCohortSchema(many=True), headers=LINK_HEADER)
@blp.alt_response(403, response="FORBIDDEN", description="Not faculty or an administrator.")
@blp.alt_response(404, response="NOT_FOUND", description="No such program, or you do not run it.")
def program_cohorts(args, program_id: int):
    """A program's cohorts, the latest to start first, each with its counts."""
    found = _program_or_404(program_id)
    page = keyset_page(db.session, select(Cohort).where(Cohort.program_id == found.id),
                       [(Cohort.start_date, True), (Cohort.id, True)], lambda c: (c.start_date, c.id), args)
    counts = _counts(program_overview(found)["cohorts"]) if page.items else {}
    return [_cohort_fields(cohort, counts) for cohort in page.items], 200, page.headers


# -- cohorts ---------------------------------------------------------------------


@cohorts.route("/<int:cohort_id>")
@scope("read")
@program_staff
@cohorts.etag
@cohorts.response(200, StaffCohortDetailSchema)
@cohorts.alt_response(403, response="FORBIDDEN", description="Not faculty or an administrator.")
@cohorts.alt_response(404, response="NOT_FOUND", description="No such cohort, or you do not run its program.")
def cohort(cohort_id: int):
    """A cohort you run: its dates, its counts, and how many invitations are in each state."""
    found = cohort_or_404(cohort_id)
    counts = _counts(program_overview(found.program)["cohorts"])
    return {**_cohort_fields(found, counts), "invitations": queries.invitation_states(found, utcnow())}


@cohorts.route("/<int:cohort_id>/members")
@scope("read")
@program_staff
@cohorts.etag
@cohorts.arguments(PageArgs, location="query")
@cohorts.response(200, RosterMemberSchema(many=True), headers=LINK_HEADER)
@cohorts.alt_response(403, response="FORBIDDEN", description="Not faculty or an administrator.")
@cohorts.alt_response(404, response="NOT_FOUND", description="No such cohort, or you do not run its program.")
def roster(args, cohort_id: int):
    """The cohort's roster, in the roster page's order.

    A member's email is present only where their profile shows it to you."""
    found = cohort_or_404(cohort_id)
    page = keyset_page(db.session, queries.roster(found), list(queries.ROSTER_ORDER),
                       lambda m: (m.role.value, m.joined_at, m.id), args)
    shown = emails_shown(current_user.id, [membership.user_id for membership in page.items])
    members = []
    for membership in page.items:
        user = membership.user
        entry = {"id": user.id, "name": user.name, "role": membership.role.value, "member_role": user.role.value,
                 "joined_at": membership.joined_at}
        if user.id in shown:
            entry["email"] = user.email
        if user.training_background is not None:
            entry["training_background"] = user.training_background.name
        members.append(entry)
    return members, 200, page.headers


@cohorts.route("/<int:cohort_id>/invitations")
@scope("read")
@program_staff
@cohorts.etag
@cohorts.arguments(CohortInvitationArgs, location="query")
@cohorts.response(200, CohortInvitationSchema(many=True), headers=LINK_HEADER)
@cohorts.alt_response(403, response="FORBIDDEN", description="Not faculty or an administrator.")
@cohorts.alt_response(404, response="NOT_FOUND", description="No such cohort, or you do not run its program.")
def invitations(args, cohort_id: int):
    """The cohort's invitations, newest first, in one state or all, as on the roster page."""
    found = cohort_or_404(cohort_id)
    now = utcnow()
    page = keyset_page(db.session, queries.invitations(found, now, args["state"]), list(queries.INVITATIONS_ORDER),
                       lambda i: (i.created_at, i.id), args)
    return [_invitation_fields(invitation, now) for invitation in page.items], 200, page.headers


@cohorts.route("/<int:cohort_id>/invitations", methods=["POST"])
@scope("roster")
@program_staff
@cohorts.arguments(CohortInviteSchema)
@cohorts.response(201, CohortInviteResultSchema)
@cohorts.alt_response(403, response="FORBIDDEN", description="Not faculty or an administrator.")
@cohorts.alt_response(404, response="NOT_FOUND", description="No such cohort, or you do not run its program.")
@cohorts.alt_response(409, response="CONFLICT",
                      description="The class has graduated, or everyone listed is in it or invited already.")
def invite(body, cohort_id: int):
    """Invite people to the cohort, who join only by accepting.

    Each address is mailed its own link, as from the roster page; members who have an account already are
    invited too, and join the cohort only when they accept. Addresses in the cohort already or holding a valid
    invitation are skipped (a 409 when that leaves nobody)."""
    found = cohort_or_404(cohort_id)
    try:
        invited, skipped = services.invite_new(found, unique_addresses(body["emails"]), body["role"], current_user)
    except services.InvitationError as exc:
        abort(409, str(exc))
    if not invited:
        abort(409, NOTHING_NEW)
    db.session.commit()
    now = utcnow()
    sent = db.session.scalars(queries.invitations(found, now, InvitationStatus.SENT)
                              .where(Invitation.email.in_(invited)).order_by(Invitation.id)).all()
    return {"invited": [_invitation_fields(invitation, now) for invitation in sent], "skipped": skipped}
