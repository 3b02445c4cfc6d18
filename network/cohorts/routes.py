"""Running a cohort: roster and invitations, CSV import, dashboard and exports, graduation,
and the public page where an invited person accepts."""

from __future__ import annotations

import csv
import io
import logging
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from network.access import permission_required, public
from network.auth.sessions import end_session, start_session
from network.cohorts import charts, imports, services
from network.cohorts import roster as roster_csv
from network.cohorts.dashboard import NEEDS, TYPES, build
from network.cohorts.forms import AcceptInvitationForm, GraduateForm, InviteForm, PlaceMemberForm, RosterUploadForm
from network.cohorts.models import Invitation, InvitationStatus, RosterImport
from network.confirmation import confirmation_page, confirmed
from network.downloads import private_file
from network.errors import handle_http_error
from network.extensions import configured_limit, db, limiter, member_key
from network.integers import int_arg
from network.members.models import User, normalize_email
from network.mentorship.models import Mentorship
from network.permissions import can_list_programs, can_manage_cohort, can_place_in_cohort
from network.programs.models import Cohort, CohortMembership, CohortRole
from network.text.words import plural
from network.types import utcnow

bp = Blueprint("cohorts", __name__)
log = logging.getLogger(__name__)

#: Each roster file is parsed and checked against the members table, so uploads are limited per member.
roster_upload_limit = limiter.limit(
    configured_limit("ROSTER_UPLOAD_RATE_LIMIT"),
    key_func=member_key, methods=["POST"],
    error_message="you are uploading roster files faster than the network allows; wait a while, then try again")


def _cohort_or_404(cohort_id: int) -> Cohort:
    """The cohort if the viewer manages its program; 404 otherwise (others need not know it exists)."""
    cohort = db.first_or_404(select(Cohort).where(Cohort.id == cohort_id).options(joinedload(Cohort.program)))
    if not can_manage_cohort(current_user, cohort):
        abort(404)
    return cohort


INVITATIONS_PER_PAGE = 50


