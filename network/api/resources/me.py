"""``/api/v1/me``: who the token belongs to, and what the token may do."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_login import current_user

from network.api.auth import scope
from network.api.blueprint import api_blueprint
from network.api.schemas import UTCDateTime

blp = api_blueprint("me", __name__, "The member the token belongs to, and the token itself.")


class TokenSchema(ma.Schema):
    name = ma.fields.String(required=True)
    scopes = ma.fields.List(ma.fields.String(), required=True)
    expires_at = UTCDateTime(required=True)


class MeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.Email(required=True)
    role = ma.fields.String(required=True, metadata={"enum": ["fellow", "alumni", "faculty", "admin"]})
    token = ma.fields.Nested(TokenSchema, required=True)


@blp.route("")
@scope("read")
@blp.etag
@blp.response(200, MeSchema)
def me():
    """You: your name, address and role, and the token this request used."""
    token = g.api_token
    return {"id": current_user.id, "name": current_user.name, "email": current_user.email,
            "role": current_user.role.value,
            "token": {"name": token.name, "scopes": token.scope_list, "expires_at": token.expires_at}}
