"""The rounds a member sees, and opening a round for cohorts the member runs."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from network.access import role_required
from network.extensions import db
from network.matching.forms import OpenRoundForm
from network.matching.queries.participation import cohorts_for_new_round, rounds_for
from network.matching.routes.blueprint import bp
from network.matching.services.lifecycle import RoundError, open_round
from network.members.models import Role
from network.permissions import can_open_rounds

log = logging.getLogger(__name__)


@bp.route("/")
def index():
    """The rounds I run, take part in, or may join as a mentor."""
    return render_template("matching/index.html", rounds=rounds_for(current_user),
                           can_open=can_open_rounds(current_user))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.FACULTY, Role.ADMIN)
def new_round():
    """Open a round for cohorts I run."""
    if not can_open_rounds(current_user):
        abort(403)
    cohorts = cohorts_for_new_round(current_user)
    form = OpenRoundForm()
    form.cohorts.choices = [SelectChoice(c.id, f"{c.program.name} — {c.name}") for c in cohorts]
    if request.method == "GET":
        form.deadline.data = OpenRoundForm.default_deadline()
    status = 200
    if form.validate_on_submit():
        chosen = [c for c in cohorts if c.id in set(form.cohorts.data)]
        try:
            matching_round = open_round(
                current_user, title=form.title.data, mentoring_type=form.type.data, algorithm=form.algorithm.data,
                deadline=form.deadline_utc(), max_choices=form.max_choices.data, cohorts=chosen,
                no_answer_acceptable=form.no_answer.data != "not_acceptable")
        except RoundError as exc:
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