def _invitation_page(cohort: Cohort, now):
    """State counts (one query) and one page of invitations, newest first, filtered by ``?state=``."""
    expired = (Invitation.status == InvitationStatus.SENT) & (Invitation.expires_at <= now)
    states = {state.value: 0 for state in InvitationStatus}
    for status, count, past_expiry in db.session.execute(
            select(Invitation.status, func.count(), func.sum(case((Invitation.expires_at <= now, 1), else_=0)))
            .where(Invitation.cohort_id == cohort.id).group_by(Invitation.status)).all():
        if status == InvitationStatus.SENT:
            states[InvitationStatus.EXPIRED.value] += past_expiry or 0
            count -= past_expiry or 0
        states[str(status)] += count
    state = request.args.get("state") or None
    page = int_arg("page", 1)
    if state not in (None, *states) or page < 1:
        abort(400)
    query = select(Invitation).where(Invitation.cohort_id == cohort.id)
    if state == InvitationStatus.EXPIRED:
        query = query.where(expired)
    elif state == InvitationStatus.SENT:
        query = query.where(Invitation.status == InvitationStatus.SENT, Invitation.expires_at > now)
    elif state:
        query = query.where(Invitation.status == InvitationStatus(state))
    invitations = db.session.scalars(query.order_by(Invitation.created_at.desc(), Invitation.id.desc())
                                     .limit(INVITATIONS_PER_PAGE).offset((page - 1) * INVITATIONS_PER_PAGE)).all()
    total = states[state] if state else sum(states.values())
    return states, invitations, state, page, max(1, -(-total // INVITATIONS_PER_PAGE))


def _roster_page(cohort: Cohort, invite_form: InviteForm | None = None, status: int = 200,
                 place_form: PlaceMemberForm | None = None):
    members = db.session.scalars(
        select(CohortMembership).where(CohortMembership.cohort_id == cohort.id)
        .options(joinedload(CohortMembership.user).joinedload(User.training_background))
        .order_by(CohortMembership.role.desc(), CohortMembership.joined_at)).all()
    now = utcnow()
    states, invitations, state, page, pages = _invitation_page(cohort, now)
    return render_template("cohorts/roster.html", cohort=cohort, members=members, invitations=invitations,
                           now=now, states=states, state=state, page=page, pages=pages,
                           invite_form=invite_form or InviteForm(prefix="invite"),
                           place_form=place_form or (PlaceMemberForm(prefix="place")
                                                     if can_place_in_cohort(current_user) else None),
                           graduation=services.latest_graduation(cohort),
                           imports=db.session.execute(imports.recent_imports(cohort)).all()), status


@bp.route("/cohorts/<int:cohort_id>")
@permission_required(can_list_programs)
def roster(cohort_id: int):
    """The cohort's roster, its invitations and their states."""
    return _roster_page(_cohort_or_404(cohort_id))


@bp.route("/cohorts/<int:cohort_id>/invitations", methods=["POST"])
@permission_required(can_list_programs)
def invite(cohort_id: int):
    """Invite one or many addresses with a role."""
    cohort = _cohort_or_404(cohort_id)
    if (refused := _refuse_if_graduated(cohort)) is not None:
        return refused
    form = InviteForm(prefix="invite")
    if not form.validate_on_submit():
        return _roster_page(cohort, form, 400)
    in_cohort, waiting = services.roster_emails(cohort), services.live_invitation_emails(cohort)
    fresh = [a for a in form.addresses() if a not in in_cohort and a not in waiting]
    skipped = [a for a in form.addresses() if a not in fresh]
    if fresh:
        services.invite_many(cohort, [{"email": a, "role": form.role.data} for a in fresh], current_user)
        db.session.commit()
        flash(f"{plural(len(fresh), 'invitation')} sent. Each link works once and for 7 days; people who already have "
              "an account join the cohort only when they accept.", "success")
    if skipped:
        flash("Not invited again (already in the cohort or with a valid invitation): " + ", ".join(skipped), "warning")
    return redirect(url_for("cohorts.roster", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/placements", methods=["POST"])
@permission_required(can_place_in_cohort)
def place_member(cohort_id: int):
    """Administrators: put an existing member in the cohort without an invitation (audited; they are told)."""
    cohort = _cohort_or_404(cohort_id)
    if (refused := _refuse_if_graduated(cohort)) is not None:
        return refused
    form = PlaceMemberForm(prefix="place")
    if not form.validate_on_submit():
        return _roster_page(cohort, place_form=form, status=400)
    member = db.session.scalars(select(User).where(User.email == normalize_email(form.email.data))).first()
    if member is None or not (member.is_verified and member.is_active):
        form.email.errors.append(f"No verified member has the email {form.email.data}. "
                                 "Invite them instead: they join when they accept.")
        return _roster_page(cohort, place_form=form, status=400)
    try:
        services.place_member(cohort, member, CohortRole(form.role.data), current_user)
    except services.InvitationError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("cohorts.roster", cohort_id=cohort.id)), 409
    db.session.commit()
    log.info("member %s placed in cohort %s by %s", member.id, cohort.id, current_user.id)
    flash(f"{member.name} is now in {cohort.name}; they were told, and the placement is in the audit log.",
          "success")
    return redirect(url_for("cohorts.roster", cohort_id=cohort.id))


def _refuse_if_graduated(cohort: Cohort):
    """A graduated class takes no new members: 409 with the reason, back on the roster; else None."""
    try:
        services.ensure_open(cohort)
    except services.InvitationError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("cohorts.roster", cohort_id=cohort.id)), 409
    return None


def _invitation_or_404(cohort: Cohort, invitation_id: int) -> Invitation:
    invitation = db.get_or_404(Invitation, invitation_id)
    if invitation.cohort_id != cohort.id:
        abort(404)
    return invitation


@bp.route("/cohorts/<int:cohort_id>/invitations/<int:invitation_id>/resend", methods=["POST"])
@permission_required(can_list_programs)
def resend_invitation(cohort_id: int, invitation_id: int):
    """Mail a fresh link (valid 7 more days); the old link stops working."""
    return _invitation_action(cohort_id, invitation_id, services.resend,
                              "A new link was sent to {email}; the previous one no longer works.")


@bp.route("/cohorts/<int:cohort_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@permission_required(can_list_programs)
def revoke_invitation(cohort_id: int, invitation_id: int):
    """Withdraw an invitation that was not used yet, once the staff member confirms."""
    return _invitation_action(cohort_id, invitation_id, services.revoke, "The invitation to {email} was revoked.",
                              confirmation=_confirm_revocation)


def _confirm_revocation(cohort: Cohort, invitation: Invitation):
    return confirmation_page(
        title=f"Revoke the invitation to {invitation.email}?",
        consequences=f"The link mailed to {invitation.email} stops working at once, so they cannot join "
                     f"{cohort.name} with it. To invite them later you send a new invitation.",
        button="Revoke the invitation", cancel=url_for("cohorts.roster", cohort_id=cohort.id))


def _invitation_action(cohort_id: int, invitation_id: int, action, done: str, confirmation=None):
    """Apply ``action`` to one invitation of the cohort; 409 with the reason when it no longer applies.
    ``confirmation(cohort, invitation)`` first asks, while the invitation can still be used."""
    cohort = _cohort_or_404(cohort_id)
    invitation = _invitation_or_404(cohort, invitation_id)
    if confirmation is not None and invitation.status == InvitationStatus.SENT and not confirmed():
        return confirmation(cohort, invitation)
    try:
        action(invitation, current_user)
    except services.InvitationError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("cohorts.roster", cohort_id=cohort.id)), 409
    db.session.commit()
    flash(done.format(email=invitation.email), "success")
    return redirect(url_for("cohorts.roster", cohort_id=cohort.id))


# -- CSV roster import ---------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@roster_upload_limit
@permission_required(can_list_programs)
def import_roster(cohort_id: int):
    """Step 1: upload a CSV roster; it is checked and kept for the preview, nothing is imported yet."""
    cohort = _cohort_or_404(cohort_id)
    if (refused := _refuse_if_graduated(cohort)) is not None:
        return refused
    form = RosterUploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.roster.data
        if upload is None or not getattr(upload, "filename", ""):
            form.roster.errors.append("Choose a CSV file to upload.")
            status = 400
        else:
            try:
                data = upload.read(roster_csv.MAX_BYTES + 1)
            finally:
                upload.close()  # a large upload is spooled to a temporary file: release it now
            try:
                staged = imports.stage(cohort, data, upload.filename, current_user)
            except roster_csv.RosterFileError as exc:
                form.roster.errors.append(str(exc))
                status = 413 if len(data) > roster_csv.MAX_BYTES else 400
            else:
                db.session.commit()
                return redirect(url_for("cohorts.import_preview", cohort_id=cohort.id, import_id=staged.id))
    elif form.is_submitted():
        status = 400
    return render_template("cohorts/import.html", cohort=cohort, form=form), status


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A roster over MAX_CONTENT_LENGTH is refused while the form is read, before the view (and the access
    checks) run, so it cannot show the form itself: it goes back to it, with the roster limit."""
    if request.endpoint != "cohorts.import_roster":
        return handle_http_error(error)
    flash(f"{roster_csv.TOO_LARGE} Nothing was imported.", "danger")
    return redirect(url_for("cohorts.import_roster", **request.view_args), 303)


def _staged_or_404(cohort: Cohort, import_id: int) -> RosterImport:
    staged = db.get_or_404(RosterImport, import_id)
    if staged.cohort_id != cohort.id:
        abort(404)
    return staged


@bp.route("/cohorts/<int:cohort_id>/import/<int:import_id>")
@permission_required(can_list_programs)
def import_preview(cohort_id: int, import_id: int):
    """Step 2: every row with its problems, and what importing will do; step 3: the summary."""
    cohort = _cohort_or_404(cohort_id)
    staged = _staged_or_404(cohort, import_id)
    return render_template("cohorts/import_preview.html", cohort=cohort, staged=staged,
                           counts=roster_csv.counts(staged.rows), roster=roster_csv)


@bp.route("/cohorts/<int:cohort_id>/import/<int:import_id>", methods=["POST"])
@permission_required(can_list_programs)
def run_import(cohort_id: int, import_id: int):
    """Import the valid rows: each becomes an invitation; existing members join only when they accept."""
    cohort = _cohort_or_404(cohort_id)
    staged = _staged_or_404(cohort, import_id)
    try:
        summary = imports.run_import(staged, cohort, current_user)
    except services.InvitationError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("cohorts.import_preview", cohort_id=cohort.id, import_id=staged.id)), 409
    db.session.commit()
    log.info("roster import %s into cohort %s by %s", staged.id, cohort.id, current_user.id)
    flash(f"Imported: {summary['invited']} invited ({summary['members_invited']} of them already members, who "
          f"join when they accept), {len(summary['skipped'])} skipped.", "success")
    return redirect(url_for("cohorts.import_preview", cohort_id=cohort.id, import_id=staged.id))


# -- dashboard and exports -----------------------------------------------------------


def _filters():
    kind = request.args.get("type") or None
    if kind not in (None, *[t.value for t in TYPES]):
        abort(400)
    return kind, request.args.get("attention") == "1"


@bp.route("/cohorts/<int:cohort_id>/dashboard")
@permission_required(can_list_programs)
def dashboard(cohort_id: int):
    """Coverage, overdue mentorships, activity by month and ratings, as charts and tables."""
    cohort = _cohort_or_404(cohort_id)
    kind, attention = _filters()
    data = build(cohort, date.today(), kind, attention)
    return render_template("cohorts/dashboard.html", cohort=cohort, data=data, types=TYPES, charts=charts.CHARTS,
                           today=date.today())


@bp.route("/cohorts/<int:cohort_id>/charts/<name>.svg")
@permission_required(can_list_programs)
def chart(cohort_id: int, name: str):
    """One dashboard chart as an SVG image."""
    cohort = _cohort_or_404(cohort_id)
    if name not in charts.CHARTS:
        abort(404)
    svg = charts.render(name, build(cohort, date.today(), parts=NEEDS[name]))
    response = Response(svg, mimetype="image/svg+xml")
    # Shown as an image (so no script could run anyway); pygal styles the chart with an inline <style>.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_response(filename: str, header: list[str], rows) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return private_file(buffer.getvalue(), "text/csv", filename)


def _file_stem(cohort: Cohort) -> str:
    # The name as written (any script): private_file encodes it for the header.
    return f"{cohort.program.slug}-{cohort.name.lower().replace(' ', '-')}"


@bp.route("/cohorts/<int:cohort_id>/roster.csv")
@permission_required(can_list_programs)
def export_roster(cohort_id: int):
    """The roster as CSV."""
    cohort = _cohort_or_404(cohort_id)
    members = db.session.scalars(
        select(CohortMembership).where(CohortMembership.cohort_id == cohort.id)
        .options(joinedload(CohortMembership.user).joinedload(User.training_background))
        .order_by(CohortMembership.role.desc(), CohortMembership.joined_at)).all()
    return _csv_response(f"{_file_stem(cohort)}-roster.csv",
                         ["name", "email", "role in cohort", "member role", "training background", "joined"],
                         ([m.user.name, m.user.email, m.role.value, m.user.role.value,
                           m.user.training_background.name if m.user.training_background else "",
                           m.joined_at.date().isoformat()] for m in members))


@bp.route("/cohorts/<int:cohort_id>/mentorships.csv")
@permission_required(can_list_programs)
def export_mentorships(cohort_id: int):
    """The cohort's fellows' mentorships as CSV: type, mentor, dates, rating; never notes or comments."""
    cohort = _cohort_or_404(cohort_id)
    fellow_ids = (select(CohortMembership.user_id).where(CohortMembership.cohort_id == cohort.id,
                                                         CohortMembership.role == CohortRole.FELLOW)
                  .scalar_subquery())
    mentorships = db.session.scalars(
        select(Mentorship).where(Mentorship.mentee_id.in_(fellow_ids))
        .options(selectinload(Mentorship.mentee), selectinload(Mentorship.mentor))
        .order_by(Mentorship.mentee_id, Mentorship.type, Mentorship.started_at)).all()
    today = date.today()
    return _csv_response(f"{_file_stem(cohort)}-mentorships.csv",
                         ["fellow", "type", "mentor", "status", "started", "ended", "last meeting", "overdue",
                          "rating"],
                         ([m.mentee.name, m.type.value, m.mentor.name, m.status.value, m.started_at.date().isoformat(),
                           m.ended_at.date().isoformat() if m.ended_at else "",
                           m.last_met_on.isoformat() if m.last_met_on else "", "yes" if m.is_overdue(today) else "no",
                           m.rating or ""] for m in mentorships))


# -- graduation ------------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/graduate", methods=["GET", "POST"])
@permission_required(can_list_programs)
def graduate(cohort_id: int):
    """Graduate the class: fellows become alumni, optionally completing their mentorships."""
    cohort = _cohort_or_404(cohort_id)
    form = GraduateForm(end_date=cohort.end_date, today=utcnow().date())
    if cohort.is_graduated:
        if request.method == "POST":
            flash(f"{cohort.name} graduated already.", "warning")
            return redirect(url_for("cohorts.roster", cohort_id=cohort.id)), 409
        return redirect(url_for("cohorts.roster", cohort_id=cohort.id))
    if form.validate_on_submit():
        result = services.graduate(cohort, current_user, bool(form.complete_mentorships.data))
        db.session.commit()
        log.info("cohort %s graduated by %s", cohort.id, current_user.id)
        flash(f"{cohort.name} graduated: {len(result.alumni)} new alumni, "
              f"{plural(result.completed, 'mentorship')} completed. Each new alumnus was invited to mentor. You can undo this for 7 days.", "success")
        return redirect(url_for("cohorts.roster", cohort_id=cohort.id))
    if request.method == "GET":
        form.complete_mentorships.data = True  # the usual choice: mentoring for fellowship ends with it
    fellows = db.session.scalar(select(db.func.count()).select_from(CohortMembership).where(
        CohortMembership.cohort_id == cohort.id, CohortMembership.role == CohortRole.FELLOW))
    return render_template("cohorts/graduate.html", cohort=cohort, form=form, fellows=fellows), \
        400 if form.is_submitted() else 200


@bp.route("/cohorts/<int:cohort_id>/graduation/undo", methods=["POST"])
@permission_required(can_list_programs)
def undo_graduation(cohort_id: int):
    """Undo the latest graduation within 7 days: roles, years and mentorships as they were."""
    cohort = _cohort_or_404(cohort_id)
    try:
        services.undo_graduation(cohort, current_user)
    except services.InvitationError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("cohorts.roster", cohort_id=cohort.id)), 409
    db.session.commit()
    flash(f"The graduation of {cohort.name} was undone: its members are fellows again and were told; "
          "congratulation mails not yet sent were cancelled.", "success")
    return redirect(url_for("cohorts.roster", cohort_id=cohort.id))


# -- accepting an invitation (public) ----------------------------------------------------


def _accept_problem(exc: Exception) -> str:
    if isinstance(exc, services.InvitationError):
        return str(exc)
    return "This invitation was used at the same moment from somewhere else. Sign in to see your cohort."


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """Register from the invitation, or join as the signed-in member it was sent to."""
    invitation = services.find_invitation(token)
    try:
        services.usable_or_error(invitation)
    except services.InvitationError as exc:
        return render_template("cohorts/invitation_error.html", message=str(exc)), 404 if invitation is None else 410
    existing = db.session.scalars(select(User).where(User.email == invitation.email)).first()
    cohort = invitation.cohort
    if existing is not None or current_user.is_authenticated:
        if not current_user.is_authenticated:
            flash(f"You already have an account ({invitation.email}). Sign in to join {cohort.name}.", "info")
            return redirect(url_for("auth.login", next=url_for("cohorts.accept_invitation", token=token)))
        if existing is None or existing.id != current_user.id:
            return render_template("cohorts/invitation_error.html",
                                   message=f"This invitation was sent to {invitation.email}, and you are signed in "
                                           f"as {current_user.email}. Sign out first to use it."), 403
        if request.method == "POST":
            try:
                services.accept_as_member(invitation, current_user)
                db.session.commit()
            except (services.InvitationError, IntegrityError) as exc:
                db.session.rollback()
                return render_template("cohorts/invitation_error.html", message=_accept_problem(exc)), 409
            flash(f"Welcome to {cohort.name}, {cohort.program.name}!", "success")
            return redirect(url_for("main.index"))
        return render_template("cohorts/accept.html", invitation=invitation, cohort=cohort, member=True)
    form = AcceptInvitationForm()
    form.member_words = (invitation.email,)
    if request.method == "GET":
        form.name.data = invitation.name
    if form.validate_on_submit():
        try:
            user = services.register_from_invitation(invitation, form.name.data, form.password.data)
            # A brand-new session, as at every sign-in: nothing planted in this browser's session survives.
            start_session(user, remember=False)
            db.session.commit()
        except (services.InvitationError, IntegrityError) as exc:
            db.session.rollback()
            end_session()
            return render_template("cohorts/invitation_error.html", message=_accept_problem(exc)), 409
        log.info("member %s joined cohort %s from an invitation", user.id, cohort.id)
        flash(f"Welcome to Fellowship Network and to {cohort.name}!", "success")
        return redirect(url_for("main.index"))
    return render_template("cohorts/accept.html", invitation=invitation, cohort=cohort, form=form, member=False), \
        400 if form.is_submitted() else 200
