"""Matching rounds: open a round, rank, review, preview with explanations, overrides, runs, publish, export."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from network.access import role_required
from network.downloads import private_file
from network.extensions import db
from network.integers import int_arg, int_form
from network.matching import services
from network.matching.forms import OpenRoundForm, OverrideForm, PoolForm
from network.matching.models import MatchingRound, MatchingRun, Override, RoundStatus, RunStatus, Side
from network.members.models import Role, User
from network.permissions import (
    can_change_pool_place,
    can_manage_round,
    can_open_rounds,
    can_rank_mentors,
    can_review_fellows,
    can_view_round,
)
from network.text.words import plural
from network.types import utcnow

bp = Blueprint("matching", __name__)
log = logging.getLogger(__name__)


def _round_or_404(round_id: int) -> MatchingRound:
    return db.first_or_404(select(MatchingRound).where(MatchingRound.id == round_id)
                           .options(selectinload(MatchingRound.cohorts)))


def _viewer(matching_round: MatchingRound):
    """(participant row or None, manages the round); 404 for those who may not know it."""
    entry = services.participant(matching_round, current_user)
    if not can_view_round(current_user, matching_round, entry):
        abort(404)
    return entry, can_manage_round(current_user, matching_round)


def _managed_round(round_id: int) -> MatchingRound:
    """The round for its managers: 404 if the viewer may not know it, 403 if they may not run it."""
    matching_round = _round_or_404(round_id)
    if not can_manage_round(current_user, matching_round):
        _viewer(matching_round)  # 404 unless the viewer takes part or may join
        abort(403)
    return matching_round


def _conflict(message: str, endpoint: str, **values):
    flash(message, "danger")
    return redirect(url_for(endpoint, **values)), 303


@bp.route("/")
def index():
    """The rounds I run, take part in, or may join as a mentor."""
    return render_template("matching/index.html", rounds=services.rounds_for(current_user),
                           can_open=can_open_rounds(current_user))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.FACULTY, Role.ADMIN)
def new_round():
    """Open a round for cohorts I run."""
    if not can_open_rounds(current_user):
        abort(403)
    cohorts = services.cohorts_for_new_round(current_user)
    form = OpenRoundForm()
    form.cohorts.choices = [SelectChoice(c.id, f"{c.program.name} — {c.name}") for c in cohorts]
    if request.method == "GET":
        form.deadline.data = OpenRoundForm.default_deadline()
    status = 200
    if form.validate_on_submit():
        chosen = [c for c in cohorts if c.id in set(form.cohorts.data)]
        try:
            matching_round = services.open_round(
                current_user, title=form.title.data, mentoring_type=form.type.data, algorithm=form.algorithm.data,
                deadline=form.deadline_utc(), max_choices=form.max_choices.data, cohorts=chosen,
                no_answer_acceptable=form.no_answer.data != "not_acceptable")
        except services.RoundError as exc:
            form.form_errors.append(str(exc))
            status = 400
        else:
            db.session.commit()
            log.info("matching round %s opened by %s", matching_round.id, current_user.id)
            flash("The round is open. Fellows have been told; mentors can now join the pool.", "success")
            return redirect(url_for("matching.round_page", round_id=matching_round.id))
    elif form.is_submitted():
        status = 400
    return render_template("matching/new.html", form=form, has_cohorts=bool(cohorts)), status


@bp.route("/<int:round_id>")
def round_page(round_id: int):
    """The round as I take part in it: a fellow ranks mentors; a mentor joins the pool and reviews fellows."""
    matching_round = _round_or_404(round_id)
    entry, manages = _viewer(matching_round)
    if manages and entry is None and request.args.get("view") != "pool":
        return redirect(url_for("matching.preview", round_id=round_id))
    context = {"round": matching_round, "entry": entry, "manages": manages, "is_open": matching_round.is_open_at(utcnow()),
               "result": None}
    if matching_round.status == RoundStatus.PUBLISHED and entry is not None:
        context["result"] = _published_result(matching_round, entry)
    if entry is not None and entry.side == Side.FELLOW:
        return _fellow_page(matching_round, context)
    return _mentor_page(matching_round, entry, context)


def _published_result(matching_round: MatchingRound, entry):
    """What publishing made of the viewer: a fellow's row with its outcome, or a mentor's fellows by outcome."""
    run = db.session.get(MatchingRun, matching_round.published_run_id) if matching_round.published_run_id else None
    if run is None:
        return None
    if entry.side == Side.FELLOW:
        row = next((p for p in run.pairs if p["fellow"] == entry.user_id), None)
        if row is None:
            return None
        outcome = row.get("published") or {"state": "new" if row["mentor"] else "unmatched",
                                           "mentor_name": row["mentor_name"], "note": ""}
        return {**row, "outcome": outcome, "line": services.fellow_result_line(matching_round, row)}
    return services.mentor_result(run.pairs, entry.user_id)


def _fellow_page(matching_round, context, errors=None, posted=None, status=200):
    mentors = services.pool_for_fellow(matching_round, current_user)
    chosen = {c.mentor_id: c.fellow_rank for c in services.fellow_choices(matching_round, current_user)}
    if posted is not None:
        chosen = posted
    current = services.active_mentors_of([current_user.id], matching_round.type).get(current_user.id) \
        if matching_round.status == RoundStatus.OPEN else None
    return render_template("matching/fellow.html", mentors=mentors, chosen=chosen, errors=errors or [],
                           current_mentor=current[1] if current else None, **context), status


def _mentor_page(matching_round, entry, context, errors=None, status=200, pool_form=None):
    form = pool_form or PoolForm(prefix="pool")
    if pool_form is None and entry is not None:
        form.capacity.data = entry.capacity
        form.accept_any.data = entry.accept_any
    choices = services.mentor_review(matching_round, current_user) if entry is not None else []
    names = {}
    if choices:
        names = dict(db.session.execute(select(User.id, User.name)
                                        .where(User.id.in_([c.fellow_id for c in choices]))).all())
    return render_template("matching/mentor.html", pool_form=form, choices=choices, names=names, errors=errors or [],
                           **context), status


@bp.route("/<int:round_id>/ranking", methods=["POST"])
@role_required(Role.FELLOW)
def save_ranking(round_id: int):
    """Save my ranked list of mentors."""
    matching_round = _round_or_404(round_id)
    entry, manages = _viewer(matching_round)
    if not can_rank_mentors(current_user, entry):
        abort(403)
    context = {"round": matching_round, "entry": entry, "manages": manages,
               "is_open": matching_round.is_open_at(utcnow()), "result": None}
    ranks, errors = {}, []
    for key, value in request.form.items():
        if not key.startswith("rank-") or not value:
            continue
        try:
            ranks[int(key[5:])] = int(value)
        except ValueError:
            errors.append("Ranks are whole numbers.")
    if any(r < 1 or r > matching_round.max_choices for r in ranks.values()):
        errors.append(f"Ranks go from 1 to {matching_round.max_choices}.")
    if errors:
        return _fellow_page(matching_round, context, errors, posted=ranks, status=400)
    try:
        services.save_ranking(matching_round, current_user, ranks)
    except services.RoundError as exc:
        published_or_late = not matching_round.is_open_at(utcnow())
        return _fellow_page(matching_round, context, [str(exc)], posted=ranks, status=409 if published_or_late else 400)
    db.session.commit()
    flash(f"Your list of {plural(len(ranks), 'mentor')} is saved. "
          f"You can change it until {matching_round.deadline:%d %b %Y, %H:%M} UTC.", "success")
    return redirect(url_for("matching.round_page", round_id=round_id))


@bp.route("/<int:round_id>/pool", methods=["POST"])
@role_required(Role.ALUMNI, Role.FACULTY)
def join_pool(round_id: int):
    """Join the round's mentor pool with a capacity, change it, or leave (0)."""
    matching_round = _round_or_404(round_id)
    entry, manages = _viewer(matching_round)
    if not can_change_pool_place(current_user, matching_round, entry):
        abort(403)
    form = PoolForm(prefix="pool")
    context = {"round": matching_round, "entry": entry, "manages": manages,
               "is_open": matching_round.is_open_at(utcnow()), "result": None}
    if not form.validate_on_submit():
        return _mentor_page(matching_round, entry, context, status=400, pool_form=form)
    try:
        joined = services.join_pool(matching_round, current_user, form.capacity.data, form.accept_any.data)
    except services.RoundError as exc:
        return _mentor_page(matching_round, entry, context, [str(exc)], status=409, pool_form=form)
    db.session.commit()
    flash(f"You are in the pool with {plural(form.capacity.data, 'place')}."
          if joined else "You left the pool.", "success")
    return redirect(url_for("matching.round_page", round_id=round_id))


