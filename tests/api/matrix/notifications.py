"""``/api/v1/notifications``: each member lists and marks their own notifications; one of another member's is a
404 to everyone (as the notification centre's)."""

from __future__ import annotations

from tests.api.matrix import GRANTED_ROLES

ROUTES = {
    ("api_notifications.notifications", "GET"): ({}, None, dict.fromkeys(GRANTED_ROLES, 200)),
    # The fellow's notification: hers to mark read (again and again), nobody else's.
    ("api_notifications.mark_read", "PUT"): ({"notification_id": "@fellows"}, None,
                                             {**dict.fromkeys(GRANTED_ROLES, 404), "fellow": 200}),
    ("api_notifications.mark_all_read", "PUT"): ({}, None, dict.fromkeys(GRANTED_ROLES, 200)),
}


def prepare(app, people, make_user):
    """A notification of the fellow's."""
    from network.extensions import db
    from network.notifications.services import notify

    with app.app_context():
        notification = notify(people["fellow"].id, "opportunity-interest", "Someone is interested", "/opportunities/")
        db.session.commit()
        return {"fellows": notification.id}
