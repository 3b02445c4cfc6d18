"""Admin: verify or reject members who registered."""

from __future__ import annotations

import logging
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from network.access import permission_required, role_required
from network.admin import services as admin_services
from network.admin.forms import RejectForm, VerifyForm
from network.audit.models import AuditLog
from network.auth.services import find_by_email
from network.cohorts import services as cohort_services
from network.confirmation import confirmation_page, confirmed, flash_undo
from network.extensions import db
from network.integers import int_arg
from network.members import services
from network.members.models import MemberDeactivation, MemberStatus, Registration, Role, User
from network.permissions import (
    can_place_on_verification,
    can_read_audit_log,
    can_verify_members,
    managed_program_ids,
    runs_every_program,
)
from network.programs import services as program_services
from network.programs.forms import ProgramForm, StaffForm
from network.programs.models import Cohort, CohortRole, Program, ProgramRole, ProgramStaff
from network.taxonomy import services as taxonomy_services
from network.taxonomy.forms import TermForm
from network.taxonomy.models import VOCABULARIES, Specialty, active_terms, all_terms

bp = Blueprint("admin", __name__)
log = logging.getLogger(__name__)

PAGE_SIZE = 50


@bp.route("/members/pending")
@role_required(Role.ADMIN)
def pending_members():
    """Members waiting for verification, oldest first, with the program and training stage they named."""
    page = int_arg("page", 1)
    if page < 1:
        abort(404)
    query = select(User).where(User.status == MemberStatus.PENDING).order_by(User.created_at, User.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    members = db.session.scalars(query.options(joinedload(User.registration).joinedload(Registration.program))
                                 .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    if page > 1 and not members:
        abort(404)
    return render_template("admin/pending_members.html", members=members, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)))


def _applicant_or_404(user_id: int) -> User:
    """The member with what they said when registering (and the program they named), or 404."""
    return db.first_or_404(select(User).where(User.id == user_id)
                           .options(joinedload(User.registration).joinedload(Registration.program)))


def _not_waiting(user: User):
    flash(f"{user.name} is not waiting for verification any more.", "warning")
    return redirect(url_for("admin.pending_members"))


def _current_cohorts(user: User) -> list[Cohort]:
    """The cohorts of the program the member named that still take members (not graduated), oldest first."""
    program_id = user.registration.program_id if user.registration else None
    if program_id is None:
        return []
    return db.session.scalars(select(Cohort).where(Cohort.program_id == program_id, Cohort.graduated_at.is_(None))
                              .order_by(Cohort.start_date, Cohort.id)).all()


def _cohort_role(user: User) -> CohortRole:
    """Faculty join a cohort as its faculty advisors; fellows (and alumni) as fellows."""
    return CohortRole.FACULTY if user.role == Role.FACULTY else CohortRole.FELLOW


