"""Profiles: members in the directory, and the people a fellow saved."""

from __future__ import annotations

from sqlalchemy import insert

from network.extensions import db
from tests.budget import _rows


def populate(app, people, named, count):
    from network.profiles.models import SavedMember

    with app.app_context():
        ids = _rows.members(count)
        for role in ("fellow", "alumni", "faculty", "admin"):
            db.session.execute(insert(SavedMember), [{"owner_id": people[role].id, "member_id": i} for i in ids])
        db.session.commit()
