"""A member's bookmarks and expressions of interest ("I'm interested", with a note the poster reads)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from network.database import added_once
from network.extensions import db
from network.members.models import MemberStatus, User
from network.notifications.services import notify_members
from network.opportunities.models import Bookmark, ExpressionOfInterest, Opportunity
from network.opportunities.services import Conflict
from network.text.phi import without_phi
from network.types import utcnow

MAX_NOTE_LENGTH = 1000


def _require_open(opportunity: Opportunity, what: str) -> None:
    """Refuse when the opportunity is closed or past: ``what`` names what the member can no longer do."""
    if not opportunity.is_open or opportunity.is_past(utcnow()):
        raise Conflict(f"This opportunity is closed or past, so you cannot {what} any more.")


def bookmark(user_id: int, opportunity: Opportunity) -> bool:
    """Bookmark; returns False when it already was."""
    if db.session.scalar(select(Bookmark.id).where(Bookmark.user_id == user_id,
                                                   Bookmark.opportunity_id == opportunity.id)):
        return False
    return added_once(Bookmark(user_id=user_id, opportunity_id=opportunity.id))


def unbookmark(user_id: int, opportunity: Opportunity) -> bool:
    """Remove a bookmark; returns False when there was none."""
    result = db.session.execute(Bookmark.__table__.delete().where(Bookmark.user_id == user_id,
                                                                  Bookmark.opportunity_id == opportunity.id))
    return result.rowcount > 0


def express_interest(member: User, opportunity: Opportunity, note: str) -> ExpressionOfInterest:
    """Say "I'm interested" (or change the note); the poster is told the first time, in-app and by mail."""
    if opportunity.poster_id == member.id:
        raise Conflict("This is your own opportunity.")
    _require_open(opportunity, "say you are interested")
    expression = db.session.scalars(select(ExpressionOfInterest).where(
        ExpressionOfInterest.opportunity_id == opportunity.id, ExpressionOfInterest.user_id == member.id)).first()
    if expression is not None:
        expression.note = note
        return expression
    expression = ExpressionOfInterest(opportunity_id=opportunity.id, user_id=member.id, note=note)
    if not added_once(expression):
        raise Conflict("You already said you are interested.")
    poster = opportunity.poster
    if poster is not None and poster.status == MemberStatus.VERIFIED and poster.deleted_at is None:
        link = url_for("opportunities.interested", opportunity_id=opportunity.id)
        title = f"{member.name} is interested in “{without_phi(opportunity.title)}”"
        notify_members([poster], "opportunity-interest", title, link, target_type="opportunity",
                       target_id=opportunity.id, mail_subject=f"{member.name} is interested in your opportunity",
                       mail_template="opportunity_interest", opportunity=opportunity, member=member, note=note)
    return expression


def withdraw_interest(member_id: int, opportunity: Opportunity) -> bool:
    """Take back an "I'm interested"; returns False when there was none."""
    result = db.session.execute(ExpressionOfInterest.__table__.delete().where(
        ExpressionOfInterest.user_id == member_id, ExpressionOfInterest.opportunity_id == opportunity.id))
    return result.rowcount > 0
