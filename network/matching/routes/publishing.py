"""Publishing a run: what it would do now and the confirmation (an early close needs its own choice), then
the publication itself, which creates the mentorships, tells everyone and locks the round."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.extensions import db
from network.integers import int_form
from network.matching.models import MatchingRound, MatchingRun, RoundStatus, RunStatus
from network.matching.queries.publishing import publish_plan
from network.matching.routes.blueprint import bp
from network.matching.routes.loading import managed_round, of_round_or_404
from network.matching.routes.preview import back_to_preview
from network.matching.services import lifecycle
from network.text.words import plural
from network.types import utcnow

log = logging.getLogger(__name__)


def _confirm_page(matching_round: MatchingRound, run: MatchingRun, errors=(), status=200):
    """The publish plan of ``run`` with the confirmation form."""
    return render_template("matching/publish.html", round=matching_round, run=run,
                           plan=publish_plan(matching_round, run), errors=list(errors),
                           is_open=matching_round.is_open_at(utcnow())), status


@bp.route("/<int:round_id>/runs/<int:run_id>/publish")
def confirm_publish(round_id: int, run_id: int):
    """What publishing this run would do, and the confirmation (an early close needs its own choice)."""
    matching_round = managed_round(round_id)
    run = of_round_or_404(MatchingRun, run_id, matching_round)
    if matching_round.status != RoundStatus.OPEN or run.status != RunStatus.DONE:
        flash("Only a finished run of an open round can be published.", "danger")
        return redirect(url_for("matching.preview", round_id=round_id, run=run.id))
    return _confirm_page(matching_round, run)


@bp.route("/<int:round_id>/publish", methods=["POST"])
def publish(round_id: int):
    """Publish one run once confirmed: mentorships are created, everyone is told, the round locks."""
    matching_round = managed_round(round_id)
    run = db.session.get(MatchingRun, int_form("run_id") or 0)
    if run is None or run.round_id != matching_round.id:
        abort(400)
    if request.form.get("confirm") != "yes":
        # Publishing cannot be undone: without the confirmation page's answer nothing happens.
        flash("Check what publishing will do, then confirm.", "info")
        return redirect(url_for("matching.confirm_publish", round_id=round_id, run_id=run.id)), 303
    early = matching_round.is_open_at(utcnow())
    if early and request.form.get("close_early") != "yes":
        return _confirm_page(matching_round, run, [("Choose “Publish early and close rankings now” to publish "
                                                    "before the deadline, or wait until it passes.")], status=400)
    try:
        outcome = lifecycle.publish(matching_round, run, current_user, close_early=early)
    except lifecycle.RoundError as exc:
        return back_to_preview(str(exc), round_id)
    db.session.commit()
    log.info("matching round %s published by %s", matching_round.id, current_user.id)
    message = (f"Published: {plural(outcome['created'], 'mentorship')} created"
               + (f", {plural(outcome['kept'], 'mentorship')} kept as is" if outcome["kept"] else "")
               + " and every participant told" + (" that the round closed early" if early else "") + ".")
    if outcome["skipped"]:
        message += " Not created: " + "; ".join(outcome["skipped"]) + "."
    flash(message, "success")
    return redirect(url_for("matching.preview", round_id=round_id, run=run.id))
