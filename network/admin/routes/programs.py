"""The programs pages of the admin wing: every program, a new one, and one program's details and staff."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from network.access import role_required
from network.admin import queries
from network.admin.routes.blueprint import bp
from network.auth.services import find_by_email
from network.confirmation import confirmation_page, confirmed
from network.extensions import db
from network.members.models import Role
from network.programs import services as program_services
from network.programs.forms import ProgramForm, StaffForm
from network.programs.models import Program, ProgramRole, ProgramStaff
from network.taxonomy.models import Specialty, active_terms


def _program_form(program: Program | None = None) -> ProgramForm:
    form = ProgramForm(prefix="program", obj=program)
    form.specialty_id.choices = [SelectChoice(0, "—")] + [SelectChoice(s.id, s.name)
                                                         for s in db.session.scalars(active_terms(Specialty))]
    return form


def _save_program(program: Program | None, form: ProgramForm) -> tuple[Program | None, int]:
    """Save the form into ``program`` (a new one when None) and commit: (the program, 200), or (None, 400)
    when the form is not valid, or (None, 409) with the reason on the name when the data refuses it."""
    if not form.validate_on_submit():
        return None, 400 if form.is_submitted() else 200
    try:
        program = program_services.save_program(
            program, current_user, name=form.name.data, institution=form.institution.data, city=form.city.data or "",
            description=form.description.data or "", specialty_id=form.specialty_id.data or None)
    except program_services.ProgramError as exc:
        db.session.rollback()
        form.name.errors.append(str(exc))
        return None, 409
    db.session.commit()
    return program, 200


@bp.route("/programs/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def programs():
    """Every program with its staff count, and a form for a new one."""
    form = _program_form()
    program, status = _save_program(None, form)
    if program is not None:
        flash(f"{program.name} is created. Add its director and faculty below.", "success")
        return redirect(url_for("admin.edit_program", program_id=program.id))
    return render_template("admin/programs.html", rows=queries.programs_with_staff_counts(), form=form), status


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_program(program_id: int):
    """Edit a program and its staff (director, coordinators, faculty)."""
    program = db.get_or_404(Program, program_id)
    form = _program_form(program)
    if request.method == "GET":
        form.specialty_id.data = program.specialty_id or 0
    saved, status = _save_program(program, form)
    if saved is not None:
        flash("The program is saved.", "success")
        return redirect(url_for("admin.edit_program", program_id=program.id))
    return render_template("admin/program.html", program=program, form=form, staff=queries.program_staff(program.id),
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
