"""What is the member's own: their page of opportunities (posted, bookmarked, RSVPed), their calendar feed
and digest settings, and what their personal feed lists. Reads only."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from network.extensions import db
from network.members.models import MemberStatus, User
from network.opportunities.models import (
    Bookmark,
    ExpressionOfInterest,
    Opportunity,
    OpportunityPreference,
    OpportunityStatus,
    Rsvp,
    RsvpStatus,
)
from network.opportunities.queries.board import card_of


def preference(user_id: int) -> OpportunityPreference | None:
    """The member's feed and digest settings; None until they change one (the digest is on by default)."""
    return db.session.get(OpportunityPreference, user_id)


def feed_token_hash(token: str) -> str:
    """What is stored of a feed token: its hash, so the address cannot be read back from the database."""
    return hashlib.sha256(token.encode()).hexdigest()


def feed_owner(token: str) -> User | None:
    """The active member a feed token belongs to, or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalars(
        select(User).join(OpportunityPreference, OpportunityPreference.user_id == User.id)
        .where(OpportunityPreference.feed_token == feed_token_hash(token), User.status == MemberStatus.VERIFIED,
               User.deleted_at.is_(None))).first()


def feed_items(user_id: int) -> tuple[list[tuple[Opportunity, RsvpStatus]], list[Opportunity]]:
    """The events the member answered going / maybe / waitlisted to, and their bookmarked deadlines."""
    events = db.session.execute(
        select(Opportunity, Rsvp.status).join(Rsvp, Rsvp.opportunity_id == Opportunity.id)
        .where(Rsvp.user_id == user_id, Rsvp.status != RsvpStatus.NOT_GOING,
               Opportunity.status != OpportunityStatus.REMOVED, Opportunity.starts_at.is_not(None))
        .order_by(Opportunity.starts_at)).all()
    deadlines = db.session.scalars(
        select(Opportunity).join(Bookmark, Bookmark.opportunity_id == Opportunity.id)
        .where(Bookmark.user_id == user_id, Opportunity.status != OpportunityStatus.REMOVED,
               Opportunity.deadline.is_not(None))
        .order_by(Opportunity.deadline)).all()
    return [(o, s) for o, s in events], list(deadlines)


def my_opportunities(user_id: int, now: datetime):
    """What the member posted, bookmarked (as cards) and RSVPed to, for their page."""
    posted = db.session.scalars(select(Opportunity).where(Opportunity.poster_id == user_id,
                                                          Opportunity.status != OpportunityStatus.REMOVED)
                                .order_by(Opportunity.created_at.desc())).all()
    saved = db.session.scalars(select(Opportunity).join(Bookmark, Bookmark.opportunity_id == Opportunity.id)
                               .where(Bookmark.user_id == user_id,
                                      Opportunity.status != OpportunityStatus.REMOVED)
                               .options(selectinload(Opportunity.interests))
                               .order_by(Bookmark.created_at.desc())).all()
    rsvps = db.session.execute(select(Opportunity, Rsvp.status).join(Rsvp, Rsvp.opportunity_id == Opportunity.id)
                               .where(Rsvp.user_id == user_id, Opportunity.status != OpportunityStatus.REMOVED)
                               .order_by(Opportunity.starts_at)).all()
    interest_counts = dict(db.session.execute(
        select(ExpressionOfInterest.opportunity_id, func.count())
        .join(Opportunity, Opportunity.id == ExpressionOfInterest.opportunity_id)
        .where(Opportunity.poster_id == user_id).group_by(ExpressionOfInterest.opportunity_id)).all())
    saved = [card_of(o, now, True, [interest.name for interest in o.interests]) for o in saved]
    return list(posted), saved, [(o, s) for o, s in rsvps], interest_counts
