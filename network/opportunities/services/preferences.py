"""A member's opportunity settings: the secret address of their personal calendar feed, and the weekly
digest on or off."""

from __future__ import annotations

import secrets

from network.extensions import db
from network.opportunities.models import OpportunityPreference
from network.opportunities.queries.member import feed_token_hash, preference
from network.types import utcnow


def _settings(user_id: int) -> OpportunityPreference:
    """The member's settings, added on their first change."""
    pref = preference(user_id)
    if pref is None:
        pref = OpportunityPreference(user_id=user_id, digest_enabled=True)
        db.session.add(pref)
    return pref


def new_feed_token(user_id: int) -> str:
    """Give the member a new feed secret (returned once; only its hash is kept); any earlier one stops working."""
    pref = _settings(user_id)
    token = secrets.token_urlsafe(32)
    pref.feed_token = feed_token_hash(token)
    pref.feed_created_at = utcnow()
    db.session.flush()
    return token


def revoke_feed(user_id: int) -> bool:
    """Turn the member's feed address off; False when there was none."""
    pref = preference(user_id)
    if pref is None or pref.feed_token is None:
        return False
    pref.feed_token = None
    pref.feed_created_at = None
    return True


def set_digest(user_id: int, enabled: bool) -> None:
    """Turn the weekly digest on or off for the member."""
    _settings(user_id).digest_enabled = enabled
