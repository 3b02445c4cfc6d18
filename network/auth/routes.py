"""Sign in (with a second step when it is on), register, confirm, reset and change passwords; two-step set-up."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from network.access import account_view, public
from network.auth import services, two_factor
from network.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmWithCodeForm,
    EnableTwoFactorForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from network.auth.limits import reauth_limited
from network.auth.sessions import (
    PENDING_SIGN_IN,
    TWO_FACTOR_DONE,
    current_token,
    end_session,
    reissue_session,
    start_session,
    token_hash,
)
from network.auth.tokens import TokenError, read_confirmation_token, read_reset_token
from network.extensions import configured_limit, db, limiter
from network.members.models import MemberDeactivation, MemberSession, Role, normalize_email
from network.types import utcnow
from network.urls import safe_next

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)

REGISTERED = ("Thank you. We sent a mail to that address: follow its link to confirm it, then sign in here. "
              "An administrator verifies new accounts.")


_login_limit = configured_limit("LOGIN_RATE_LIMIT")
_reset_limit = configured_limit("RESET_RATE_LIMIT")
_register_limit = configured_limit("REGISTER_RATE_LIMIT")
_code_limit = configured_limit("TWO_FACTOR_RATE_LIMIT")


def _pending_member_key():
    """Rate-limit key for second steps: the member being signed in, whichever address tries."""
    pending = session.get(PENDING_SIGN_IN) or {}
    return "two-factor:" + str(pending.get("user", "none"))[:40]


def _submitted_email():
    """Rate-limit key: the address being tried, so spreading guesses over many IPs does not help."""
    return "email:" + normalize_email(request.form.get("email", ""))[:254]


def _keep_signed_in(user) -> None:
    """Re-issue this device's session after the session version changed."""
    reissue_session(user)


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


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_register_limit, methods=["POST"])
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
            form.form_errors.append("That email and password do not match an account. Check both, or reset your password.")
            status = 400
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(_code_limit, methods=["POST"])
@limiter.limit(_code_limit, methods=["POST"], key_func=_pending_member_key)
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
    form.member_words = (user.name, user.email)
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


def _account_page(password_form, status: int = 200):
    member_sessions = db.session.scalars(services.live_sessions(current_user.id).limit(50)).all()
    token = current_token()
    return render_template("auth/account.html", password_form=password_form,
                           member_sessions=member_sessions,
                           this_session=token_hash(token) if token else None), status


@bp.route("/account")
@account_view
def account():
    """The member's own account: details, password and sessions."""
    return _account_page(ChangePasswordForm())


