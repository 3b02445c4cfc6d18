"""Posting an opportunity and looking after it: post, edit (a larger capacity lets the waitlist in; attendees
hear of a new time or place), close, reopen, and an administrator's removal (audit-logged)."""

from __future__ import annotations

import logging

from flask import url_for
from sqlalchemy import select

from network.audit.models import record
from network.extensions import db
from network.members.models import MemberStatus, User
from network.notifications.services import notify_members
from network.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus, Rsvp, RsvpStatus
from network.opportunities.services import Conflict, OpportunityError
from network.opportunities.services.rsvp import promote_waitlist
from network.taxonomy.models import Interest, Specialty
from network.text.phi import without_phi
from network.types import utcnow

log = logging.getLogger(__name__)

#: The fields a poster fills in; kinds use the subsets below.
COMMON_FIELDS = ("title", "organisation", "location", "work_mode", "description", "apply_url", "apply_email",
                 "time_zone", "deadline")
JOB_FIELDS = ("practice_setting_id", "employment_type", "salary_min", "salary_max")
RESEARCH_FIELDS = ("project_stage", "irb_status", "roles_sought", "authorship")
EVENT_FIELDS = ("starts_at", "ends_at", "venue", "online_url", "capacity", "cme_credits")


def fields_for(kind: OpportunityKind) -> tuple[str, ...]:
    """The columns a poster sets for this kind; the others stay empty."""
    kind = OpportunityKind(kind)
    if kind.is_event:
        return COMMON_FIELDS + EVENT_FIELDS
    if kind == OpportunityKind.RESEARCH:
        return COMMON_FIELDS + RESEARCH_FIELDS
    return COMMON_FIELDS + JOB_FIELDS


def _terms(model, ids) -> list:
    """The chosen taxonomy terms, refusing ids that are not in the vocabulary."""
    ids = sorted({int(i) for i in ids or ()})
    if not ids:
        return []
    terms = db.session.scalars(select(model).where(model.id.in_(ids))).all()
    if len(terms) != len(ids):
        raise OpportunityError("Choose tags from the list.", "interests" if model is Interest else "specialties")
    return list(terms)


def _apply_values(opportunity: Opportunity, values: dict) -> None:
    for name in fields_for(opportunity.kind):
        if name in values:
            setattr(opportunity, name, values[name])


def create_opportunity(poster: User, kind: OpportunityKind, values: dict, interest_ids=(),
                       specialty_ids=()) -> Opportunity:
    """Post an opportunity (the form has validated the values)."""
    now = utcnow()
    if values.get("deadline") is not None and values["deadline"] < now:
        raise OpportunityError("The deadline is in the past. Choose a later date.", "deadline")
    if values.get("starts_at") is not None and values["starts_at"] < now:
        raise OpportunityError("The event would start in the past. Choose a later start.", "starts_at")
    opportunity = Opportunity(kind=OpportunityKind(kind), poster_id=poster.id, status=OpportunityStatus.OPEN,
                              going_count=0)
    _apply_values(opportunity, values)
    opportunity.interests = _terms(Interest, interest_ids)
    opportunity.specialties = _terms(Specialty, specialty_ids)
    db.session.add(opportunity)
    db.session.flush()
    log.info("opportunity %s (%s) posted by %s", opportunity.id, opportunity.kind, poster.id)
    return opportunity


def update_opportunity(opportunity: Opportunity, values: dict, interest_ids=(), specialty_ids=()) -> None:
    """Save the poster's edits; a larger capacity lets the waitlist in."""
    capacity = values.get("capacity")
    if opportunity.is_event and capacity is not None and capacity < opportunity.going_count:
        raise OpportunityError(f"{opportunity.going_count} members are already going; the capacity cannot be "
                               f"lower than that.", "capacity")
    before = _logistics(opportunity)
    _apply_values(opportunity, values)
    opportunity.interests = _terms(Interest, interest_ids)
    opportunity.specialties = _terms(Specialty, specialty_ids)
    db.session.flush()
    if opportunity.is_event:
        promote_waitlist(opportunity)
        if _logistics(opportunity) != before:
            _tell_attendees(opportunity, "has a new time or place")


def _logistics(opportunity: Opportunity) -> tuple:
    """What an attendee must hear about when it changes."""
    return (opportunity.starts_at, opportunity.ends_at, opportunity.time_zone, opportunity.venue,
            opportunity.online_url)


def _tell_attendees(opportunity: Opportunity, change: str) -> int:
    """Notify everyone who answered going, maybe or joined the waitlist (in-app, and by mail as they chose)."""
    attendees = db.session.scalars(
        select(User).join(Rsvp, Rsvp.user_id == User.id)
        .where(Rsvp.opportunity_id == opportunity.id, Rsvp.status != RsvpStatus.NOT_GOING,
               User.status == MemberStatus.VERIFIED, User.deleted_at.is_(None))
        .order_by(User.id)).all()
    if not attendees:
        return 0
    name = without_phi(opportunity.title)  # notification titles and mails never quote an identifier
    title = f"“{name}” {change}"
    return notify_members(list(attendees), "opportunity-event-changed", title,
                          url_for("opportunities.show", opportunity_id=opportunity.id), target_type="opportunity",
                          target_id=opportunity.id, mail_subject=f"{name} {change}",
                          mail_template="opportunity_event_changed", opportunity=opportunity, change=change)


def close_opportunity(opportunity: Opportunity) -> None:
    """The poster closes an opportunity; an event's attendees are told."""
    if not opportunity.is_open:
        raise Conflict("This opportunity is already closed.")
    opportunity.status = OpportunityStatus.CLOSED
    opportunity.closed_at = utcnow()
    if opportunity.is_event:
        _tell_attendees(opportunity, "was closed by its organiser")


def reopen_opportunity(opportunity: Opportunity) -> None:
    """The poster reopens a closed opportunity."""
    if opportunity.status != OpportunityStatus.CLOSED:
        raise Conflict("Only a closed opportunity can be reopened.")
    opportunity.status = OpportunityStatus.OPEN
    opportunity.closed_at = None


def remove_opportunity(admin: User, opportunity: Opportunity, reason: str) -> None:
    """An administrator takes an opportunity down; it stays in the database and the audit log says why."""
    if opportunity.is_removed:
        raise Conflict("This opportunity is already removed.")
    opportunity.status = OpportunityStatus.REMOVED
    opportunity.removed_at = utcnow()
    if opportunity.is_event:
        _tell_attendees(opportunity, "was taken down by the administrators")
    record(admin.id, "opportunity.remove", "opportunity", opportunity.id, title=opportunity.title,
           poster_id=opportunity.poster_id, reason=reason)
