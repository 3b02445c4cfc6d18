"""A participant's round page and its forms: a fellow ranks the pool's mentors; a mentor joins the pool with
places and answers for the fellows who listed them; once the round is published, what became of each."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from network.access import role_required
from network.extensions import db
from network.matching.forms import PoolForm
from network.matching.models import MatchingRun, RoundStatus, Side
from network.matching.queries.fit import pool_for_fellow
from network.matching.queries.participation import active_mentors_of, fellow_choices, mentor_review
from network.matching.results import fellow_result_line, mentor_result, published_outcome
from network.matching.routes.blueprint import bp
from network.matching.routes.loading import round_or_404, viewer
from network.matching.services import preferences
from network.matching.services.lifecycle import RoundError
from network.members.models import Role, User
from network.permissions import can_change_pool_place, can_rank_mentors, can_review_fellows
from network.text.words import plural
from network.types import utcnow


def _page_context(round_id: int) -> dict:
    """The round, the viewer's participant row and whether they manage it, as the fellow's and the mentor's
    pages read them (404 for those who may not know the round)."""
    matching_round = round_or_404(round_id)
    entry, manages = viewer(matching_round)
    return {"round": matching_round, "entry": entry, "manages": manages,
            "is_open": matching_round.is_open_at(utcnow()), "result": None}


@bp.route("/<int:round_id>")
def round_page(round_id: int):
    """The round as I take part in it: a fellow ranks mentors; a mentor joins the pool and reviews fellows."""
    context = _page_context(round_id)
    matching_round, entry = context["round"], context["entry"]
    if context["manages"] and entry is None and request.args.get("view") != "pool":
        return redirect(url_for("matching.preview", round_id=round_id))
    if matching_round.status == RoundStatus.PUBLISHED and entry is not None:
        context["result"] = _published_result(matching_round, entry)
    if entry is not None and entry.side == Side.FELLOW:
        return _fellow_page(context)
    return _mentor_page(context)


def _published_result(matching_round, entry):
    """What publishing made of the viewer: a fellow's row with its outcome, or a mentor's fellows by outcome."""
    run = db.session.get(MatchingRun, matching_round.published_run_id) if matching_round.published_run_id else None
    if run is None:
        return None
    if entry.side == Side.FELLOW:
        row = next((p for p in run.pairs if p["fellow"] == entry.user_id), None)
        if row is None:
            return None
        return {**row, "outcome": published_outcome(row), "line": fellow_result_line(matching_round, row)}
    return mentor_result(run.pairs, entry.user_id)


def _fellow_page(context, errors=None, posted=None, status=200):
    """The fellow's page: the pool by fit with their ranks (``posted`` when a list is sent back)."""
    matching_round = context["round"]
    mentors = pool_for_fellow(matching_round, current_user)
    chosen = {c.mentor_id: c.fellow_rank for c in fellow_choices(matching_round, current_user)}
    if posted is not None:
        chosen = posted
    current = active_mentors_of([current_user.id], matching_round.type).get(current_user.id) \
        if matching_round.status == RoundStatus.OPEN else None
    return render_template("matching/fellow.html", mentors=mentors, chosen=chosen, errors=errors or [],
                           current_mentor=current[1] if current else None, **context), status


def _mentor_page(context, errors=None, status=200, pool_form=None):
    """The mentor's page: their place in the pool and the fellows who listed them."""
    entry = context["entry"]
    form = pool_form or PoolForm(prefix="pool")
    if pool_form is None and entry is not None:
        form.capacity.data = entry.capacity
        form.accept_any.data = entry.accept_any
    choices = mentor_review(context["round"], current_user) if entry is not None else []
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
    context = _page_context(round_id)
    matching_round = context["round"]
    if not can_rank_mentors(current_user, context["entry"]):
        abort(403)
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
        return _fellow_page(context, errors, posted=ranks, status=400)
    try:
        preferences.save_ranking(matching_round, current_user, ranks)
    except RoundError as exc:
        published_or_late = not matching_round.is_open_at(utcnow())
        return _fellow_page(context, [str(exc)], posted=ranks, status=409 if published_or_late else 400)
    db.session.commit()
    flash(f"Your list of {plural(len(ranks), 'mentor')} is saved. "
          f"You can change it until {matching_round.deadline:%d %b %Y, %H:%M} UTC.", "success")
    return redirect(url_for("matching.round_page", round_id=round_id))


@bp.route("/<int:round_id>/pool", methods=["POST"])
@role_required(Role.ALUMNI, Role.FACULTY)
def join_pool(round_id: int):
    """Join the round's mentor pool with a capacity, change it, or leave (0)."""
    context = _page_context(round_id)
    matching_round = context["round"]
    if not can_change_pool_place(current_user, matching_round, context["entry"]):
        abort(403)
    form = PoolForm(prefix="pool")
    if not form.validate_on_submit():
        return _mentor_page(context, status=400, pool_form=form)
    try:
        joined = preferences.join_pool(matching_round, current_user, form.capacity.data, form.accept_any.data)
    except RoundError as exc:
        return _mentor_page(context, [str(exc)], status=409, pool_form=form)
    db.session.commit()
    flash(f"You are in the pool with {plural(form.capacity.data, 'place')}."
          if joined else "You left the pool.", "success")
    return redirect(url_for("matching.round_page", round_id=round_id))


@bp.route("/<int:round_id>/review", methods=["POST"])
@role_required(Role.ALUMNI, Role.FACULTY)
def save_review(round_id: int):
    """Rank or accept the fellows who listed me."""
    context = _page_context(round_id)
    matching_round = context["round"]
    if not can_review_fellows(current_user, context["entry"]):
        abort(403)
    answers = {}
    for key, value in request.form.items():
        if key.startswith("answer-") and key[7:].isdigit():
            # An optional rank ("rank-<fellow>") orders the acceptable fellows; a bare rank still reads as one.
            rank = request.form.get(f"rank-{key[7:]}", "")
            if value not in ("none", "no", "yes") and not (value.isdigit() and 1 <= int(value) <= 50) \
                    or rank and not (rank.isdigit() and 1 <= int(rank) <= 50):
                return _mentor_page(context, ["Choose an answer for each fellow."], status=400)
            if rank and value == "no":
                return _mentor_page(context, ["Rank only the fellows you find acceptable."], status=400)
            answers[int(key[7:])] = rank or value
    try:
        preferences.save_review(matching_round, current_user, answers)
    except RoundError as exc:
        status = 409 if not matching_round.is_open_at(utcnow()) else 400
        return _mentor_page(context, [str(exc)], status=status)
    db.session.commit()
    flash("Your answers are saved. You can change them until "
          f"{matching_round.deadline:%d %b %Y, %H:%M} UTC.", "success")
    return redirect(url_for("matching.round_page", round_id=round_id))
