"""``/api/v1/notifications``: the caller's notifications, newest first, and marking them read, as the
notification centre does (through ``network.notifications.services``)."""

from __future__ import annotations

import marshmallow as ma
from flask import abort, url_for
from flask_login import current_user

from network.api.auth import scope
from network.api.blueprint import api_blueprint
from network.api.pagination import LINK_HEADER, PageArgs, keyset_page
from network.api.schemas import UTCDateTime
from network.extensions import db
from network.notifications import services
from network.notifications.kinds import GROUPS, group_of
from network.notifications.models import Notification
from network.urls import absolute

blp = api_blueprint("notifications", __name__,
                    "Your notifications, newest first: all or the unread ones; mark one read, or all of them.")

#: The centre's order (``services.NEWEST_FIRST``) as a keyset page follows it.
NEWEST_FIRST = [(Notification.created_at, True), (Notification.id, True)]
NOT_FOUND = "You have no notification with this id."


class NotificationArgs(PageArgs):
    unread = ma.fields.Boolean(load_default=False,
                               metadata={"description": "Only the notifications you have not read yet."})


class TargetSchema(ma.Schema):
    type = ma.fields.String(required=True, metadata={"description": "What it is about: thread, opportunity, ..."})
    id = ma.fields.Integer(required=True)


class NotificationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "What happened, e.g. opportunity-interest."})
    group = ma.fields.String(required=True, metadata={
        "enum": [group.key for group in GROUPS],
        "description": "The group of kinds your notification settings choose a delivery for."})
    title = ma.fields.String(required=True)
    url = ma.fields.String(required=True, metadata={"description": "The page it points to, on the site."})
    target = ma.fields.Nested(TargetSchema, metadata={"description": "Absent when it is about no one thing."})
    created_at = UTCDateTime(required=True)
    read = ma.fields.Boolean(required=True)
    read_at = UTCDateTime(metadata={"description": "When you read it; absent while it is unread."})


class MarkedSchema(ma.Schema):
    marked = ma.fields.Integer(required=True, metadata={"description": "How many were unread until now."})


def _link(notification: Notification) -> str:
    """Where it points, as the centre opens it: a path of the site, else the centre itself."""
    link = notification.link
    return absolute(link if link.startswith("/") and not link.startswith("//") else url_for("notifications.index"))


def notification_json(notification: Notification) -> dict:
    body = {"id": notification.id, "kind": notification.kind, "group": group_of(notification.kind).key,
            "title": notification.title, "url": _link(notification), "created_at": notification.created_at,
            "read": notification.read_at is not None}
    if notification.target_type and notification.target_id is not None:
        body["target"] = {"type": notification.target_type, "id": notification.target_id}
    if notification.read_at is not None:
        body["read_at"] = notification.read_at
    return body


@blp.route("")
@scope("read")
@blp.etag
@blp.arguments(NotificationArgs, location="query")
@blp.response(200, NotificationSchema(many=True), headers=LINK_HEADER)
@blp.alt_response(400, description="The cursor is not one this API gave out.")
def notifications(args):
    """Your notifications, newest first (the unread ones only with ``unread=true``)."""
    statement = services.notifications_of(current_user.id, args["unread"])
    page = keyset_page(db.session, statement, NEWEST_FIRST, lambda n: (n.created_at, n.id), args)
    return [notification_json(n) for n in page.items], 200, page.headers


@blp.route("/<int:notification_id>/read", methods=["PUT"])
@scope("write")
@blp.response(200, NotificationSchema)
@blp.alt_response(404, description="You have no notification with this id.")
def mark_read(notification_id: int):
    """Mark one notification read (again: no change), as opening it in the notification centre does."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404, NOT_FOUND)
    services.mark_read(notification)
    db.session.commit()
    return notification_json(notification)


@blp.route("/read", methods=["PUT"])
@scope("write")
@blp.response(200, MarkedSchema)
def mark_all_read():
    """Mark every notification of yours read."""
    marked = services.mark_all_read(current_user.id)
    db.session.commit()
    return {"marked": marked}
