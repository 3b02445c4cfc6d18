"""Signing in (with the second step when two-step sign-in is on) and signing out."""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from network.access import public
from network.auth import services, two_factor
from network.auth.forms import CodeForm, LoginForm
from network.auth.limits import code_limit, login_limit, pending_member_key, per_address_and, submitted_email
from network.auth.routes.blueprint import bp
from network.auth.sessions import PENDING_SIGN_IN, end_session, start_session
from network.extensions import db
from network.identity.providers import enabled_providers
from network.members.models import MemberDeactivation
from network.types import utcnow
from network.urls import safe_next

log = logging.getLogger(__name__)


def _pending_member():
    """The member whose password was right and whose code is awaited, or None when that has lapsed."""
    pending = session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict):
        return None
    parts = str(pending.get("user", "")).split(":")  # the member's Flask-Login id, "<id>:<session version>"
    started = pending.get("at")
    if len(parts) != 2 or not all(part.isdigit() for part in parts) or not isinstance(started, int) \
            or not 0 <= utcnow().timestamp() - started <= current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        return None
    user = services.load_member(int(parts[0]))
    if user is None or user.session_version != int(parts[1]) or not user.is_active:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@public
@per_address_and(login_limit, submitted_email)
def login():
    """Sign in with email and password."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and user.is_active and two_factor.is_enabled(user.id):
            # The password was right; the session says so only until the code arrives (or 5 minutes pass).
            session.clear()
            session[PENDING_SIGN_IN] = {"user": user.get_id(), "at": int(utcnow().timestamp()),
                                        "remember": bool(form.remember.data), "next": next_url}
            return redirect(url_for("auth.login_code"))
        if user is not None and user.is_active:
            start_session(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session.commit()
            log.info("member %s signed in", user.id)
            return redirect(next_url or url_for("main.index"))
        if user is not None:
            if db.session.get(MemberDeactivation, user.id) is not None:
                form.form_errors.append("This account has been deactivated by the site administrators. "
                                        "Write to them if you think this is a mistake.")
            else:
                form.form_errors.append("This account was not admitted to the network. Write to the site "
                                        "administrators if you think this is a mistake.")
            status = 403
        else:
            # The same words for an unknown address and for an account that has no password (it came from an
            # institution's sign-in), so the form tells nobody which addresses have accounts.
            form.form_errors.append("That email and password do not match an account. Check both, or reset "
                                    "your password. If your account came from your institution's sign-in, use "
                                    "its button, or set a password with a reset link.")
            status = 400
    elif form.is_submitted():
        status = 400
    return _login_page(form, next_url, status)


def _login_page(form: LoginForm, next_url: str | None, status: int):
    """The sign-in page: the password form and a "Sign in with ..." button per enabled provider; the provider
    a program's landing page names (``?idp=<slug>``) comes first and stands out."""
    providers = enabled_providers()
    chosen = next((p for p in providers if p.slug == request.args.get("idp")), None)
    if chosen is not None:
        providers = [chosen] + [p for p in providers if p is not chosen]
    return render_template("auth/login.html", form=form, next_url=next_url, providers=providers,
                           chosen=chosen), status


@bp.route("/login/code", methods=["GET", "POST"])
@public
@per_address_and(code_limit, pending_member_key)
def login_code():
    """The sign-in's second step: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = _pending_member()
    if user is None:
        session.pop(PENDING_SIGN_IN, None)
        flash("Please sign in again: the wait for your code ran out.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        pending = session[PENDING_SIGN_IN]
        try:
            how = two_factor.verify(user, form.code.data)
        except two_factor.CodeRefused as exc:
            db.session.rollback()
            form.code.errors.append(str(exc))
            status = 400
        else:
            start_session(user, remember=bool(pending.get("remember")), two_factor_done=True)
            user.last_login_at = utcnow()
            db.session.commit()
            log.info("member %s signed in with a second step (%s)", user.id, how)
            if how == "recovery":
                left = two_factor.recovery_codes_left(user.id)
                flash(f"You signed in with a recovery code; {left} left. Each works once: "
                      "make new ones on your account page if you are running low.", "warning")
            return redirect(safe_next(pending.get("next")) or url_for("main.index"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login_code.html", form=form), status


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """Sign out of this device."""
    if current_user.is_authenticated:
        end_session("You are signed out.")
        db.session.commit()
    return redirect(url_for("main.index"))
