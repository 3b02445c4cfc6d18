"""The managers' preview of a round: participation, the runs kept (started, polled while queued, downloaded
as CSV) with their figures, pairs and reasons, and the pins and forbids for the next runs."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from network.downloads import private_file
from network.extensions import db
from network.integers import int_arg
from network.matching.forms import OverrideForm
from network.matching.models import MatchingRun, Override, RunStatus, Side
from network.matching.queries.participation import overrides_named, participants_named, round_counts, runs_of
from network.matching.results import export_csv
from network.matching.routes.blueprint import bp
from network.matching.routes.loading import managed_round, of_round_or_404
from network.matching.services import overrides, runs
from network.matching.services.lifecycle import RoundError
from network.types import utcnow


def back_to_preview(message: str, round_id: int, **values):
    """A manager's action the round refused: back to the preview with the reason."""
    flash(message, "danger")
    return redirect(url_for("matching.preview", round_id=round_id, **values)), 303


def _override_form(people) -> OverrideForm:
    """The pin-or-forbid form, offering the round's fellows and the pool's mentors by name."""
    form = OverrideForm(prefix="override")
    form.fellow.choices = [SelectChoice(p.user_id, p.name) for p in people if p.side == Side.FELLOW]
    form.mentor.choices = [SelectChoice(p.user_id, p.name) for p in people if p.side == Side.MENTOR]
    return form


@bp.route("/<int:round_id>/preview")
def preview(round_id: int):
    """For the round's managers: participation, runs kept, the chosen run's figures, pairs and reasons."""
    matching_round = managed_round(round_id)
    kept_runs = runs_of(matching_round)
    run = None
    wanted = int_arg("run")
    if kept_runs:
        run_id = wanted if wanted in {r.id for r in kept_runs} else kept_runs[0].id
        run = db.session.get(MatchingRun, run_id)
    elif wanted:
        abort(404)
    people = participants_named(matching_round)
    blocking = []
    if run is not None and run.summary.get("blocking"):
        names = {p.user_id: p.name for p in people}
        blocking = [(names.get(f, f), names.get(m, m)) for f, m in run.summary["blocking"]]
    return render_template("matching/preview.html", round=matching_round, runs=kept_runs, run=run,
                           counts=round_counts(matching_round), overrides=overrides_named(matching_round),
                           override_form=_override_form(people), blocking=blocking,
                           is_open=matching_round.is_open_at(utcnow()))


@bp.route("/<int:round_id>/runs", methods=["POST"])
def start_run(round_id: int):
    """Run the engine now (small rounds) or queue the run (large ones)."""
    matching_round = managed_round(round_id)
    try:
        run = runs.start_run(matching_round, current_user)
    except RoundError as exc:
        return back_to_preview(str(exc), round_id)
    db.session.commit()
    if run.status == RunStatus.DONE:
        flash(f"Run {run.id} is done: {run.matched_words}.", "success")
    elif run.status == RunStatus.FAILED:
        flash(f"Run {run.id} failed: {run.error}", "danger")
    else:
        flash(f"Run {run.id} is queued; this page shows its progress.", "info")
    return redirect(url_for("matching.preview", round_id=round_id, run=run.id))


@bp.route("/<int:round_id>/runs/<int:run_id>/status")
def run_status(round_id: int, run_id: int):
    """A run's status and progress as JSON (the preview page polls it while a run is queued)."""
    matching_round = managed_round(round_id)
    row = db.session.execute(select(MatchingRun.status, MatchingRun.progress, MatchingRun.error)
                             .where(MatchingRun.id == run_id, MatchingRun.round_id == matching_round.id)).first()
    if row is None:
        abort(404)
    return jsonify(status=row.status.value, progress=row.progress, error=row.error)


@bp.route("/<int:round_id>/runs/<int:run_id>/export.csv")
def export(round_id: int, run_id: int):
    """A run's pairs as CSV."""
    matching_round = managed_round(round_id)
    run = of_round_or_404(MatchingRun, run_id, matching_round)
    if run.status != RunStatus.DONE:
        abort(404)
    filename = f"matching-round-{matching_round.id}-run-{run.id}.csv"
    return private_file(export_csv(run), "text/csv", filename)


@bp.route("/<int:round_id>/overrides", methods=["POST"])
def add_override(round_id: int):
    """Pin or forbid a fellow–mentor pair for the next runs."""
    matching_round = managed_round(round_id)
    form = _override_form(participants_named(matching_round))
    if not form.validate_on_submit():
        return back_to_preview("Choose a fellow, a mentor and pin or forbid.", round_id)
    try:
        overrides.add_override(matching_round, current_user, form.fellow.data, form.mentor.data, form.kind.data)
    except RoundError as exc:
        return back_to_preview(str(exc), round_id)
    db.session.commit()
    flash("Override added. Run the match again to see its effect.", "success")
    return redirect(url_for("matching.preview", round_id=round_id))


@bp.route("/<int:round_id>/overrides/<int:override_id>/delete", methods=["POST"])
def remove_override(round_id: int, override_id: int):
    """Remove a pin or a forbid."""
    matching_round = managed_round(round_id)
    override = of_round_or_404(Override, override_id, matching_round)
    try:
        overrides.remove_override(matching_round, current_user, override)
    except RoundError as exc:
        return back_to_preview(str(exc), round_id)
    db.session.commit()
    flash("Override removed.", "success")
    return redirect(url_for("matching.preview", round_id=round_id))