@bp.route("/<int:round_id>/review", methods=["POST"])
@role_required(Role.ALUMNI, Role.FACULTY)
def save_review(round_id: int):
    """Rank or accept the fellows who listed me."""
    matching_round = _round_or_404(round_id)
    entry, manages = _viewer(matching_round)
    if not can_review_fellows(current_user, entry):
        abort(403)
    context = {"round": matching_round, "entry": entry, "manages": manages,
               "is_open": matching_round.is_open_at(utcnow()), "result": None}
    answers = {}
    for key, value in request.form.items():
        if key.startswith("answer-") and key[7:].isdigit():
            # An optional rank ("rank-<fellow>") orders the acceptable fellows; a bare rank still reads as one.
            rank = request.form.get(f"rank-{key[7:]}", "")
            if value not in ("none", "no", "yes") and not (value.isdigit() and 1 <= int(value) <= 50) \
                    or rank and not (rank.isdigit() and 1 <= int(rank) <= 50):
                return _mentor_page(matching_round, entry, context, ["Choose an answer for each fellow."], status=400)
            if rank and value == "no":
                return _mentor_page(matching_round, entry, context,
                                    ["Rank only the fellows you find acceptable."], status=400)
            answers[int(key[7:])] = rank or value
    try:
        services.save_review(matching_round, current_user, answers)
    except services.RoundError as exc:
        status = 409 if not matching_round.is_open_at(utcnow()) else 400
        return _mentor_page(matching_round, entry, context, [str(exc)], status=status)
    db.session.commit()
    flash("Your answers are saved. You can change them until "
          f"{matching_round.deadline:%d %b %Y, %H:%M} UTC.", "success")
    return redirect(url_for("matching.round_page", round_id=round_id))


