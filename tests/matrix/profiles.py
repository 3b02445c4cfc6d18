"""Access rows for profiles, the directory, saved people, own data and the taxonomy admin."""

from __future__ import annotations

from tests.matrix.common import LOGIN, PENDING, members

EDIT = "→/members/me/edit"
PROFILE = "→/members/@verified_member"
TAXONOMY = "→/admin/taxonomy/interests"

ROUTES = {
    ("profiles.directory", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("profiles.show", "GET"): ({"user_id": "@verified_member"}, members(LOGIN, PENDING, 200)),
    ("profiles.photo", "GET"): ({"user_id": "@verified_member"}, members(LOGIN, PENDING, 200)),
    ("profiles.edit", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("profiles.edit", "POST"): ({}, members(LOGIN, 403, 400)),
    ("profiles.upload_photo", "POST"): ({}, members(LOGIN, 403, 400)),
    ("profiles.delete_photo", "POST"): ({}, members(LOGIN, 403, 200)),  # the confirmation page
    ("profiles.save", "POST"): ({"user_id": "@verified_member"}, members(LOGIN, 403, PROFILE)),
    ("profiles.unsave", "POST"): ({"user_id": "@verified_member"}, members(LOGIN, 403, PROFILE)),
    ("profiles.saved", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("profiles.export", "GET"): ({}, members(LOGIN, 200, 200)),
    ("profiles.delete_account", "GET"): ({}, members(LOGIN, 200, 200)),
    ("profiles.delete_account", "POST"): ({}, members(LOGIN, 400, 400)),
    ("admin.taxonomy_index", "GET"): ({}, members(LOGIN, PENDING, 403, TAXONOMY)),
    ("admin.taxonomy", "GET"): ({"vocabulary": "interests"}, members(LOGIN, PENDING, 403, 200)),
    ("admin.add_term", "POST"): ({"vocabulary": "interests"}, members(LOGIN, 403, 403, 400)),
    ("admin.rename_term", "POST"): ({"vocabulary": "interests", "term_id": "@interest"},
                                    members(LOGIN, 403, 403, TAXONOMY)),
    ("admin.retire_term", "POST"): ({"vocabulary": "interests", "term_id": "@interest"},
                                    members(LOGIN, 403, 403, TAXONOMY)),
    ("admin.restore_term", "POST"): ({"vocabulary": "interests", "term_id": "@interest"},
                                     members(LOGIN, 403, 403, TAXONOMY)),
}


def prepare(app, people, make_user):
    """A verified member with a photo, and an interest for the taxonomy actions."""
    from sqlalchemy import select

    from network.extensions import db
    from network.members.models import User
    from network.profiles import services
    from network.taxonomy.models import Interest
    from tests.profiles_helpers import PNG_PIXEL

    member = make_user(role="alumni", name="Dr. Matrix Member")
    with app.app_context(), app.test_request_context():
        services.set_photo(db.session.get(User, member.id), PNG_PIXEL)
        db.session.commit()
        interest = db.session.scalars(select(Interest.id).order_by(Interest.id)).first()
    return {"verified_member": member.id, "interest": interest}
