"""A member's notification centre, their preferences per group, and one-click unsubscribe."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, or_

from network.access import public
from network.extensions import csrf, db
from network.integers import int_arg
from network.notifications import services
from network.notifications.forms import PreferencesForm, field_name
from network.notifications.kinds import GROUPS_BY_KEY, group_of
from network.notifications.models import Notification
from network.notifications.unsubscribe import DIGEST, read_token
from network.text.words import plural

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 30


@bp.app_template_global()
def notification_group_label(kind: str) -> str:
    return group_of(kind).label


@bp.route("/")
def index():
    """Newest first by date (then id), all or unread only (``?unread=1``); keyset pages after the
    notification ``?before=<id>`` (its time looked up by primary key, on later pages only)."""
    before = int_arg("before")
    unread_only = request.args.get("unread") == "1"
    query = services.notifications_of(current_user.id, unread_only)
    if before is not None:
        last = db.session.get(Notification, before)
        if last is None or last.user_id != current_user.id:  # gone (or never theirs): by id alone
            query = query.where(Notification.id < before)
        else:
            query = query.where(or_(Notification.created_at < last.created_at,
                                    and_(Notification.created_at == last.created_at, Notification.id < last.id)))
    rows = db.session.scalars(query.order_by(*services.NEWEST_FIRST).limit(PAGE_SIZE + 1)).all()
    older = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return render_template("notifications/index.html", notifications=rows[:PAGE_SIZE], older=older,
                           unread_only=unread_only)


@bp.route("/<int:notification_id>/open", methods=["POST"])
def open_notification(notification_id: int):
    """Mark one notification read and go where it points."""
    notification = db.get_or_404(Notification, notification_id)
    if notification.user_id != current_user.id:
        abort(404)
    services.mark_read(notification)
    db.session.commit()
    link = notification.link if notification.link.startswith("/") and not notification.link.startswith("//") \
        else url_for("notifications.index")
    return redirect(link)


@bp.route("/read-all", methods=["POST"])
def read_all():
    """Mark every notification read."""
    count = services.mark_all_read(current_user.id)
    db.session.commit()
    flash(f"{plural(count, 'notification')} marked read.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Per group of notifications: on the site only, by mail right away, in the daily digest, or off."""
    form = PreferencesForm()
    if form.is_submitted():
        if not form.validate():
            return render_template("notifications/settings.html", form=form), 400
        services.set_preferences(current_user.id, form.choices())
        db.session.commit()
        flash("Your notification settings are saved.", "success")
        return redirect(url_for("notifications.settings"))
    for key, delivery in services.preferences(current_user.id).items():
        form[field_name(key)].data = delivery.value
    return render_template("notifications/settings.html", form=form)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe(token: str):
    """The signed link in every mail: GET asks, POST stops that kind of mail. A mail client's RFC 8058
    one-click POST ("List-Unsubscribe=One-Click") carries no CSRF token: the signature is the proof."""
    parsed = read_token(token)
    if parsed is None:
        abort(404)
    member, group_key = parsed
    user = services.member_for(member)
    if user is None:
        abort(404)
    label = "the daily digest" if group_key == DIGEST else GROUPS_BY_KEY[group_key].label
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        if not one_click and current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()
        _, changed = services.unsubscribe(member, group_key)
        db.session.commit()
        if one_click:
            return "Unsubscribed.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
        # The address is never shown: anyone holding the link (a forwarded mail) would learn it.
        flash(f"No more emails about {', '.join(changed) if changed else label}. You still see these "
              "notifications on the site; change that in your notification settings.", "success")
        return redirect(url_for("notifications.unsubscribe", token=token))
    return render_template("notifications/unsubscribe.html", label=label)
