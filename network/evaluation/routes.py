"""The annual program evaluation pack of a program, for its staff: the page, its CSV file and workbook, and
the year chooser. Anyone who does not run the program gets 404, as on every page of a program."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from network.access import permission_required
from network.downloads import private_file
from network.evaluation import files
from network.evaluation.pack import Pack, build
from network.evaluation.years import EARLIEST, AcademicYear, choosable_years, default_year, year_or_none
from network.extensions import db
from network.permissions import can_list_programs, can_manage_program
from network.programs.models import Program

bp = Blueprint("evaluation", __name__)


def _pack_or_404(program_id: int, start_year: int) -> Pack:
    program = db.get_or_404(Program, program_id)
    if not can_manage_program(current_user, program):
        abort(404)
    today = date.today()
    year = year_or_none(start_year, today)
    if year is None:
        current = AcademicYear.of(today)
        abort(404, f"There is no evaluation pack for the academic year starting in {start_year}: choose a year "
                   f"from {EARLIEST}–{(EARLIEST + 1) % 100:02d} to {current.label} (the current one).")
    return build(program, year, today)


@bp.route("/<int:program_id>/evaluation")
@permission_required(can_list_programs)
def choose(program_id: int):
    """The year chooser's target: the pack of the year asked for, or of the last completed year."""
    program = db.get_or_404(Program, program_id)
    if not can_manage_program(current_user, program):
        abort(404)
    asked = request.args.get("year", "")
    if not asked:
        year = default_year(date.today())
        return redirect(url_for("evaluation.pack", program_id=program.id, start_year=year.start_year))
    if not asked.isascii() or not asked.isdigit() or len(asked) != 4:
        abort(400, "Choose an academic year by the year it starts in, such as 2025 for 2025–26.")
    return redirect(url_for("evaluation.pack", program_id=program.id, start_year=int(asked)))


@bp.route("/<int:program_id>/evaluation/<int:start_year>")
@permission_required(can_list_programs)
def pack(program_id: int, start_year: int):
    """The numbers a program evaluation committee reviews for one academic year, as charts and tables."""
    data = _pack_or_404(program_id, start_year)
    return render_template("evaluation/pack.html", pack=data, years=choosable_years(data.today))


@bp.route("/<int:program_id>/evaluation/<int:start_year>.csv")
@permission_required(can_list_programs)
def export_csv(program_id: int, start_year: int):
    """The pack's tables as one CSV file."""
    data = _pack_or_404(program_id, start_year)
    return private_file(files.csv_text(data), "text/csv", files.file_stem(data) + ".csv")


@bp.route("/<int:program_id>/evaluation/<int:start_year>.xlsx")
@permission_required(can_list_programs)
def export_xlsx(program_id: int, start_year: int):
    """The pack's tables as a workbook, a sheet per section."""
    data = _pack_or_404(program_id, start_year)
    return private_file(files.workbook_bytes(data), files.XLSX_MIMETYPE, files.file_stem(data) + ".xlsx")
