"""A member's notifications and mail preference."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from network.extensions import db
from network.notifications import services
from network.notifications.forms import ActionForm, SettingsForm
from network.notifications.models import EmailMode, Notification

bp = Blueprint("notifications", __name__, cli_group="digest")

PAGE_SIZE = 30


@bp.app_context_processor
def unread_notifications():
    """``unread_notifications()`` in templates: the badge count, queried only when a page asks."""
    cache = {}

    def count() -> int:
        if "n" not in cache:
            cache["n"] = services.unread_count(current_user.id) if current_user.is_authenticated else 0
        return cache["n"]

    return {"unread_notifications": count}


@bp.route("/")
def index():
    """Newest first; keyset pages by id."""
    before = request.args.get("before", type=int)
    query = select(Notification).where(Notification.user_id == current_user.id)
    if before is not None:
        query = query.where(Notification.id < before)
    rows = db.session.scalars(query.order_by(Notification.id.desc()).limit(PAGE_SIZE + 1)).all()
    older = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return render_template("notifications/index.html", notifications=rows[:PAGE_SIZE], older=older,
                           action_form=ActionForm())


@bp.route("/<int:notification_id>/open", methods=["POST"])
def open_notification(notification_id: int):
    """Mark one notification read and go where it points."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.mark_read(notification)
    db.session.commit()
    link = notification.link if notification.link.startswith("/") and not notification.link.startswith("//") \
        else url_for("notifications.index")
    return redirect(link)


@bp.route("/read-all", methods=["POST"])
def read_all():
    """Mark every notification read."""
    if not ActionForm().validate_on_submit():
        abort(400)
    count = services.mark_all_read(current_user.id)
    db.session.commit()
    flash(f"{count} notification{'s' if count != 1 else ''} marked read.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Choose how notifications arrive by mail: right away, a daily digest, or not at all."""
    form = SettingsForm()
    if form.is_submitted():
        if not form.validate():
            return render_template("notifications/settings.html", form=form), 400
        services.set_email_mode(current_user.id, EmailMode(form.email_mode.data))
        db.session.commit()
        flash("Your notification settings are saved.", "success")
        return redirect(url_for("notifications.settings"))
    form.email_mode.data = services.email_mode(current_user.id).value
    return render_template("notifications/settings.html", form=form)


@bp.cli.command("daily")
def daily_digest_command():
    """Mail each member who chose the daily digest their unread notifications of the last day."""
    import click

    sent = services.send_daily_digests()
    db.session.commit()
    click.echo(f"{sent} digest mail{'s' if sent != 1 else ''} queued.")
