"""The weekly digest: new opportunities matching each member's interests, at most once per ISO week."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import false, select
from sqlalchemy.orm import selectinload

from network.database import added_once
from network.extensions import db
from network.mail.services import queue_email
from network.members.models import MemberStatus, User
from network.opportunities.models import DigestDelivery, Opportunity, OpportunityPreference
from network.opportunities.queries.board import current_condition
from network.profiles.models import profile_interest
from network.text.words import plural
from network.types import utcnow
from network.urls import public_url

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "opportunity-digest-unsubscribe"
#: An unsubscribe link keeps working for a good while after the mail (people read old mail).
UNSUBSCRIBE_MAX_AGE = 90 * 24 * 3600
MAX_ITEMS = 20


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int) -> str:
    return _serializer().dumps(user_id)


def read_unsubscribe_token(token: str) -> int | None:
    """The member id a signed unsubscribe token names, or None if forged or expired."""
    try:
        value = _serializer().loads(token, max_age=UNSUBSCRIBE_MAX_AGE)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def send_weekly_digests(now: datetime | None = None) -> dict[str, int]:
    """Queue this week's digest for every member with matching new opportunities who has none yet.

    The (member, week) row is written before the mail in a savepoint: a second run, or a run racing
    this one, finds it and sends nothing. The caller commits.
    """
    now = now or utcnow()
    week = iso_week(now)
    counts = {"sent": 0, "already": 0, "nothing": 0}
    new = db.session.scalars(
        select(Opportunity).where(current_condition(now), Opportunity.created_at >= now - timedelta(days=7),
                                  Opportunity.created_at <= now)
        .options(selectinload(Opportunity.interests))
        .order_by(Opportunity.created_at.desc())).all()
    if not new:
        return counts
    done = set(db.session.scalars(select(DigestDelivery.user_id).where(DigestDelivery.week == week)))
    opted_out = set(db.session.scalars(select(OpportunityPreference.user_id)
                                       .where(OpportunityPreference.digest_enabled.is_(False))))
    interests: dict[int, set[int]] = {}
    for user_id, interest_id in db.session.execute(select(profile_interest.c.profile_id,
                                                          profile_interest.c.interest_id)):
        interests.setdefault(user_id, set()).add(interest_id)
    members = db.session.scalars(select(User).where(User.status == MemberStatus.VERIFIED, User.deleted_at.is_(None),
                                                    User.id.in_(list(interests)) if interests else false())
                                 .order_by(User.id)).all()
    for member in members:
        if member.id in opted_out:
            continue
        if member.id in done:
            counts["already"] += 1
            continue
        mine = interests.get(member.id, set())
        matches = [o for o in new if o.poster_id != member.id and mine & {t.id for t in o.interests}]
        if not matches:
            counts["nothing"] += 1
            continue
        matches = matches[:MAX_ITEMS]
        if not added_once(DigestDelivery(user_id=member.id, week=week, opportunity_ids=[o.id for o in matches],
                                    sent_at=now)):
            counts["already"] += 1  # a run racing this one wrote the member's week first
            continue
        unsubscribe = public_url("opportunities.unsubscribe", token=unsubscribe_token(member.id))
        items = [(o, public_url("opportunities.show", opportunity_id=o.id)) for o in matches]
        queue_email("opportunity-digest", member.email,
                    f"{plural(len(items), 'new opportunity', 'new opportunities')} for you "
                    f"this week", "opportunity_digest", user=member, items=items, unsubscribe=unsubscribe,
                    board=public_url("opportunities.board", mine="y"))
        counts["sent"] += 1
    log.info("opportunity digest %s: %s", week, counts)
    return counts
