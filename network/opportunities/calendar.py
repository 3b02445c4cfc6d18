"""iCalendar output: one event, one deadline, or a member's personal feed.

Times are written in the opportunity's own IANA time zone (DTSTART;TZID=...) with a VTIMEZONE
definition, so a calendar shows a Chicago workshop at 09:00 Chicago time wherever the reader is.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, timedelta

from icalendar import Calendar, Event

from network.opportunities.models import Opportunity, RsvpStatus
from network.text.markdown import markdown_to_text
from network.types import utcnow
from network.urls import public_url

PRODID = "-//Fellowship Network//Opportunities//EN"
UID_DOMAIN = "fellowship.network"
#: A deadline shows as the last hour before it closes.
DEADLINE_LENGTH = timedelta(minutes=59)


def _zone(opportunity: Opportunity):
    try:
        return zoneinfo.ZoneInfo(opportunity.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def _calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _link(opportunity: Opportunity) -> str:
    return public_url("opportunities.show", opportunity_id=opportunity.id)


def _event(opportunity: Opportunity, status: RsvpStatus | None = None) -> Event:
    zone = _zone(opportunity)
    event = Event()
    event.add("uid", f"opportunity-{opportunity.id}@{UID_DOMAIN}")
    event.add("dtstamp", utcnow())
    event.add("summary", opportunity.title)
    event.add("dtstart", opportunity.starts_at.astimezone(zone))
    event.add("dtend", (opportunity.ends_at or opportunity.starts_at + timedelta(hours=1)).astimezone(zone))
    where = ", ".join(part for part in (opportunity.venue, opportunity.location) if part) or opportunity.online_url
    if where:
        event.add("location", where)
    event.add("url", _link(opportunity))
    text = markdown_to_text(opportunity.description)
    details = [opportunity.organisation, text[:1500]]
    if opportunity.online_url:
        details.append(f"Online: {opportunity.online_url}")
    details.append(_link(opportunity))
    event.add("description", "\n\n".join(part for part in details if part))
    if not opportunity.is_open:
        event.add("status", "CANCELLED" if opportunity.is_removed else "CONFIRMED")
    elif status in (RsvpStatus.MAYBE, RsvpStatus.WAITLISTED):
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    return event


def _deadline(opportunity: Opportunity) -> Event:
    zone = _zone(opportunity)
    closes = opportunity.deadline.astimezone(zone)
    event = Event()
    event.add("uid", f"deadline-{opportunity.id}@{UID_DOMAIN}")
    event.add("dtstamp", utcnow())
    event.add("summary", f"Deadline: {opportunity.title}")
    event.add("dtstart", closes - DEADLINE_LENGTH)
    event.add("dtend", closes)
    event.add("url", _link(opportunity))
    how = opportunity.apply_url or opportunity.apply_email
    event.add("description", "\n\n".join(part for part in (
        f"Applications close {closes.strftime('%-d %b %Y, %H:%M')} {closes.tzname()}.",
        f"How to apply: {how}" if how else "", _link(opportunity)) if part))
    event.add("transp", "TRANSPARENT")
    return event


def _finish(calendar: Calendar) -> bytes:
    calendar.add_missing_timezones()
    return calendar.to_ical()


def single_event(opportunity: Opportunity) -> bytes:
    calendar = _calendar()
    calendar.add_component(_event(opportunity))
    return _finish(calendar)


def single_deadline(opportunity: Opportunity) -> bytes:
    calendar = _calendar()
    calendar.add_component(_deadline(opportunity))
    return _finish(calendar)


def personal_feed(owner, events, deadlines) -> bytes:
    """The member's RSVPed events (going, maybe, waitlisted) and bookmarked deadlines."""
    calendar = _calendar(f"Fellowship Network: {owner.name}")
    for opportunity, status in events:
        calendar.add_component(_event(opportunity, RsvpStatus(status)))
    for opportunity in deadlines:
        calendar.add_component(_deadline(opportunity))
    return _finish(calendar)
