"""The member's account page: their details, changing the password, their signed-in devices and their
personal access tokens for the API."""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select

from network.access import account_view
from network.auth import api_tokens, services
from network.auth.forms import ApiTokenForm, ChangePasswordForm
from network.auth.limits import reauth_limited
from network.auth.models import ApiToken
from network.auth.routes.blueprint import bp
from network.auth.sealing import hold_sealed, take_sealed
from network.auth.sessions import confirm_step, current_token, end_session, reissue_session, token_hash
from network.confirmation import confirmation_page, confirmed
from network.extensions import db
from network.identity.linking import linked_identities
from network.identity.providers import enabled_providers
from network.members.models import MemberSession

log = logging.getLogger(__name__)


#: The session key that carries a new token's secret, sealed, from its POST to the page that shows it once.
NEW_TOKEN = "new_api_token"  # noqa: S105  # nosec B105 (a key's name)


def _token_form() -> ApiTokenForm:
    return ApiTokenForm(prefix="token", scopes=api_tokens.offered_scopes(current_user), member=current_user)


def _new_token() -> tuple[ApiToken, str] | None:
    """The token made by the POST that led here and its secret, taken out of the session: shown this once."""
    held = take_sealed(session, NEW_TOKEN, current_app.config["SECRET_KEY"])
    if held is None:
        return None
    token = db.session.get(ApiToken, held[0].get("id"))
    if token is None or token.user_id != current_user.id or token.revoked_at is not None:
        return None
    return token, held[1]


def _account_page(password_form: ChangePasswordForm | None = None, token_form: ApiTokenForm | None = None,
                  status: int = 200):
    """The account page, with ``password_form`` or ``token_form`` as sent (or empty ones), the member's live
    sessions, their sign-in methods (the identities linked through institutions, and the institutions they could
    link) and, for a verified member, their API tokens (a new one's secret once, after its creation)."""
    member_sessions = db.session.scalars(services.live_sessions(current_user.id).limit(50)).all()
    token = current_token()
    tokens = new_token = None
    if current_user.is_verified:
        token_form = token_form or _token_form()
        tokens = db.session.scalars(api_tokens.live_tokens(current_user.id).limit(api_tokens.MAX_LIVE_TOKENS)).all()
        new_token = _new_token() if status == 200 else None
    return render_template("auth/account.html", password_form=password_form or ChangePasswordForm(member=current_user),
                           member_sessions=member_sessions, this_session=token_hash(token) if token else None,
                           identities=db.session.execute(linked_identities(current_user.id).limit(50)).all(),
                           providers=enabled_providers(), token_form=token_form, api_tokens=tokens,
                           new_token=new_token, scope_labels=api_tokens.SCOPE_LABELS), status


@bp.route("/account")
@account_view
def account():
    """The member's own account: details, password, sessions and API tokens."""
    return _account_page()


@bp.route("/account/password", methods=["POST"])
@account_view
@reauth_limited
def change_password():
    """Change the password; every other session ends."""
    form = ChangePasswordForm(member=current_user)
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("This is not your current password.")
        else:
            user = current_user._get_current_object()
            services.set_new_password(user, form.password.data)
            reissue_session(user)
            db.session.commit()
            log.info("member %s changed their password", user.id)
            flash("Your password is changed. Every other device is signed out.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(password_form=form, status=400)


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@account_view
def sign_out_everywhere():
    """End every other session and remember-me cookie of this member."""
    user = current_user._get_current_object()
    user.end_other_sessions()
    reissue_session(user)
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


@bp.route("/account/api-tokens", methods=["POST"])
@reauth_limited
def create_api_token():
    """Make a personal access token, confirmed by the password; the next page shows its secret, once."""
    form = _token_form()
    user = current_user._get_current_object()
    if form.validate_on_submit() and confirm_step(form, user, "This is not your current password."):
        try:
            token, secret = api_tokens.issue(user, form.name.data, form.scopes.data, form.days.data,
                                             actor_id=user.id)
        except api_tokens.TokenError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            hold_sealed(session, NEW_TOKEN, secret, current_app.config["SECRET_KEY"], id=token.id)
            log.info("member %s created API token %s", user.id, token.id)
            flash(f"Your token “{token.name}” is ready. Copy it now: you will not see it again.", "success")
            return redirect(url_for("auth.account", _anchor="new-api-token"))
    return _account_page(token_form=form, status=400)


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_api_token(token_id: int):
    """Revoke one of my tokens after a confirmation: what uses it is refused from its next request."""
    token = db.first_or_404(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id))
    back = url_for("auth.account", _anchor="api-tokens")
    if not confirmed():
        return confirmation_page(
            title=f"Revoke the token “{token.name}”?",
            consequences="Whatever uses this token (a script, an app, another system) is refused from its next "
                         "request. This cannot be undone: make a new token if you need one again.",
            button="Revoke the token", cancel=back)
    if api_tokens.revoke(token, actor_id=current_user.id):
        db.session.commit()
        log.info("member %s revoked API token %s", current_user.id, token.id)
        flash(f"The token “{token.name}” is revoked.", "success")
    else:
        flash(f"The token “{token.name}” was revoked already.", "info")
    return redirect(back)
