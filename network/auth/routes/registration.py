"""Registration, and the mail that confirms a member's address (the link, and sending it again)."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from network.access import account_view, public
from network.auth import services
from network.auth.forms import RegisterForm
from network.auth.limits import register_limit, reset_limit
from network.auth.routes.blueprint import bp
from network.auth.tokens import TokenError, read_confirmation_token
from network.extensions import db, limiter
from network.members.models import Role

log = logging.getLogger(__name__)

REGISTERED = ("Thank you. We sent a mail to that address: follow its link to confirm it, then sign in here. "
              "An administrator verifies new accounts.")


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(register_limit, methods=["POST"])
def register():
    """Create an account: pending until the email is confirmed and an admin verifies it.

    An address that already has an account gets the same answer as a new one (its owner is mailed
    instead), so the form tells nobody who is a member.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    form.set_programs(db.session.execute(services.program_choices()).all())
    if form.validate_on_submit():
        try:
            user = services.register_member(form.name.data, form.email.data, form.password.data, Role(form.role.data),
                                            **form.registration_details())
            db.session.commit()
        except IntegrityError:
            # The same address registered at the same moment: as for any address already taken.
            db.session.rollback()
        else:
            if user is not None:
                log.info("member %s registered as %s", user.id, user.role)
        flash(REGISTERED, "success")
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/confirm/<token>")
@public
def confirm_email(token: str):
    """Follow the emailed link that proves the member owns the address."""
    try:
        payload = read_confirmation_token(token)
    except TokenError as exc:
        return render_template("auth/token_error.html", message=str(exc), resend=current_user.is_authenticated), 400
    user = services.load_member(payload.get("uid"))
    if user is None or user.email != payload.get("email"):
        return render_template("auth/token_error.html", resend=current_user.is_authenticated,
                               message="This confirmation link is not valid any more."), 400
    if services.confirm_email(user):
        db.session.commit()
        log.info("member %s confirmed their email", user.id)
        flash("Thank you, your email address is confirmed.", "success")
    else:
        flash("Your email address was already confirmed.", "info")
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    return redirect(url_for("auth.login"))


@bp.route("/confirm/resend", methods=["POST"])
@account_view
@limiter.limit(reset_limit)
def resend_confirmation():
    """Send the confirmation link again."""
    if current_user.email_confirmed:
        flash("Your email address is already confirmed.", "info")
    else:
        services.send_confirmation(current_user)
        db.session.commit()
        flash(f"We sent a new confirmation link to {current_user.email}.", "success")
    return redirect(url_for("main.pending") if current_user.is_pending else url_for("auth.account"))
