"""The member's account page: their details, changing the password, and their signed-in devices."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from network.access import account_view
from network.auth import services
from network.auth.forms import ChangePasswordForm
from network.auth.limits import reauth_limited
from network.auth.routes.blueprint import bp
from network.auth.sessions import current_token, end_session, reissue_session, token_hash
from network.extensions import db
from network.identity.linking import linked_identities
from network.identity.providers import enabled_providers
from network.members.models import MemberSession

log = logging.getLogger(__name__)


def _account_page(password_form: ChangePasswordForm | None = None, status: int = 200):
    """The account page, with ``password_form`` as sent (or an empty one), the member's live sessions and their
    sign-in methods (the identities linked through institutions, and the institutions they could link)."""
    member_sessions = db.session.scalars(services.live_sessions(current_user.id).limit(50)).all()
    token = current_token()
    return render_template("auth/account.html", password_form=password_form or ChangePasswordForm(member=current_user),
                           member_sessions=member_sessions, this_session=token_hash(token) if token else None,
                           identities=db.session.execute(linked_identities(current_user.id).limit(50)).all(),
                           providers=enabled_providers()), status


@bp.route("/account")
@account_view
def account():
    """The member's own account: details, password and sessions."""
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
    return _account_page(form, 400)


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
