"""Notifications: every member's list grows."""

from __future__ import annotations

from sqlalchemy import insert

from network.extensions import db


def populate(app, people, named, count):
    from network.notifications.models import Notification
    from network.types import utcnow

    with app.app_context():
        now = utcnow()
        db.session.execute(insert(Notification), [
            {"user_id": member.id, "kind": "test", "title": f"Budget notice {n}", "link": "/", "created_at": now}
            for member in people.values() for n in range(count)])
        db.session.commit()