@bp.route("/<int:round_id>/preview")
def preview(round_id: int):
    """For the round's managers: participation, runs kept, the chosen run's figures, pairs and reasons."""
    matching_round = _managed_round(round_id)
    runs = services.runs_of(matching_round)
    run = None
    wanted = int_arg("run")
    if runs:
        run_id = wanted if wanted in {r.id for r in runs} else runs[0].id
        run = db.session.get(MatchingRun, run_id)
    elif wanted:
        abort(404)
    people = services.participants_named(matching_round)
    override_form = OverrideForm(prefix="override")
    override_form.fellow.choices = [SelectChoice(p.user_id, p.name) for p in people if p.side == Side.FELLOW]
    override_form.mentor.choices = [SelectChoice(p.user_id, p.name) for p in people if p.side == Side.MENTOR]
    blocking = []
    if run is not None and run.summary.get("blocking"):
        names = {p.user_id: p.name for p in people}
        blocking = [(names.get(f, f), names.get(m, m)) for f, m in run.summary["blocking"]]
    return render_template("matching/preview.html", round=matching_round, runs=runs, run=run,
                           counts=services.round_counts(matching_round), overrides=services.overrides_named(matching_round),
                           override_form=override_form, blocking=blocking,
                           is_open=matching_round.is_open_at(utcnow()))


@bp.route("/<int:round_id>/runs", methods=["POST"])
def start_run(round_id: int):
    """Run the engine now (small rounds) or queue the run (large ones)."""
    matching_round = _managed_round(round_id)
    try:
        run = services.start_run(matching_round, current_user)
    except services.RoundError as exc:
        return _conflict(str(exc), "matching.preview", round_id=round_id)
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
    matching_round = _managed_round(round_id)
    row = db.session.execute(select(MatchingRun.status, MatchingRun.progress, MatchingRun.error)
                             .where(MatchingRun.id == run_id, MatchingRun.round_id == matching_round.id)).first()
    if row is None:
        abort(404)
    return jsonify(status=row.status.value, progress=row.progress, error=row.error)


