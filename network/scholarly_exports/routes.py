"""A member's CV downloads, and a program's scholarly activity for ADS (page and CSV)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from network.access import permission_required
from network.downloads import csv_file, private_file
from network.extensions import db
from network.permissions import can_list_programs, can_manage_program
from network.programs.models import Program
from network.scholarly.models import ItemKind, ItemStatus, academic_year_of
from network.scholarly_exports import ads, cv, pdf, writers

bp = Blueprint("scholarly_exports", __name__)

#: The CV's formats: URL extension -> (media type, writer).
CV_FORMATS = {
    "pdf": ("application/pdf", pdf.render),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", writers.docx),
    "md": ("text/markdown; charset=utf-8", writers.markdown),
}
#: How many academic years back the export offers (ADS asks for the last one; programs look back further).
YEARS_BACK = 10


@bp.route("/members/me/cv.<any(pdf, docx, md):extension>")
def cv_download(extension: str):
    """Download my academic CV (PDF, Word or Markdown): only ever the signed-in member's own."""
    document = cv.build(current_user.id, date.today())
    mimetype, write = CV_FORMATS[extension]
    return private_file(write(document), mimetype, f"{document.file_stem}.{extension}")


def _program_or_404(slug: str) -> Program:
    """The program if the viewer manages it; 404 for everyone else (they need not know it exists)."""
    program = db.first_or_404(select(Program).where(Program.slug == slug))
    if not can_manage_program(current_user, program):
        abort(404)
    return program


def _years(today: date) -> list[int]:
    current = academic_year_of(today)
    return list(range(current, current - YEARS_BACK, -1))


def _chosen_year(today: date) -> int | None:
    """The ``year`` argument (an academic year's start, offered by the form), this academic year without
    one, None when it is not one of the offered years."""
    raw = request.args.get("year", "").strip()
    if not raw:
        return academic_year_of(today)
    return int(raw) if raw.isdigit() and int(raw) in _years(today) else None


@bp.route("/programs/<slug>/scholarly-activity")
@permission_required(can_list_programs)
def ads_page(slug: str):
    """A program's scholarly activity for one academic year, per fellow and faculty member, with flags:
    the printable page of the ADS export."""
    program = _program_or_404(slug)
    today = date.today()
    year = _chosen_year(today)
    if year is None:
        return render_template("scholarly_exports/ads.html", program=program, report=None, years=_years(today),
                               flags=ads, year_error="Choose one of the academic years in the list."), 400
    return render_template("scholarly_exports/ads.html", program=program, report=ads.build(program, year, current_user),
                           years=_years(today), kinds=ItemKind, statuses=ItemStatus, flags=ads)


@bp.route("/programs/<slug>/scholarly-activity.csv")
@permission_required(can_list_programs)
def ads_csv(slug: str):
    """The same export as CSV, one row per person and item (every cell safe from spreadsheet formulas)."""
    program = _program_or_404(slug)
    year = _chosen_year(date.today())
    if year is None:
        return private_file("Choose an academic year offered on the export page.\n", "text/plain"), 400
    report = ads.build(program, year, current_user)
    header = ["person", "role", "cohort", "kind", "status", "title", "authors", "venue", "date", "volume", "issue",
              "pages", "doi", "pmid", "flags"]
    rows = ([person.name, person.role, person.cohorts, ItemKind(row.citation.kind).label,
             ItemStatus(row.citation.status).label, row.citation.title,
             "; ".join(author.name for author in row.citation.authors), row.citation.venue,
             row.citation.published_on.isoformat() if row.citation.published_on else "", row.citation.volume,
             row.citation.issue, row.citation.pages, row.citation.doi, row.citation.pmid, "; ".join(row.flags)]
            for person in report.people for row in report.rows.get(person.id, []))
    return csv_file(f"{program.slug}-scholarly-activity-{year}-{year + 1}.csv", header, rows)