@bp.route("/members/<int:user_id>/verify", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def verify_member(user_id: int):
    """Admit a pending member after seeing what they said; optionally place them in a cohort of their program
    (through the cohorts' placement: audited, and they are told)."""
    user = _applicant_or_404(user_id)
    if not can_verify_members(current_user):
        abort(403)
    if not user.is_pending:
        return _not_waiting(user)
    cohorts = _current_cohorts(user)
    role = _cohort_role(user)
    form = VerifyForm()
    form.set_cohorts(cohorts, "a faculty advisor" if role == CohortRole.FACULTY else "a fellow")
    status = 200
    if form.validate_on_submit():
        cohort = next((c for c in cohorts if c.id == form.cohort_id()), None)
        if cohort is not None and not can_place_on_verification(current_user, cohort):
            abort(403)
        try:
            services.verify_member(user, current_user)
            if cohort is not None:
                cohort_services.place_member(cohort, user, role, current_user)
        except services.NotPending:  # decided by another admin a moment ago
            db.session.rollback()
            return _not_waiting(user)
        except services.EmailNotConfirmed:
            db.session.rollback()
            flash(f"{user.name} has not confirmed their email address yet, so it may not be theirs. "
                  "Verify them once they have.", "warning")
            return redirect(url_for("admin.pending_members"))
        except cohort_services.InvitationError as exc:
            db.session.rollback()
            form.cohort.errors.append(str(exc))
            status = 409
        else:
            db.session.commit()
            log.info("member %s verified by %s%s", user.id, current_user.id,
                     f", placed in cohort {cohort.id}" if cohort else "")
            done = f"{user.name} is verified and can now use the network."
            if cohort is not None:
                done += f" They are in {cohort.name}; they were told, and the placement is in the audit log."
            flash(done, "success")
            return redirect(url_for("admin.pending_members"))
    elif form.is_submitted():
        status = 400
    return render_template("admin/verify_member.html", member=user, form=form, cohorts=cohorts), status


@bp.route("/members/<int:user_id>/reject", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def reject_member(user_id: int):
    """Turn down a pending registration, with a reason mailed to the person: a page that says who and what
    happens, then the POST with the reason. The account can no longer sign in."""
    user = _applicant_or_404(user_id)
    if not can_verify_members(current_user):
        abort(403)
    if not user.is_pending:
        return _not_waiting(user)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            services.reject_member(user, current_user, form.reason.data)
        except services.NotPending:  # decided by another admin a moment ago
            db.session.rollback()
            return _not_waiting(user)
        db.session.commit()
        log.info("member %s rejected by %s", user.id, current_user.id)
        flash(f"The registration of {user.name} was rejected; they were mailed your reason.", "success")
        return redirect(url_for("admin.pending_members"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/reject_member.html", member=user, form=form), status


# -- the taxonomy ------------------------------------------------------------------


def _vocabulary_or_404(vocabulary: str):
    if vocabulary not in VOCABULARIES:
        abort(404)
    return VOCABULARIES[vocabulary]


@bp.route("/taxonomy/")
@role_required(Role.ADMIN)
def taxonomy_index():
    """The vocabularies admins edit."""
    return redirect(url_for("admin.taxonomy", vocabulary="interests"))


@bp.route("/taxonomy/<vocabulary>")
@role_required(Role.ADMIN)
def taxonomy(vocabulary: str):
    """One vocabulary's terms, retired ones included."""
    model, label = _vocabulary_or_404(vocabulary)
    terms = db.session.scalars(all_terms(model)).all()
    return render_template("admin/taxonomy.html", vocabulary=vocabulary, label=label, terms=terms,
                           vocabularies=VOCABULARIES, add_form=TermForm())


@bp.route("/taxonomy/<vocabulary>", methods=["POST"])
@role_required(Role.ADMIN)
def add_term(vocabulary: str):
    """Add a term at the end of a vocabulary."""
    model, label = _vocabulary_or_404(vocabulary)
    form = TermForm()
    if form.validate_on_submit():
        try:
            taxonomy_services.add_term(model, form.name.data, current_user.id)
        except taxonomy_services.DuplicateTerm:
            form.name.errors.append("That name is already in the list.")
        else:
            db.session.commit()
            flash(f"“{form.name.data}” is added to {label.lower()}.", "success")
            return redirect(url_for("admin.taxonomy", vocabulary=vocabulary))
    terms = db.session.scalars(all_terms(model)).all()
    status = 409 if any("already" in e for e in form.name.errors) else 400
    return render_template("admin/taxonomy.html", vocabulary=vocabulary, label=label, terms=terms,
                           vocabularies=VOCABULARIES, add_form=form), status


@bp.route("/taxonomy/<vocabulary>/<int:term_id>/rename", methods=["POST"])
@role_required(Role.ADMIN)
def rename_term(vocabulary: str, term_id: int):
    """Rename a term; profiles using it show and find the new name."""
    model, _label = _vocabulary_or_404(vocabulary)
    term = db.get_or_404(model, term_id)
    form = TermForm()
    if not form.validate_on_submit():
        flash("Enter a name of at most 120 characters.", "danger")
        return redirect(url_for("admin.taxonomy", vocabulary=vocabulary))
    try:
        taxonomy_services.rename_term(term, form.name.data, current_user.id)
    except taxonomy_services.DuplicateTerm:
        db.session.rollback()
        flash(f"“{form.name.data}” is already in the list.", "warning")
        return redirect(url_for("admin.taxonomy", vocabulary=vocabulary))
    db.session.commit()
    flash(f"Renamed to “{term.name}”.", "success")
    return redirect(url_for("admin.taxonomy", vocabulary=vocabulary))


@bp.route("/taxonomy/<vocabulary>/<int:term_id>/retire", methods=["POST"])
@role_required(Role.ADMIN)
def retire_term(vocabulary: str, term_id: int):
    """Stop offering a term; members who have it keep it."""
    return _set_retired(vocabulary, term_id, taxonomy_services.retire_term, "is retired")


@bp.route("/taxonomy/<vocabulary>/<int:term_id>/restore", methods=["POST"])
@role_required(Role.ADMIN)
def restore_term(vocabulary: str, term_id: int):
    """Offer a retired term again."""
    return _set_retired(vocabulary, term_id, taxonomy_services.restore_term, "is offered again")


def _set_retired(vocabulary: str, term_id: int, change, done: str):
    model, _ = _vocabulary_or_404(vocabulary)
    term = db.get_or_404(model, term_id)
    change(term, current_user.id)
    db.session.commit()
    flash(f"“{term.name}” {done}.", "success")
    return redirect(url_for("admin.taxonomy", vocabulary=vocabulary))


# -- the admin dashboard ---------------------------------------------------------------


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    """What needs an administrator, and the way to every admin page."""
    by_status = dict(db.session.execute(select(User.status, func.count()).group_by(User.status)).all())
    by_role = dict(db.session.execute(select(User.role, func.count()).where(User.status == MemberStatus.VERIFIED)
                                      .group_by(User.role)).all())
    programs = db.session.scalar(select(func.count()).select_from(Program))
    links = {endpoint: endpoint in current_app.view_functions
             for endpoint in ("mail.outbox", "messages.reports", "discussions.moderation", "discussions.categories")}
    return render_template("admin/index.html", by_status=by_status, by_role=by_role, programs=programs,
                           links=links, Role=Role, MemberStatus=MemberStatus)


# -- members -----------------------------------------------------------------------------


@bp.route("/members/")
@role_required(Role.ADMIN)
def members():
    """Every member: search by name or email, filter by role and status."""
    text = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or None
    status = request.args.get("status") or None
    if role not in (None, *[r.value for r in Role]) or \
            status not in (None, "deactivated", *[s.value for s in MemberStatus]):
        abort(400)
    page = int_arg("page", 1)
    if page < 1:
        abort(404)
    query = admin_services.member_search(text, role, status)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    people = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    deactivated = set(db.session.scalars(select(MemberDeactivation.user_id).where(
        MemberDeactivation.user_id.in_([p.id for p in people])))) if people else set()
    return render_template("admin/members.html", people=people, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), q=text, role=role, status=status,
                           deactivated=deactivated, roles=list(Role), statuses=list(MemberStatus))


def _member_action(user_id: int, act, done: str, confirmation=None, undo: str | None = None):
    """Apply ``act`` to the member; ``confirmation(member)`` may first ask, ``undo`` names the route undoing it."""
    member = db.get_or_404(User, user_id)
    if confirmation is not None and not confirmed():
        return confirmation(member)
    try:
        act(member)
    except admin_services.AdminError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(request.form.get("back") if _safe_back() else url_for("admin.members")), 409
    db.session.commit()
    if undo:
        flash_undo(done.format(name=member.name), url_for(undo, user_id=member.id))
    else:
        flash(done.format(name=member.name), "success")
    return redirect(request.form.get("back") if _safe_back() else url_for("admin.members"))


def _safe_back() -> bool:
    back = request.form.get("back") or ""
    return back.startswith("/admin/members") and "//" not in back and "\\" not in back


@bp.route("/members/<int:user_id>/role", methods=["POST"])
@role_required(Role.ADMIN)
def change_role(user_id: int):
    """Give a member another role (fellow, alumni, faculty, administrator)."""
    value = request.form.get("role", "")
    if value not in [r.value for r in Role]:
        db.get_or_404(User, user_id)
        abort(400)
    return _member_action(user_id, lambda m: admin_services.change_role(m, Role(value), current_user),
                          "{name} is now " + Role(value).label.lower() + ".")


@bp.route("/members/<int:user_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate_member(user_id: int):
    """Stop a member signing in; their sessions end at once."""
    return _member_action(user_id, lambda m: admin_services.deactivate(m, current_user),
                          "{name} is deactivated and signed out everywhere.", confirmation=_confirm_deactivation,
                          undo="admin.reactivate_member")


def _confirm_deactivation(member: User):
    return confirmation_page(
        title=f"Deactivate {member.name}?",
        consequences=f"{member.name} is signed out on every device at once and cannot sign in until an "
                     "administrator reactivates them. Their profile, posts and mentorships stay. You can undo this "
                     "with Reactivate.",
        button="Deactivate", cancel=request.form.get("back") if _safe_back() else url_for("admin.members"))


@bp.route("/members/<int:user_id>/reactivate", methods=["POST"])
@role_required(Role.ADMIN)
def reactivate_member(user_id: int):
    """Let a deactivated member sign in again, with the status they had."""
    return _member_action(user_id, lambda m: admin_services.reactivate(m, current_user),
                          "{name} can sign in again.")


# -- programs ----------------------------------------------------------------------------


def _program_form(program=None):
    form = ProgramForm(prefix="program", obj=program)
    form.specialty_id.choices = [SelectChoice(0, "—")] + [SelectChoice(s.id, s.name)
                                                         for s in db.session.scalars(active_terms(Specialty))]
    return form


@bp.route("/programs/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def programs():
    """Every program with its staff count, and a form for a new one."""
    form = _program_form()
    status = 200
    if form.validate_on_submit():
        try:
            program = program_services.save_program(
                None, current_user, name=form.name.data, institution=form.institution.data, city=form.city.data or "",
                description=form.description.data or "", specialty_id=form.specialty_id.data or None)
        except program_services.ProgramError as exc:
            form.name.errors.append(str(exc))
            status = 409
        else:
            db.session.commit()
            flash(f"{program.name} is created. Add its director and faculty below.", "success")
            return redirect(url_for("admin.edit_program", program_id=program.id))
    elif form.is_submitted():
        status = 400
    rows = db.session.execute(
        select(Program, func.count(ProgramStaff.id)).outerjoin(ProgramStaff, ProgramStaff.program_id == Program.id)
        .group_by(Program.id).order_by(Program.name)).all()
    return render_template("admin/programs.html", rows=rows, form=form), status


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_program(program_id: int):
    """Edit a program and its staff (director, coordinators, faculty)."""
    program = db.get_or_404(Program, program_id)
    form = _program_form(program)
    if request.method == "GET":
        form.specialty_id.data = program.specialty_id or 0
    status = 200
    if form.validate_on_submit():
        try:
            program_services.save_program(
                program, current_user, name=form.name.data, institution=form.institution.data,
                city=form.city.data or "", description=form.description.data or "",
                specialty_id=form.specialty_id.data or None)
        except program_services.ProgramError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
            status = 409
        else:
            db.session.commit()
            flash("The program is saved.", "success")
            return redirect(url_for("admin.edit_program", program_id=program.id))
    elif form.is_submitted():
        status = 400
    staff = db.session.scalars(select(ProgramStaff).where(ProgramStaff.program_id == program.id)
                               .options(selectinload(ProgramStaff.user)).order_by(ProgramStaff.role)).all()
    return render_template("admin/program.html", program=program, form=form, staff=staff,
                           staff_form=StaffForm(prefix="staff")), status


@bp.route("/programs/<int:program_id>/staff", methods=["POST"])
@role_required(Role.ADMIN)
def add_staff(program_id: int):
    """Give a faculty member a role in the program."""
    program = db.get_or_404(Program, program_id)
    form = StaffForm(prefix="staff")
    if not form.validate_on_submit():
        flash("Enter the email of a faculty member and choose a role.", "danger")
        return redirect(url_for("admin.edit_program", program_id=program.id)), 400
    member = find_by_email(form.email.data)
    if member is None:
        flash(f"No member has the email {form.email.data}. Invite them into a cohort first.", "warning")
        return redirect(url_for("admin.edit_program", program_id=program.id)), 400
    try:
        program_services.add_staff(program, member, ProgramRole(form.role.data), current_user)
    except program_services.ProgramError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("admin.edit_program", program_id=program.id)), 409
    db.session.commit()
    flash(f"{member.name} is {ProgramRole(form.role.data).label.lower()} of {program.name}.", "success")
    return redirect(url_for("admin.edit_program", program_id=program.id))


@bp.route("/programs/<int:program_id>/staff/<int:staff_id>/remove", methods=["POST"])
@role_required(Role.ADMIN)
def remove_staff(program_id: int, staff_id: int):
    """Take a member off the program's staff."""
    staff = db.get_or_404(ProgramStaff, staff_id)
    if staff.program_id != program_id:
        abort(404)
    if not confirmed():
        return confirmation_page(
            title=f"Remove {staff.user.name} from the staff of {staff.program.name}?",
            consequences=f"{staff.user.name} can no longer manage the program's cohorts, rosters and reports. "
                         "You can add them to the staff again later.",
            button="Remove from the staff", cancel=url_for("admin.edit_program", program_id=program_id))
    program_services.remove_staff(staff, current_user)
    db.session.commit()
    flash("Removed from the program's staff.", "success")
    return redirect(url_for("admin.edit_program", program_id=program_id))


# -- the audit log -----------------------------------------------------------------------


def _date_arg(name: str):
    value = request.args.get(name) or ""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400)


@bp.route("/audit")
@permission_required(can_read_audit_log)
def audit_log():
    """Who did what, on what, when and from where; faculty see their own programs' entries."""
    program_ids = None if runs_every_program(current_user) else managed_program_ids(current_user)
    filters = {"actor": (request.args.get("actor") or "").strip()[:100],
               "action": (request.args.get("action") or "").strip()[:64],
               "target_type": (request.args.get("target_type") or "").strip()[:32],
               "since": _date_arg("since"), "until": _date_arg("until")}
    page = int_arg("page", 1)
    if page < 1:
        abort(404)
    query = admin_services.audit_query(program_ids=program_ids, **filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    entries = db.session.scalars(query.options(selectinload(AuditLog.actor))
                                 .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    target_types = db.session.scalars(select(AuditLog.target_type).distinct().order_by(AuditLog.target_type)).all()
    args = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v}
    scoped = program_ids is not None
    details = {entry.id: admin_services.visible_details(entry, addresses=not scoped) for entry in entries}
    return render_template("admin/audit.html", entries=entries, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), filters=args, target_types=target_types,
                           scoped=scoped, details=details)