@bp.route("/<int:round_id>/overrides", methods=["POST"])
def add_override(round_id: int):
    """Pin or forbid a fellow–mentor pair for the next runs."""
    matching_round = _managed_round(round_id)
    people = services.participants_named(matching_round)
    form = OverrideForm(prefix="override")
    form.fellow.choices = [SelectChoice(p.user_id, p.name) for p in people if p.side == Side.FELLOW]
    form.mentor.choices = [SelectChoice(p.user_id, p.name) for p in people if p.side == Side.MENTOR]
    if not form.validate_on_submit():
        flash("Choose a fellow, a mentor and pin or forbid.", "danger")
        return redirect(url_for("matching.preview", round_id=round_id)), 303
    try:
        services.add_override(matching_round, current_user, form.fellow.data, form.mentor.data, form.kind.data)
    except services.RoundError as exc:
        return _conflict(str(exc), "matching.preview", round_id=round_id)
    db.session.commit()
    flash("Override added. Run the match again to see its effect.", "success")
    return redirect(url_for("matching.preview", round_id=round_id))


@bp.route("/<int:round_id>/overrides/<int:override_id>/delete", methods=["POST"])
def remove_override(round_id: int, override_id: int):
    """Remove a pin or a forbid."""
    matching_round = _managed_round(round_id)
    override = db.get_or_404(Override, override_id)
    if override.round_id != matching_round.id:
        abort(404)
    try:
        services.remove_override(matching_round, current_user, override)
    except services.RoundError as exc:
        return _conflict(str(exc), "matching.preview", round_id=round_id)
    db.session.commit()
    flash("Override removed.", "success")
    return redirect(url_for("matching.preview", round_id=round_id))


def _publishable_run(matching_round: MatchingRound, run_id: int) -> MatchingRun:
    run = db.get_or_404(MatchingRun, run_id)
    if run.round_id != matching_round.id:
        abort(404)
    return run


def _confirm_page(matching_round: MatchingRound, run: MatchingRun, errors=(), status=200):
    return render_template("matching/publish.html", round=matching_round, run=run,
                           plan=services.publish_plan(matching_round, run), errors=list(errors),
                           is_open=matching_round.is_open_at(utcnow())), status


@bp.route("/<int:round_id>/runs/<int:run_id>/publish")
def confirm_publish(round_id: int, run_id: int):
    """What publishing this run would do, and the confirmation (an early close needs its own choice)."""
    matching_round = _managed_round(round_id)
    run = _publishable_run(matching_round, run_id)
    if matching_round.status != RoundStatus.OPEN or run.status != RunStatus.DONE:
        flash("Only a finished run of an open round can be published.", "danger")
        return redirect(url_for("matching.preview", round_id=round_id, run=run.id))
    return _confirm_page(matching_round, run)


@bp.route("/<int:round_id>/publish", methods=["POST"])
def publish(round_id: int):
    """Publish one run once confirmed: mentorships are created, everyone is told, the round locks."""
    matching_round = _managed_round(round_id)
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
        outcome = services.publish(matching_round, run, current_user, close_early=early)
    except services.RoundError as exc:
        return _conflict(str(exc), "matching.preview", round_id=round_id)
    db.session.commit()
    log.info("matching round %s published by %s", matching_round.id, current_user.id)
    message = (f"Published: {plural(outcome['created'], 'mentorship')} created"
               + (f", {plural(outcome['kept'], 'mentorship')} kept as is" if outcome["kept"] else "")
               + " and every participant told" + (" that the round closed early" if early else "") + ".")
    if outcome["skipped"]:
        message += " Not created: " + "; ".join(outcome["skipped"]) + "."
    flash(message, "success")
    return redirect(url_for("matching.preview", round_id=round_id, run=run.id))


@bp.route("/<int:round_id>/runs/<int:run_id>/export.csv")
def export(round_id: int, run_id: int):
    """A run's pairs as CSV."""
    matching_round = _managed_round(round_id)
    run = db.get_or_404(MatchingRun, run_id)
    if run.round_id != matching_round.id or run.status != RunStatus.DONE:
        abort(404)
    filename = f"matching-round-{matching_round.id}-run-{run.id}.csv"
    return private_file(services.export_csv(run), "text/csv", filename)

