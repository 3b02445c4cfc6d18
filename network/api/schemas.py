"""Fields and small schemas every part of the API shares: times in UTC, a member as others see them."""

from __future__ import annotations

from datetime import UTC

import marshmallow as ma


class UTCDateTime(ma.fields.AwareDateTime):
    """ISO 8601 in UTC with a ``Z`` (``2026-12-03T07:05:00Z``); a time sent without a zone is taken as UTC."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", default_timezone=UTC, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class MemberRef(ma.Schema):
    """A member named in something else (an author, a mentor): what anyone who sees that thing may see."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
