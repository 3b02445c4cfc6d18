"""Importing a CSV roster: upload (checked and kept, nothing imported yet), the preview of every row,
and the import itself."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from network.access import permission_required
from network.cohorts import imports, services
from network.cohorts import roster as roster_csv
from network.cohorts.forms import RosterUploadForm
from network.cohorts.models import RosterImport
from network.cohorts.routes.blueprint import bp
from network.cohorts.routes.loading import cohort_or_404, open_cohort_or_409
from network.errors import handle_http_error
from network.extensions import configured_limit, db, limiter, member_key
from network.forms import read_upload
from network.permissions import can_list_programs
from network.programs.models import Cohort

log = logging.getLogger(__name__)

#: Each roster file is parsed and checked against the members table, so uploads are limited per member.
roster_upload_limit = limiter.limit(
    configured_limit("ROSTER_UPLOAD_RATE_LIMIT"),
    key_func=member_key, methods=["POST"],
    error_message="you are uploading roster files faster than the network allows; wait a while, then try again")


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@roster_upload_limit
@permission_required(can_list_programs)
def import_roster(cohort_id: int):
    """Step 1: upload a CSV roster; it is checked and kept for the preview, nothing is imported yet."""
    cohort = open_cohort_or_409(cohort_id)
    form = RosterUploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.roster.data
        if upload is None or not getattr(upload, "filename", ""):
            form.roster.errors.append("Choose a CSV file to upload.")
            status = 400
        else:
            data = read_upload(upload, roster_csv.MAX_BYTES)
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
    cohort = cohort_or_404(cohort_id)
    staged = _staged_or_404(cohort, import_id)
    return render_template("cohorts/import_preview.html", cohort=cohort, staged=staged,
                           counts=roster_csv.counts(staged.rows), roster=roster_csv)


@bp.route("/cohorts/<int:cohort_id>/import/<int:import_id>", methods=["POST"])
@permission_required(can_list_programs)
def run_import(cohort_id: int, import_id: int):
    """Import the valid rows: each becomes an invitation; existing members join only when they accept."""
    cohort = cohort_or_404(cohort_id)
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
