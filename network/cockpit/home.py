"""The home page of program staff: the cockpit of their program, or a short choice when they run several."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from network.cockpit.routes import render_cockpit
from network.extensions import db
from network.programs.models import Program, ProgramStaff

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
