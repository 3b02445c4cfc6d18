"""The cockpit of a program (``/programs/<id>/cockpit``), the lists behind its numbers, and reminders from them.

Only the program's staff (and administrators) see any of it; anyone else gets 404, as for every program page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from network.access import permission_required
from network.cockpit import lists, nudges, queries
from network.cockpit.forms import ALL, NudgeForm
from network.cohorts.dashboard import TYPES
from network.extensions import db
from network.integers import int_arg
from network.permissions import can_list_programs, can_manage_program
from network.programs.models import Program, ProgramStaff
from network.reminders.services import QUIET
from network.types import utcnow

bp = Blueprint("cockpit", __name__)


def program_or_404(program_id: int) -> Program:
    """The program if the viewer runs it; 404 for anyone else (others need not know it exists)."""
    program = db.get_or_404(Program, program_id)
    if not can_manage_program(current_user, program):
        abort(404)
    return program


def render_cockpit(program: Program):
    """The cockpit page of ``program`` (also the home page of its staff)."""
    return render_template("cockpit/show.html", program=program, panels=queries.cockpit(program.id, utcnow()),
                           types=TYPES, now=utcnow())


#: A member on the staff of more programs than this sees the first ones by name (and all on Programs).
MAX_PROGRAMS = 50


def staff_home(user):
    """The cockpit of the one program ``user`` runs, or the list of the programs they run, each a link to its
    cockpit."""
    programs = db.session.scalars(select(Program).join(ProgramStaff, ProgramStaff.program_id == Program.id)
                                  .where(ProgramStaff.user_id == user.id).order_by(Program.name, Program.id)
                                  .limit(MAX_PROGRAMS)).all()
    if len(programs) == 1:
        return render_cockpit(programs[0])
    return render_template("cockpit/choose.html", programs=programs)


@bp.route("/<int:program_id>/cockpit")
@permission_required(can_list_programs)
def show(program_id: int):
    """Per current cohort: what needs the staff's attention, each number a link to its list."""
    return render_cockpit(program_or_404(program_id))


def _scope(program: Program, key: str):
    """The list's cohorts (all current ones, or the ``cohort`` asked for: 404 if not a current cohort of the
    program) and its round filter, from the query string (a malformed number is ignored, as everywhere)."""
    if key not in lists.TITLES:
        abort(404)
    choices = lists.current_cohort_choices(program.id)
    cohort_id, round_id = int_arg("cohort", minimum=1), int_arg("round", minimum=1)
    if cohort_id is None:
        return choices, None, [cohort_id for cohort_id, _ in choices], round_id
    chosen = next((choice for choice in choices if choice[0] == cohort_id), None)
    if chosen is None:
        abort(404)
    return choices, chosen, [cohort_id], round_id


def _render_list(program: Program, key: str, form: NudgeForm, status: int = 200):
    choices, chosen, cohort_ids, round_id = _scope(program, key)
    found = lists.entries(key, cohort_ids, round_id)
    return render_template("cockpit/list.html", program=program, key=key, title=lists.TITLES[key], entries=found,
                           cohorts=dict(choices), chosen=chosen, round_id=round_id, form=form,
                           remindable=key in lists.REMINDABLE, quiet=QUIET,
                           reminded=lists.last_reminded(key, [entry.target_id for entry in found]) if found else {},
                           args={"cohort": chosen[0] if chosen else None, "round": round_id}), status


@bp.route("/<int:program_id>/cockpit/<key>")
@permission_required(can_list_programs)
def show_list(program_id: int, key: str):
    """The people behind one of the cockpit's numbers, each a link to their profile, with reminder buttons."""
    return _render_list(program_or_404(program_id), key, NudgeForm())


@bp.route("/<int:program_id>/cockpit/<key>/remind", methods=["POST"])
@permission_required(can_list_programs)
def remind(program_id: int, key: str):
    """Remind one person of the list (``target``: the item's id) or all of them, with an optional note."""
    program = program_or_404(program_id)
    if key not in lists.REMINDABLE:
        abort(404)
    form = NudgeForm()
    if not form.validate_on_submit() or not form.target.data:
        if not form.errors:
            form.target.errors = ["Choose whom to remind: a person's button, or “Remind all”."]
        return _render_list(program, key, form, 400)
    if form.holds_patient_identifiers():
        return _render_list(program, key, form, 400)
    _, chosen, cohort_ids, round_id = _scope(program, key)
    found = lists.entries(key, cohort_ids, round_id)
    if form.target.data != ALL:
        found = [entry for entry in found if entry.target_id == int(form.target.data)]
    back = redirect(url_for(".show_list", program_id=program.id, key=key, cohort=chosen[0] if chosen else None,
                            round=round_id), 303)
    if not found:
        flash("Nobody to remind: the list has changed since you opened it.", "warning")
        return back
    result = nudges.remind(current_user, program, key, found, form.note.data or "")
    db.session.commit()
    flash(nudges.summary(result), "success" if result.reminded else "warning")
    return back
