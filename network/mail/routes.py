"""Administrators' view of the outbox: counts by state, the mails waiting and given up on, a preview of
each, "retry", and in development the mail preview of every mail written to ``instance/mail/``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from network.access import role_required
from network.audit.models import record
from network.extensions import db
from network.mail import preview, services
from network.mail.models import EmailOutbox
from network.members.models import Role

bp = Blueprint("mail", __name__)


@bp.route("/")
@role_required(Role.ADMIN)
def outbox():
    """The queue at a glance, the mails waiting and every failed mail with its last error."""
    return render_template("notifications/outbox.html", counts=services.outbox_counts(),
                           waiting=services.waiting_mails(), failed=services.failed_mails(),
                           mail_preview=preview.enabled())


@bp.route("/<int:mail_id>")
@role_required(Role.ADMIN)
def show(mail_id: int):
    """One mail of the outbox as its recipient would read it, its links' tokens hidden."""
    mail = db.get_or_404(EmailOutbox, mail_id)
    return render_template("outbox/mail.html", mail=mail, text_body=services.without_secrets(mail.text_body),
                           html_body=services.without_secrets(mail.html_body))


@bp.route("/<int:mail_id>/retry", methods=["POST"])
@role_required(Role.ADMIN)
def retry(mail_id: int):
    """Queue a failed mail again with fresh attempts."""
    mail = db.get_or_404(EmailOutbox, mail_id)
    if not services.retry(mail):
        abort(409, "That mail is not failed: nothing to retry.")
    record(current_user.id, "mail.retry", "email_outbox", mail.id, recipient=mail.recipient, kind=mail.kind)
    db.session.commit()
    flash(f"The mail to {mail.recipient} is queued again.", "success")
    return redirect(url_for("mail.outbox"))


@bp.route("/preview/")
@role_required(Role.ADMIN)
def preview_list():
    """Development: every mail the app wrote to instance/mail/, newest first."""
    if not preview.enabled():
        abort(404)
    mails, total = preview.listing()
    return render_template("outbox/preview_list.html", mails=mails, total=total, folder=preview.directory())


@bp.route("/preview/<name>")
@role_required(Role.ADMIN)
def preview_show(name: str):
    """Development: one written mail, headers, text and HTML (as source, never run)."""
    if not preview.enabled():
        abort(404)
    mail = preview.read(name)
    if mail is None:
        abort(404)
    return render_template("outbox/preview_show.html", mail=mail)
