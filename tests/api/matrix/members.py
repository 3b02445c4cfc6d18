"""``/api/v1/members``: every verified member searches the directory and reads a member's profile; a pending
member is found by nobody (``tests/api/test_members.py`` checks the 404, as on the page)."""

from __future__ import annotations

from network.extensions import db
from network.members.models import User
from network.profiles import services
from tests.api.matrix import GRANTED_ROLES


def prepare(app, people, make_user):
    """A member with a profile to read."""
    member = make_user(role="alumni", name="Dr. Matrix Member")
    with app.app_context(), app.test_request_context():
        services.update_profile(db.session.get(User, member.id), name=member.name, interests=[], certifications=[],
                                headline="Found by everyone", location_visibility="members")
        db.session.commit()
    return {"member": member.id}


ROUTES = {
    ("api_members.members", "GET"): ({"q": "matrix"}, None, dict.fromkeys(GRANTED_ROLES, 200)),
    ("api_members.member", "GET"): ({"member_id": "@member"}, None, dict.fromkeys(GRANTED_ROLES, 200)),
}
