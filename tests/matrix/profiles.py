"""Access rows for profiles and the directory."""

from __future__ import annotations

from tests.matrix.common import LOGIN, PENDING, members

ROUTES = {
    ("profiles.show", "GET"): ({"user_id": "@verified_member"}, members(LOGIN, PENDING, 200)),
}


def prepare(app, people, make_user):
    return {"verified_member": make_user(role="alumni").id}
