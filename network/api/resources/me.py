"""``/api/v1/me``: who the token belongs to, what the token may do, and the member's own profile."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_login import current_user

from network.api.auth import scope
from network.api.blueprint import api_blueprint
from network.api.resources.members import MemberSchema, member_json
from network.api.schemas import UTCDateTime
from network.profiles import queries
from network.profiles.models import Visibility

blp = api_blueprint("me", __name__, "The member the token belongs to, and the token itself.")


class TokenSchema(ma.Schema):
    name = ma.fields.String(required=True)
    scopes = ma.fields.List(ma.fields.String(), required=True)
    expires_at = UTCDateTime(required=True)


class PrivacySchema(ma.Schema):
    """Who sees each field a member may hide: ``members``, ``connected`` (programs, mentors, mentees) or
    ``private`` (only you)."""

    email = ma.fields.String(required=True, metadata={"enum": [v.value for v in Visibility]})
    links = ma.fields.String(required=True, metadata={"enum": [v.value for v in Visibility]})
    location = ma.fields.String(required=True, metadata={"enum": [v.value for v in Visibility]})


class MeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.Email(required=True)
    role = ma.fields.String(required=True, metadata={"enum": ["fellow", "alumni", "faculty", "admin"]})
    token = ma.fields.Nested(TokenSchema, required=True)
    profile = ma.fields.Nested(MemberSchema, required=True, metadata={
        "description": "Your profile, all of it (/api/v1/members/{id} shows others what your privacy lets them see)."})
    privacy = ma.fields.Nested(PrivacySchema, metadata={"description": "Your profile's privacy (once you have one)."})


@blp.route("")
@scope("read")
@blp.etag
@blp.response(200, MeSchema)
def me():
    """You: your name, address and role, the token this request used, and your profile."""
    token = g.api_token
    view = queries.profile_view(current_user.id, current_user.id)
    me = {"id": current_user.id, "name": current_user.name, "email": current_user.email,
          "role": current_user.role.value,
          "token": {"name": token.name, "scopes": token.scope_list, "expires_at": token.expires_at},
          "profile": member_json(view)}
    if view.member.profile_id is not None:
        me["privacy"] = {"email": view.member.email_visibility.value, "links": view.member.links_visibility.value,
                         "location": view.member.location_visibility.value}
    return me
