"""One opportunity's page (with the viewing member's bookmark, interest and RSVP), the lookups every
opportunity route starts with (404 for what the member may not see, 403 for what they may not edit), and
the ``in_zone`` filter the area's pages write dates with."""

from __future__ import annotations

import zoneinfo
from datetime import UTC
from functools import lru_cache

from flask import abort, render_template
from flask_login import current_user

from network import permissions
from network.opportunities.forms import InterestForm, RemoveForm, RsvpForm
from network.opportunities.models import Opportunity, RsvpStatus
from network.opportunities.queries.opportunity import interest_count, load_opportunity, rsvp_counts, viewer_state
from network.opportunities.routes.blueprint import bp
from network.types import utcnow


@bp.app_template_filter("in_zone")
def in_zone(value, zone_name: str | None, fmt: str = "%a %-d %b %Y, %H:%M"):
    """A UTC datetime shown in an IANA time zone, with the zone's abbreviation."""
    if value is None:
        return ""
    return _in_zone(value, zone_name, fmt)


@lru_cache(maxsize=2048)
def _in_zone(value, zone_name: str | None, fmt: str) -> str:
    # Kept per process: a list shows the same few dates on every view, and the text depends on nothing else.
    try:
        zone = zoneinfo.ZoneInfo(zone_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = UTC
    local = value.astimezone(zone)
    return f"{local.strftime(fmt)} {local.tzname()}"


def opportunity_or_404(opportunity_id: int, *, lock: bool = False) -> Opportunity:
    """The opportunity with what its page shows; 404 when missing or hidden from this member. ``lock``: see
    ``load_opportunity``."""
    opportunity = load_opportunity(opportunity_id, lock=lock)
    if not permissions.can_view_opportunity(current_user, opportunity):
        abort(404)
    return opportunity


def editable_or_403(opportunity_id: int) -> Opportunity:
    """The opportunity, if this member may edit it (403 if not)."""
    opportunity = opportunity_or_404(opportunity_id)
    if not permissions.can_edit_opportunity(current_user, opportunity):
        abort(403)
    return opportunity


def render_show(opportunity: Opportunity, *, interest_form=None, rsvp_form=None, remove_form=None,
                status: int = 200):
    """The opportunity's page; a form given here (invalid) is shown with its errors, at ``status``."""
    state = viewer_state(current_user.id, opportunity.id)
    counts = rsvp_counts(opportunity.id) if opportunity.is_event else None
    interested = interest_count(opportunity.id) \
        if permissions.can_see_interested(current_user, opportunity) else None
    if interest_form is None:
        interest_form = InterestForm(formdata=None,
                                     data={"note": state.expression.note if state.expression else ""})
    if rsvp_form is None:
        answer = str(state.rsvp.status) if state.rsvp and state.rsvp.status != RsvpStatus.WAITLISTED else "going"
        rsvp_form = RsvpForm(formdata=None, data={"status": answer})
    return render_template("opportunities/show.html", opportunity=opportunity, state=state, counts=counts,
                           interested=interested, interest_form=interest_form, rsvp_form=rsvp_form,
                           remove_form=remove_form or RemoveForm(formdata=None), now=utcnow()), status


@bp.route("/<int:opportunity_id>")
def show(opportunity_id: int):
    """One opportunity with the member's bookmark, interest and RSVP."""
    return render_show(opportunity_or_404(opportunity_id))
