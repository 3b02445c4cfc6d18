"""RSVPs to events: going, maybe or not going; "going" takes a seat atomically or joins the waitlist, and a
freed seat goes to the first member waiting, in the same transaction."""

from __future__ import annotations

import logging

from flask import url_for
from sqlalchemy import or_, select, update

from network.database import added_once
from network.extensions import db
from network.members.models import User
from network.notifications.services import notify_members
from network.opportunities.models import Opportunity, Rsvp, RsvpStatus
from network.opportunities.services import Conflict, OpportunityError
from network.text.phi import without_phi
from network.types import utcnow

log = logging.getLogger(__name__)


def _take_seat(opportunity_id: int) -> bool:
    """Take one seat if one is free, atomically: the UPDATE's condition is the capacity check."""
    result = db.session.execute(
        update(Opportunity)
        .where(Opportunity.id == opportunity_id,
               or_(Opportunity.capacity.is_(None), Opportunity.going_count < Opportunity.capacity))
        .values(going_count=Opportunity.going_count + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _free_seat(opportunity_id: int) -> None:
    """Give one seat back (never below zero)."""
    db.session.execute(update(Opportunity).where(Opportunity.id == opportunity_id, Opportunity.going_count > 0)
                       .values(going_count=Opportunity.going_count - 1)
                       .execution_options(synchronize_session=False))


def promote_waitlist(opportunity: Opportunity) -> list[int]:
    """Move waitlisted members to "going", first come first served, while seats are free."""
    promoted = []
    while True:
        waiting = db.session.scalars(
            select(Rsvp).where(Rsvp.opportunity_id == opportunity.id, Rsvp.status == RsvpStatus.WAITLISTED)
            .order_by(Rsvp.responded_at, Rsvp.id).limit(1)).first()
        if waiting is None or not _take_seat(opportunity.id):
            break
        waiting.status = RsvpStatus.GOING
        db.session.flush()
        promoted.append(waiting.user_id)
        member = db.session.get(User, waiting.user_id)
        name = without_phi(opportunity.title)
        notify_members([member], "opportunity-waitlist", f"A seat opened: you are going to “{name}”",
                       url_for("opportunities.show", opportunity_id=opportunity.id), target_type="opportunity",
                       target_id=opportunity.id, mail_subject=f"You have a seat at {name}",
                       mail_template="opportunity_waitlist", opportunity=opportunity)
    if promoted:
        log.info("event %s: promoted %s from the waitlist", opportunity.id, promoted)
    db.session.refresh(opportunity, ["going_count"])
    return promoted


def respond(member: User, opportunity: Opportunity, wanted: RsvpStatus) -> Rsvp:
    """Answer going / maybe / not going. "Going" to a full event joins the waitlist; leaving frees the seat
    for the first member waiting, in the same transaction."""
    if not opportunity.is_event:
        raise OpportunityError("Only events take RSVPs.")
    wanted = RsvpStatus(wanted)
    if wanted == RsvpStatus.WAITLISTED:
        raise OpportunityError("Choose going, maybe or not going.", "status")
    if not opportunity.is_open or (opportunity.ends_at is not None and opportunity.ends_at < utcnow()):
        raise Conflict("This event is closed or over, so RSVPs are closed.")
    rsvp = db.session.scalars(select(Rsvp).where(Rsvp.opportunity_id == opportunity.id, Rsvp.user_id == member.id)
                              .with_for_update()).first()
    previous = rsvp.status if rsvp is not None else None
    if wanted == RsvpStatus.GOING and previous in (RsvpStatus.GOING, RsvpStatus.WAITLISTED):
        return rsvp
    status = wanted
    if wanted == RsvpStatus.GOING:
        status = RsvpStatus.GOING if _take_seat(opportunity.id) else RsvpStatus.WAITLISTED
    if rsvp is None:
        rsvp = Rsvp(opportunity_id=opportunity.id, user_id=member.id, status=status)
        if not added_once(rsvp):
            raise Conflict("Your RSVP changed in the meantime. Reload the page and try again.")
    else:
        rsvp.status = status
        rsvp.responded_at = utcnow()
    db.session.flush()
    if previous == RsvpStatus.GOING:
        _free_seat(opportunity.id)
        promote_waitlist(opportunity)
    else:
        db.session.refresh(opportunity, ["going_count"])
    return rsvp
