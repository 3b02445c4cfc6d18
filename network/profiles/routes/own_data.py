"""The member's own data: download everything the network keeps about them, or delete the account."""

from __future__ import annotations

import logging

from flask import redirect, render_template, url_for
from flask_login import current_user

from network.access import account_view
from network.auth.limits import reauth_limited
from network.auth.sessions import confirm_step, end_session
from network.downloads import private_file
from network.export import services as export_services
from network.extensions import db
from network.profiles import services
from network.profiles.forms import DeleteAccountForm
from network.profiles.routes.blueprint import bp

log = logging.getLogger(__name__)


@bp.route("/me/export")
@account_view
def export():
    """Download everything the network keeps about me: a ZIP of data.json and a readable index.html."""
    return private_file(export_services.archive(current_user), "application/zip", "fellowship-network-my-data.zip")


@bp.route("/me/delete", methods=["GET", "POST"])
@account_view
@reauth_limited
def delete_account():
    """Delete my account after confirming with my password (a recent sign-in, without one)."""
    form = DeleteAccountForm(member=current_user)
    if form.validate_on_submit() and confirm_step(form, current_user, "That is not your password."):
        user = current_user._get_current_object()
        services.delete_account(user)
        end_session("Your account and your personal data are deleted. Thank you for being part of the network.")
        db.session.commit()
        log.info("member %s deleted their account", user.id)
        return redirect(url_for("main.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("profiles/delete_account.html", form=form), status
