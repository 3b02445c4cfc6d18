"""Calendars and the digest: an event's or a deadline's iCalendar file, the member's secret feed address
(made, shown once, revoked), the feed itself, and the weekly digest's setting and unsubscribe link."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from network.access import public
from network.auth.sealing import hold_sealed, take_sealed
from network.confirmation import confirmation_page, confirmed
from network.downloads import private_file
from network.extensions import csrf, db
from network.opportunities import calendar, digest
from network.opportunities.queries.member import feed_items, feed_owner, preference
from network.opportunities.routes.blueprint import bp
from network.opportunities.routes.opportunity import opportunity_or_404
from network.opportunities.services import preferences
from network.urls import public_url

#: The session key that carries a new feed address's secret, sealed, from its POST to the page that shows it once.
NEW_FEED = "new_feed_token"


def _ics(body: bytes, filename: str) -> Response:
    return private_file(body, "text/calendar", filename)


@bp.route("/<int:opportunity_id>/event.ics")
def event_ics(opportunity_id: int):
    """The event as an iCalendar file, in its own time zone."""
    opportunity = opportunity_or_404(opportunity_id)
    if not opportunity.is_event or opportunity.starts_at is None:
        abort(404)
    return _ics(calendar.single_event(opportunity), f"event-{opportunity.id}.ics")


@bp.route("/<int:opportunity_id>/deadline.ics")
def deadline_ics(opportunity_id: int):
    """The deadline as an iCalendar file."""
    opportunity = opportunity_or_404(opportunity_id)
    if opportunity.deadline is None:
        abort(404)
    return _ics(calendar.single_deadline(opportunity), f"deadline-{opportunity.id}.ics")


@bp.route("/calendar")
def calendar_settings():
    """The member's personal calendar feed and weekly digest settings."""
    pref = preference(current_user.id)
    # The address is shown once, right after it is made: only its hash is stored.
    held = take_sealed(session, NEW_FEED, current_app.config["SECRET_KEY"])
    token = held[1] if held else None
    feed_url = public_url("opportunities.feed", token=token) if token and pref and pref.feed_token else None
    return render_template("opportunities/calendar.html", feed_url=feed_url,
                           feed_on=bool(pref and pref.feed_token),
                           digest_enabled=pref.digest_enabled if pref else True)


@bp.route("/calendar/feed", methods=["POST"])
def new_feed():
    """Make (or replace) the member's secret feed URL."""
    token = preferences.new_feed_token(current_user.id)
    db.session.commit()
    hold_sealed(session, NEW_FEED, token, current_app.config["SECRET_KEY"])
    flash("Your calendar feed address is ready. Any earlier address no longer works.", "success")
    return redirect(url_for(".calendar_settings"))


@bp.route("/calendar/feed/revoke", methods=["POST"])
def revoke_feed():
    """Turn the member's feed URL off."""
    if not confirmed():
        return confirmation_page(
            title="Turn your calendar feed off?",
            consequences="Calendars subscribed to your feed address stop receiving your events, and the address "
                         "never works again. You can make a new address later and subscribe to it again.",
            button="Turn the feed off", cancel=url_for(".calendar_settings"))
    preferences.revoke_feed(current_user.id)
    db.session.commit()
    flash("Your calendar feed URL is turned off.", "success")
    return redirect(url_for(".calendar_settings"))


@bp.route("/feed/<token>.ics")
@public
def feed(token: str):
    """A member's personal feed: RSVPed events and bookmarked deadlines. The secret token is the key."""
    owner = feed_owner(token)
    if owner is None:
        abort(404)
    events, deadlines = feed_items(owner.id)
    # Calendar apps poll the address; what they fetch (a member's RSVPs and bookmarks) is not kept in a cache.
    return private_file(calendar.personal_feed(owner, events, deadlines), "text/calendar")


@bp.route("/digest", methods=["POST"])
def digest_setting():
    """Turn the weekly digest on or off from the settings page."""
    enabled = request.form.get("enabled") == "1"
    preferences.set_digest(current_user.id, enabled)
    db.session.commit()
    flash("You will get the weekly digest." if enabled else "No more weekly digest.", "success")
    return redirect(url_for(".calendar_settings"))


@bp.route("/digest/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe(token: str):
    """The digest's unsubscribe link: the signed token names the member; the page's button POSTs with its
    CSRF token, a mail client's RFC 8058 one-click POST ("List-Unsubscribe=One-Click") without one: the
    signature is the proof."""
    user_id = digest.read_unsubscribe_token(token)
    if user_id is None:
        abort(404)
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        if not one_click and current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()  # the page's button: exempt from the automatic check, so checked here
        preferences.set_digest(user_id, False)
        db.session.commit()
        if one_click:
            return "Unsubscribed.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
        return render_template("opportunities/unsubscribed.html", done=True)
    return render_template("opportunities/unsubscribed.html", done=False)
