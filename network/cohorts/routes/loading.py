"""What every cohort page loads first: the cohort the viewer manages (404 for anyone else), and for the
pages that add members, a cohort that still takes them (a graduated class answers 409)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.cohorts import services
from network.extensions import db
from network.permissions import can_manage_cohort
from network.programs.models import Cohort


def cohort_or_404(cohort_id: int) -> Cohort:
    """The cohort if the viewer manages its program; 404 otherwise (others need not know it exists)."""
    cohort = db.first_or_404(select(Cohort).where(Cohort.id == cohort_id).options(joinedload(Cohort.program)))
    if not can_manage_cohort(current_user, cohort):
        abort(404)
    return cohort


def open_cohort_or_409(cohort_id: int) -> Cohort:
    """The cohort (as ``cohort_or_404``) if it takes new members; a graduated class answers 409 with the
    reason, back on the roster."""
    cohort = cohort_or_404(cohort_id)
    try:
        services.ensure_open(cohort)
    except services.InvitationError as exc:
        flash(str(exc), "warning")
        refusal = redirect(url_for("cohorts.roster", cohort_id=cohort.id))
        refusal.status_code = 409
        abort(refusal)
    return cohort
