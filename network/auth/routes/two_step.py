"""Two-step sign-in on the member's account: setting it up with an authenticator app, the recovery codes,
and turning it off."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user

from network.access import account_view
from network.auth import two_factor
from network.auth.forms import ConfirmWithCodeForm, EnableTwoFactorForm
from network.auth.limits import reauth_limited
from network.auth.routes.blueprint import bp
from network.auth.sessions import TWO_FACTOR_DONE, confirm_step, reissue_session
from network.extensions import db

log = logging.getLogger(__name__)


#: The prefixes of the page's two forms that ask for the password and a code: turning it off, new codes.
CONFIRMED_ACTIONS = ("disable", "codes")


def _two_factor_page(status: int = 200, sent: dict[str, ConfirmWithCodeForm] | None = None):
    """Whether two-step sign-in is on, with the forms that turn it off and replace the codes: the one in
    ``sent`` (by its action) as the member sent it, errors and all, the other empty."""
    user = current_user._get_current_object()
    row = two_factor.setting(user.id)
    forms = {prefix: ConfirmWithCodeForm(prefix=prefix, member=user) for prefix in CONFIRMED_ACTIONS}
    forms.update(sent or {})
    return render_template(
        "auth/two_factor.html", setting=row, required=two_factor.is_required(user),
        codes_left=two_factor.recovery_codes_left(user.id) if row is not None and row.enabled_at else 0,
        disable_form=forms["disable"], codes_form=forms["codes"],
    ), status


def _setup_page(form, status: int = 200):
    """The set-up page: the secret as a QR code and a key, and ``form`` for the first code."""
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


def _check_password_and_code(form: ConfirmWithCodeForm) -> bool:
    """Fill the form's errors unless the password and a code both check out (the code is used up)."""
    user = current_user._get_current_object()
    if not confirm_step(form, user, "This is not your current password."):
        return False
    try:
        two_factor.verify(user, form.code.data)
    except two_factor.CodeRefused as exc:
        form.code.errors.append(str(exc))
        return False
    return True


def _refused(action: str):
    """None when the form of ``action`` (one of ``CONFIRMED_ACTIONS``) is valid and the member's password and
    a code both check out (the code is then used up); otherwise the page again, 400, with the errors."""
    form = ConfirmWithCodeForm(prefix=action, member=current_user)
    if form.validate_on_submit() and _check_password_and_code(form):
        return None
    db.session.rollback()
    return _two_factor_page(400, sent={action: form})


@bp.route("/account/two-factor/disable", methods=["POST"])
@account_view
@reauth_limited
def two_factor_disable():
    """Turn two-step sign-in off (password and a code); a role that requires it goes straight to a new set-up."""
    user = current_user._get_current_object()
    if not two_factor.is_enabled(user.id):
        flash("Two-step sign-in is already off.", "info")
        return redirect(url_for("auth.two_factor_status"))
    refused = _refused("disable")
    if refused is not None:
        return refused
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
    if not two_factor.is_enabled(user.id):
        return redirect(url_for("auth.two_factor_status"))
    refused = _refused("codes")
    if refused is not None:
        return refused
    codes = two_factor.new_recovery_codes(user)
    db.session.commit()
    log.info("member %s replaced their recovery codes", user.id)
    return render_template("auth/recovery_codes.html", codes=codes, replaced=True)
