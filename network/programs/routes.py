"""Programs for the people who run them: the programs I manage, a program's cohorts, a new cohort."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.access import permission_required
from network.cohorts.forms import CohortForm
from network.extensions import db
from network.permissions import can_list_programs, can_manage_program
from network.programs import services
from network.programs.models import Cohort, Program, ProgramStaff

bp = Blueprint("programs", __name__)



@bp.route("/")
@permission_required(can_list_programs)
def index():
    """The programs I manage (all of them for administrators)."""
    query = services.programs_for(current_user)
    programs = db.session.scalars(query).all()
    # One query for every listed program's cohorts (a subquery, not a list of ids, whatever the count).
    cohorts: dict[int, list[Cohort]] = {}
    for cohort in db.session.scalars(select(Cohort).where(Cohort.program_id.in_(query.with_only_columns(Program.id)
                                                                                   .order_by(None)))
                                     .order_by(Cohort.start_date.desc(), Cohort.id.desc())):
        cohorts.setdefault(cohort.program_id, []).append(cohort)
    return render_template("programs/index.html", programs=programs, cohorts=cohorts)


def _program_or_404(slug: str) -> Program:
    program = db.first_or_404(select(Program).where(Program.slug == slug).options(selectinload(Program.cohorts)))
    if not can_manage_program(current_user, program):
        abort(404)
    return program


def _show(program: Program, form: CohortForm, status: int = 200):
    staff = db.session.scalars(select(ProgramStaff).where(ProgramStaff.program_id == program.id)
                               .options(selectinload(ProgramStaff.user)).order_by(ProgramStaff.role)).all()
    return render_template("programs/show.html", program=program, staff=staff, form=form,
                           overview=services.program_overview(program), today=date.today()), status


@bp.route("/<slug>")
@permission_required(can_list_programs)
def show(slug: str):
    """A program's cohorts with their counts, its staff, and a form for a new cohort."""
    return _show(_program_or_404(slug), CohortForm(prefix="cohort"))


@bp.route("/<slug>/cohorts", methods=["POST"])
@permission_required(can_list_programs)
def create_cohort(slug: str):
    """Add a class to the program."""
    program = _program_or_404(slug)
    form = CohortForm(prefix="cohort")
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(program, form.name.data, form.start_date.data, form.end_date.data,
                                            current_user)
        except services.ProgramError as exc:
            form.name.errors.append(str(exc))
            return _show(program, form, 409)
        db.session.commit()
        flash(f"{cohort.name} is created. Invite its fellows or import a roster.", "success")
        return redirect(url_for("cohorts.roster", cohort_id=cohort.id))
    return _show(program, form, 400)
