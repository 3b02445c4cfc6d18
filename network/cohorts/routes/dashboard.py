"""The cohort dashboard (coverage, overdue mentorships, activity, ratings), its charts as SVG images, and
the roster and the fellows' mentorships as CSV files."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from network.access import permission_required
from network.cohorts import charts, queries
from network.cohorts.dashboard import NEEDS, TYPES, Dashboard, build, cohort_fellow_ids
from network.cohorts.routes.blueprint import bp
from network.cohorts.routes.loading import cohort_or_404
from network.downloads import csv_file
from network.permissions import can_list_programs
from network.programs.models import Cohort
from network.scholarly.models import academic_year_of
from network.scholarly_exports import tiles


def _filters():
    kind = request.args.get("type") or None
    if kind not in (None, *[t.value for t in TYPES]):
        abort(400)
    return kind, request.args.get("attention") == "1"


def _with_tiles(data: Dashboard) -> Dashboard:
    """``data`` with this academic year's scholarly tiles, counting only the items the viewer may see."""
    data.scholarly = tiles.build(cohort_fellow_ids(data.cohort.id), academic_year_of(date.today()), current_user.id)
    return data


@bp.route("/cohorts/<int:cohort_id>/dashboard")
@permission_required(can_list_programs)
def dashboard(cohort_id: int):
    """Coverage, overdue mentorships, activity by month and ratings, as charts and tables."""
    cohort = cohort_or_404(cohort_id)
    kind, attention = _filters()
    data = _with_tiles(build(cohort, date.today(), kind, attention))
    return render_template("cohorts/dashboard.html", cohort=cohort, data=data, types=TYPES, charts=charts.CHARTS,
                           today=date.today())


@bp.route("/cohorts/<int:cohort_id>/charts/<name>.svg")
@permission_required(can_list_programs)
def chart(cohort_id: int, name: str):
    """One dashboard chart as an SVG image."""
    cohort = cohort_or_404(cohort_id)
    if name not in charts.CHARTS:
        abort(404)
    data = build(cohort, date.today(), parts=NEEDS[name])
    return charts.svg_response(charts.render(name, _with_tiles(data) if name == "scholarly" else data))


def _file_stem(cohort: Cohort) -> str:
    # The name as written (any script): private_file encodes it for the header.
    return f"{cohort.program.slug}-{cohort.name.lower().replace(' ', '-')}"


@bp.route("/cohorts/<int:cohort_id>/roster.csv")
@permission_required(can_list_programs)
def export_roster(cohort_id: int):
    """The roster as CSV."""
    cohort = cohort_or_404(cohort_id)
    members = queries.roster_members(cohort)
    return csv_file(f"{_file_stem(cohort)}-roster.csv",
                         ["name", "email", "role in cohort", "member role", "training background", "joined"],
                         ([m.user.name, m.user.email, m.role.value, m.user.role.value,
                           m.user.training_background.name if m.user.training_background else "",
                           m.joined_at.date().isoformat()] for m in members))


@bp.route("/cohorts/<int:cohort_id>/mentorships.csv")
@permission_required(can_list_programs)
def export_mentorships(cohort_id: int):
    """The cohort's fellows' mentorships as CSV: type, mentor, dates, rating; never notes or comments."""
    cohort = cohort_or_404(cohort_id)
    mentorships = queries.fellows_mentorships(cohort)
    today = date.today()
    return csv_file(f"{_file_stem(cohort)}-mentorships.csv",
                         ["fellow", "type", "mentor", "status", "started", "ended", "last meeting", "overdue",
                          "rating"],
                         ([m.mentee.name, m.type.value, m.mentor.name, m.status.value, m.started_at.date().isoformat(),
                           m.ended_at.date().isoformat() if m.ended_at else "",
                           m.last_met_on.isoformat() if m.last_met_on else "", "yes" if m.is_overdue(today) else "no",
                           m.rating or ""] for m in mentorships))
