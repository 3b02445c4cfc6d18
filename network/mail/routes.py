"""Administrators' view of the outbox: counts by state, the mails given up on, and "retry"."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from network.access import role_required
from network.audit.models import record
from network.extensions import db
from network.mail import services
from network.mail.models import EmailOutbox
from network.members.models import Role
from network.notifications.forms import ActionForm

bp = Blueprint("mail", __name__)


@bp.route("/")
@role_required(Role.ADMIN)
def outbox():
    """The queue at a glance and every failed mail with its last error."""
    return render_template("notifications/outbox.html", counts=services.outbox_counts(),
                           failed=services.failed_mails(), action_form=ActionForm())


@bp.route("/<int:mail_id>/retry", methods=["POST"])
@role_required(Role.ADMIN)
def retry(mail_id: int):
    """Queue a failed mail again with fresh attempts."""
    mail = db.session.get(EmailOutbox, mail_id)
    if mail is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not services.retry(mail):
        abort(409, "That mail is not failed: nothing to retry.")
    record(current_user.id, "mail.retry", "email_outbox", mail.id, recipient=mail.recipient, kind=mail.kind)
    db.session.commit()
    flash(f"The mail to {mail.recipient} is queued again.", "success")
    return redirect(url_for("mail.outbox"))
