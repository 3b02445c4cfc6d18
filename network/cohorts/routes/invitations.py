"""The public page where an invited person accepts: they register from the invitation, or join as the
signed-in member it was sent to."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from network.access import public
from network.auth.sessions import end_session, start_session
from network.cohorts import queries, services
from network.cohorts.forms import AcceptInvitationForm
from network.cohorts.routes.blueprint import bp
from network.extensions import db
from network.members.models import User

log = logging.getLogger(__name__)


def _accept_problem(exc: Exception) -> str:
    if isinstance(exc, services.InvitationError):
        return str(exc)
    return "This invitation was used at the same moment from somewhere else. Sign in to see your cohort."


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """Register from the invitation, or join as the signed-in member it was sent to."""
    invitation = queries.find_invitation(token)
    try:
        services.usable_or_error(invitation)
    except services.InvitationError as exc:
        return render_template("cohorts/invitation_error.html", message=str(exc)), 404 if invitation is None else 410
    existing = db.session.scalars(select(User).where(User.email == invitation.email)).first()
    cohort = invitation.cohort
    if existing is not None or current_user.is_authenticated:
        if not current_user.is_authenticated:
            flash(f"You already have an account ({invitation.email}). Sign in to join {cohort.name}.", "info")
            return redirect(url_for("auth.login", next=url_for("cohorts.accept_invitation", token=token)))
        if existing is None or existing.id != current_user.id:
            return render_template("cohorts/invitation_error.html",
                                   message=f"This invitation was sent to {invitation.email}, and you are signed in "
                                           f"as {current_user.email}. Sign out first to use it."), 403
        if request.method == "POST":
            try:
                services.accept_as_member(invitation, current_user)
                db.session.commit()
            except (services.InvitationError, IntegrityError) as exc:
                db.session.rollback()
                return render_template("cohorts/invitation_error.html", message=_accept_problem(exc)), 409
            flash(f"Welcome to {cohort.name}, {cohort.program.name}!", "success")
            return redirect(url_for("main.index"))
        return render_template("cohorts/accept.html", invitation=invitation, cohort=cohort, member=True)
    form = AcceptInvitationForm()
    form.member_words = (invitation.email,)
    if request.method == "GET":
        form.name.data = invitation.name
    if form.validate_on_submit():
        try:
            user = services.register_from_invitation(invitation, form.name.data, form.password.data)
            # A brand-new session, as at every sign-in: nothing planted in this browser's session survives.
            start_session(user, remember=False)
            db.session.commit()
        except (services.InvitationError, IntegrityError) as exc:
            db.session.rollback()
            end_session()
            return render_template("cohorts/invitation_error.html", message=_accept_problem(exc)), 409
        log.info("member %s joined cohort %s from an invitation", user.id, cohort.id)
        flash(f"Welcome to Fellowship Network and to {cohort.name}!", "success")
        return redirect(url_for("main.index"))
    return render_template("cohorts/accept.html", invitation=invitation, cohort=cohort, form=form, member=False), \
        400 if form.is_submitted() else 200
