"""Sign in, register, confirm, reset and change passwords."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from network.access import account_view, public
from network.auth import services
from network.auth.forms import (ActionForm, ChangePasswordForm, ForgotPasswordForm, LoginForm, RegisterForm,
                                ResetPasswordForm)
from network.auth.tokens import TokenError, read_confirmation_token, read_reset_token
from network.extensions import db, limiter
from network.members.models import Role, normalize_email
from network.types import utcnow

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)

DUPLICATE_EMAIL = "An account with this email address already exists. Sign in, or reset your password if you forgot it."


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_limit():
    return current_app.config["RESET_RATE_LIMIT"]


def _register_limit():
    return current_app.config["REGISTER_RATE_LIMIT"]


def _submitted_email():
    """Rate-limit key: the address being tried, so spreading guesses over many IPs does not help."""
    return "email:" + normalize_email(request.form.get("email", ""))[:254]


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _keep_signed_in(user) -> None:
    """Re-issue this device's session after the session version changed."""
    remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
    login_user(user, remember=remembered)


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_register_limit, methods=["POST"])
def register():
    """Create an account: pending until the email is confirmed and an admin verifies it."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.register_member(form.name.data, form.email.data, form.password.data, Role(form.role.data))
            db.session.commit()
        except (services.EmailTaken, IntegrityError):
            db.session.rollback()
            form.email.errors.append(DUPLICATE_EMAIL)
            status = 409
        else:
            log.info("member %s registered as %s", user.id, user.role)
            login_user(user)
            flash("Welcome! We sent you an email: follow its link to confirm your address.", "success")
            return redirect(url_for("main.pending"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email)
def login():
    """Sign in with email and password."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and user.is_active:
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session.commit()
            log.info("member %s signed in", user.id)
            return redirect(next_url or url_for("main.index"))
        if user is not None:
            form.form_errors.append("This account was not admitted to the network. Write to the site administrators if you think this is a mistake.")
            status = 403
        else:
            form.form_errors.append("That email and password do not match an account. Check both, or reset your password.")
            status = 400
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """Sign out of this device."""
    form = ActionForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("main.index"))


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
@limiter.limit(_reset_limit)
def resend_confirmation():
    """Send the confirmation link again."""
    form = ActionForm()
    if form.validate_on_submit():
        if current_user.email_confirmed:
            flash("Your email address is already confirmed.", "info")
        else:
            services.send_confirmation(current_user)
            db.session.commit()
            flash(f"We sent a new confirmation link to {current_user.email}.", "success")
    return redirect(url_for("main.pending") if current_user.is_pending else url_for("auth.account"))


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_submitted_email)
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
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str):
    """Set a new password from an emailed link: once, within the hour."""
    try:
        user = read_reset_token(token, services.load_member)
    except TokenError as exc:
        return render_template("auth/token_error.html", message=str(exc), reset=True), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_new_password(user, form.password.data)
        # The link came to their inbox, so the address is theirs.
        services.confirm_email(user)
        db.session.commit()
        log.info("member %s reset their password", user.id)
        if current_user.is_authenticated:
            logout_user()
        flash("Your password is changed and every other session is signed out. Sign in with the new password.",
              "success")
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form, user=user), status


@bp.route("/account")
@account_view
def account():
    """The member's own account: details, password and sessions."""
    return render_template("auth/account.html", password_form=ChangePasswordForm(), action_form=ActionForm())


@bp.route("/account/password", methods=["POST"])
@account_view
def change_password():
    """Change the password; every other session ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("This is not your current password.")
        else:
            user = current_user._get_current_object()
            services.set_new_password(user, form.password.data)
            db.session.commit()
            _keep_signed_in(user)
            log.info("member %s changed their password", user.id)
            flash("Your password is changed. Every other device is signed out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", password_form=form, action_form=ActionForm()), 400


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@account_view
def sign_out_everywhere():
    """End every other session and remember-me cookie of this member."""
    form = ActionForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.end_other_sessions()
        db.session.commit()
        _keep_signed_in(user)
        log.info("member %s signed out everywhere else", user.id)
        flash("Every other device is signed out. This one stays signed in.", "success")
    return redirect(url_for("auth.account"))
