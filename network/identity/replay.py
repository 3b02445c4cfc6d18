"""SAML replay protection: an assertion is accepted once, until it expires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from network.database import added_once
from network.extensions import db
from network.identity.models import UsedAssertion
from network.types import utcnow


def first_use(provider_id: int, assertion_id: str, expires_at: datetime) -> bool:
    """Record the assertion as used; False when it was used before (a replay, or a concurrent second post)."""
    db.session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < utcnow()))
    return added_once(UsedAssertion(provider_id=provider_id, assertion_id=assertion_id, expires_at=expires_at))
