"""Graduating a class (fellows become alumni, their mentorships optionally completed) and undoing it
within 7 days."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.access import permission_required
from network.cohorts import queries, services
from network.cohorts.forms import GraduateForm
from network.cohorts.routes.blueprint import bp
from network.cohorts.routes.loading import cohort_or_404
from network.extensions import db
from network.permissions import can_list_programs
from network.text.words import plural
from network.types import utcnow

log = logging.getLogger(__name__)


@bp.route("/cohorts/<int:cohort_id>/graduate", methods=["GET", "POST"])
@permission_required(can_list_programs)
def graduate(cohort_id: int):
    """Graduate the class: fellows become alumni, optionally completing their mentorships."""
    cohort = cohort_or_404(cohort_id)
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
              f"{plural(result.completed, 'mentorship')} completed. Each new alumnus was invited to mentor. "
              "You can undo this for 7 days.", "success")
        return redirect(url_for("cohorts.roster", cohort_id=cohort.id))
    if request.method == "GET":
        form.complete_mentorships.data = True  # the usual choice: mentoring for fellowship ends with it
    status = 400 if form.is_submitted() else 200
    fellows = queries.fellow_count(cohort)
    return render_template("cohorts/graduate.html", cohort=cohort, form=form, fellows=fellows), status


@bp.route("/cohorts/<int:cohort_id>/graduation/undo", methods=["POST"])
@permission_required(can_list_programs)
def undo_graduation(cohort_id: int):
    """Undo the latest graduation within 7 days: roles, years and mentorships as they were."""
    cohort = cohort_or_404(cohort_id)
    try:
        services.undo_graduation(cohort, current_user)
    except services.InvitationError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("cohorts.roster", cohort_id=cohort.id)), 409
    db.session.commit()
    flash(f"The graduation of {cohort.name} was undone: its members are fellows again and were told; "
          "congratulation mails not yet sent were cancelled.", "success")
    return redirect(url_for("cohorts.roster", cohort_id=cohort.id))
