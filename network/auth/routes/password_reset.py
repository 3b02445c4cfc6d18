"""Password reset: asking for the emailed link, and setting a new password from it."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from network.access import public
from network.auth import services
from network.auth.forms import ForgotPasswordForm, ResetPasswordForm
from network.auth.limits import per_address_and, reset_limit, submitted_email
from network.auth.routes.blueprint import bp
from network.auth.sessions import end_session
from network.auth.tokens import TokenError, read_reset_token
from network.extensions import db, limiter

log = logging.getLogger(__name__)


@bp.route("/reset", methods=["GET", "POST"])
@public
@per_address_and(reset_limit, submitted_email)
def forgot_password():
    """Ask for a password reset link (same answer whether the address is known or not)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash("If an account uses that address, we have emailed it a link to set a new password. "
              "The link works once, for one hour.", "info")
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(reset_limit, methods=["POST"])
def reset_password(token: str):
    """Set a new password from an emailed link: once, within the hour."""
    try:
        user = read_reset_token(token, services.load_member)
    except TokenError as exc:
        return render_template("auth/token_error.html", message=str(exc), reset=True), 400
    form = ResetPasswordForm(member=user)
    if form.validate_on_submit():
        services.set_new_password(user, form.password.data)
        # The link came to their inbox, so the address is theirs.
        services.confirm_email(user)
        if current_user.is_authenticated:
            end_session()
        db.session.commit()
        log.info("member %s reset their password", user.id)
        flash("Your password is changed and every other session is signed out. Sign in with the new password.",
              "success")
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form, user=user), status