@bp.route("/account/password", methods=["POST"])
@account_view
@reauth_limited
def change_password():
    """Change the password; every other session ends."""
    form = ChangePasswordForm()
    form.member_words = (current_user.name, current_user.email)
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("This is not your current password.")
        else:
            user = current_user._get_current_object()
            services.set_new_password(user, form.password.data)
            _keep_signed_in(user)
            db.session.commit()
            log.info("member %s changed their password", user.id)
            flash("Your password is changed. Every other device is signed out.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(form, 400)


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@account_view
def sign_out_everywhere():
    """End every other session and remember-me cookie of this member."""
    user = current_user._get_current_object()
    user.end_other_sessions()
    _keep_signed_in(user)
    db.session.commit()
    log.info("member %s signed out everywhere else", user.id)
    flash("Every other device is signed out. This one stays signed in.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@account_view
def end_member_session(session_id: int):
    """Sign one of my devices out (its remember-me cookie too)."""
    member_session = db.first_or_404(select(MemberSession).where(MemberSession.id == session_id,
                                                                 MemberSession.user_id == current_user.id))
    token = current_token()
    if token is not None and member_session.token_hash == token_hash(token):
        end_session("You are signed out.")
        db.session.commit()
        return redirect(url_for("main.index"))
    services.end_member_session(member_session)
    db.session.commit()
    log.info("member %s ended their session %s", current_user.id, member_session.id)
    flash(f"{member_session.user_agent} is signed out.", "success")
    return redirect(url_for("auth.account"))


# -- two-step sign-in -------------------------------------------------------------------------------

def _two_factor_page(status: int = 200, disable_form=None, codes_form=None):
    user = current_user._get_current_object()
    row = two_factor.setting(user.id)
    return render_template(
        "auth/two_factor.html", setting=row, required=two_factor.is_required(user),
        codes_left=two_factor.recovery_codes_left(user.id) if row is not None and row.enabled_at else 0,
        disable_form=disable_form or ConfirmWithCodeForm(prefix="disable"),
        codes_form=codes_form or ConfirmWithCodeForm(prefix="codes"),
    ), status


def _setup_page(form, status: int = 200):
    user = current_user._get_current_object()
    secret = two_factor.pending_secret(user.id)
    if secret is None:
        return redirect(url_for("auth.two_factor_status"))
    uri = two_factor.provisioning_uri(user, secret)
    return render_template("auth/two_factor_setup.html", form=form, qr=two_factor.qr_svg(uri),
                           key=two_factor.format_key(secret)), status


@bp.route("/account/two-factor")
@account_view
def two_factor_status():
    """Two-step sign-in: whether it is on, and the ways to set it up, replace codes or turn it off."""
    return _two_factor_page()


@bp.route("/account/two-factor/setup", methods=["POST"])
@account_view
def two_factor_start():
    """Make a new authenticator secret, then show it as a QR code (nothing is on until a code is right)."""
    if two_factor.is_enabled(current_user.id):
        flash("Two-step sign-in is already on.", "info")
        return redirect(url_for("auth.two_factor_status"))
    two_factor.start_enrolment(current_user._get_current_object())
    db.session.commit()
    return redirect(url_for("auth.two_factor_setup"))


@bp.route("/account/two-factor/setup")
@account_view
def two_factor_setup():
    """The QR code and the key to type in, and a field for the first code."""
    return _setup_page(EnableTwoFactorForm())


@bp.route("/account/two-factor/enable", methods=["POST"])
@account_view
@reauth_limited
def two_factor_enable():
    """Turn two-step sign-in on when the first code is right; show the recovery codes once."""
    form = EnableTwoFactorForm()
    if not form.validate_on_submit():
        return _setup_page(form, 400)
    user = current_user._get_current_object()
    try:
        codes = two_factor.enable(user, form.code.data)
    except two_factor.CodeRefused as exc:
        db.session.rollback()
        form.code.errors.append(str(exc))
        return _setup_page(form, 400)
    # Every other session ended; this one carries on, now with its second step done.
    session[TWO_FACTOR_DONE] = True
    reissue_session(user)
    db.session.commit()
    log.info("member %s turned on two-step sign-in", user.id)
    flash("Two-step sign-in is on. Every other device was signed out.", "success")
    # Shown in this response only (not redirected): the codes never travel in a cookie or a URL.
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.route("/account/two-factor/cancel", methods=["POST"])
@account_view
def two_factor_cancel():
    """Forget an unfinished set-up."""
    two_factor.cancel_enrolment(current_user.id)
    db.session.commit()
    flash("Set-up cancelled. Nothing changed on your account.", "info")
    return redirect(url_for("auth.two_factor_status"))


def _check_password_and_code(form) -> bool:
    """Fill the form's errors unless the password and a code both check out (the code is used up)."""
    user = current_user._get_current_object()
    if not user.check_password(form.password.data):
        form.password.errors.append("This is not your current password.")
        return False
    try:
        two_factor.verify(user, form.code.data)
    except two_factor.CodeRefused as exc:
        form.code.errors.append(str(exc))
        return False
    return True


@bp.route("/account/two-factor/disable", methods=["POST"])
@account_view
@reauth_limited
def two_factor_disable():
    """Turn two-step sign-in off (password and a code); a role that requires it goes straight to a new set-up."""
    user = current_user._get_current_object()
    form = ConfirmWithCodeForm(prefix="disable")
    if not two_factor.is_enabled(user.id):
        flash("Two-step sign-in is already off.", "info")
        return redirect(url_for("auth.two_factor_status"))
    if not form.validate_on_submit() or not _check_password_and_code(form):
        db.session.rollback()
        return _two_factor_page(400, disable_form=form)
    two_factor.disable(user)
    session.pop(TWO_FACTOR_DONE, None)
    reissue_session(user)
    db.session.commit()
    log.info("member %s turned off two-step sign-in", user.id)
    if two_factor.is_required(user):
        flash("Two-step sign-in is off. Your role requires it: set it up again, for example on your new phone.",
              "warning")
    else:
        flash("Two-step sign-in is off. Every other device was signed out.", "success")
    return redirect(url_for("auth.two_factor_status"))


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@account_view
@reauth_limited
def two_factor_new_codes():
    """Replace the recovery codes (password and a code); the old ones stop working."""
    user = current_user._get_current_object()
    form = ConfirmWithCodeForm(prefix="codes")
    if not two_factor.is_enabled(user.id):
        return redirect(url_for("auth.two_factor_status"))
    if not form.validate_on_submit() or not _check_password_and_code(form):
        db.session.rollback()
        return _two_factor_page(400, codes_form=form)
    codes = two_factor.new_recovery_codes(user)
    db.session.commit()
    log.info("member %s replaced their recovery codes", user.id)
    return render_template("auth/recovery_codes.html", codes=codes, replaced=True)
