"""Opportunity pages. Each route: load (404 for what the member may not see), check (403), validate,
call a service, commit once, flash, redirect."""

from __future__ import annotations

import logging
import zoneinfo
from datetime import UTC
from functools import lru_cache

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from wtforms import SelectChoice

from network import permissions
from network.access import public
from network.confirmation import confirmation_page, confirmed
from network.downloads import private_file
from network.extensions import configured_limit, csrf, db, limiter, member_key
from network.opportunities import calendar, digest, services
from network.opportunities.forms import BoardForm, InterestForm, RemoveForm, RsvpForm, form_class
from network.opportunities.models import Opportunity, OpportunityKind, RsvpStatus
from network.profiles.directory import filter_choices
from network.taxonomy.models import Interest, PracticeSetting, Specialty, active_terms
from network.types import utcnow
from network.urls import public_url

bp = Blueprint("opportunities", __name__)
log = logging.getLogger(__name__)

#: Posting is limited per member (colleagues share hospital networks), so a stolen session cannot flood the board.
posting_limit = limiter.limit(
    configured_limit("OPPORTUNITY_POST_RATE_LIMIT"),
    key_func=member_key, methods=["POST"],
    error_message="You are posting faster than the network allows. Wait a minute, then send it again.")


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


# -- loading ---------------------------------------------------------------------------

def _opportunity_or_404(opportunity_id: int) -> Opportunity:
    opportunity = services.load_opportunity(opportunity_id)
    if not permissions.can_view_opportunity(current_user, opportunity):
        abort(404)
    return opportunity


def _editable_or_403(opportunity_id: int) -> Opportunity:
    opportunity = _opportunity_or_404(opportunity_id)
    if not permissions.can_edit_opportunity(current_user, opportunity):
        abort(403)
    return opportunity


def _kind_or_404(kind: str) -> OpportunityKind:
    try:
        return OpportunityKind(kind)
    except ValueError:
        abort(404)


def _tag_choices(form) -> None:
    """Offer the active taxonomy terms, plus any retired ones the opportunity already carries."""
    interests = db.session.scalars(active_terms(Interest)).all()
    specialties = db.session.scalars(active_terms(Specialty)).all()
    form.interests.choices = [(term.id, term.name) for term in interests]
    form.specialties.choices = [(term.id, term.name) for term in specialties]
    if hasattr(form, "practice_setting_id"):
        settings = db.session.scalars(active_terms(PracticeSetting)).all()
        form.practice_setting_id.choices = [("", "—")] + [(term.id, term.name) for term in settings]


def _keep_terms(form, opportunity: Opportunity) -> None:
    """A retired tag stays choosable on the opportunities that already use it."""
    have = {value for value, _ in form.interests.choices}
    form.interests.choices += [(t.id, t.name) for t in opportunity.interests if t.id not in have]
    have = {value for value, _ in form.specialties.choices}
    form.specialties.choices += [(t.id, t.name) for t in opportunity.specialties if t.id not in have]


def _form_error(form, error: services.OpportunityError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = list(target.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


# -- the board ------------------------------------------------------------------------

def _board(archive: bool):
    form = BoardForm(request.args)
    # The directory's filter choices, kept per version of the vocabulary (network/cache.py).
    choices = filter_choices()
    form.specialty.choices = [SelectChoice("", "Any specialty"), *choices["specialty"]]
    form.interests.choices = choices["interest"]
    form.validate()
    mode = form.work_mode.data or ""
    filters = services.BoardFilters(
        kinds=[k for k in form.kind.data or [] if k in set(OpportunityKind)],
        interest_ids=[i for i in form.interests.data or [] if i > 0],
        specialty_id=form.specialty.data if not form.specialty.errors else None,
        location=(form.location.data or "")[:120],
        work_mode=mode if mode in ("remote", "onsite", "remote_only") else "",
        deadline_days=form.deadline_days.data if not form.deadline_days.errors else None,
        mine=bool(form.mine.data), q=(form.q.data or "")[:200],
        sort=form.sort.data if form.sort.data in services.SORTS else "newest")
    page_number = form.page.data if form.page.data and not form.page.errors else 1
    page = services.board_page(current_user.id, filters, utcnow(), page_number, archive=archive)
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    return render_template("opportunities/board.html", form=form, page=page,
                           archive=archive, filters=filters, args=args,
                           can_post=permissions.can_post_opportunity(current_user))


@bp.route("/")
def board():
    """Current opportunities: filters, sort, word search, pages."""
    return _board(archive=False)


@bp.route("/archive")
def archive():
    """Past deadlines, past events and closed opportunities."""
    return _board(archive=True)


@bp.route("/mine")
def mine():
    """What the member posted, bookmarked and RSVPed to."""
    posted, saved, rsvps, interest_counts = services.my_opportunities(current_user.id, utcnow())
    return render_template("opportunities/mine.html", posted=posted, saved=saved, rsvps=rsvps,
                           interest_counts=interest_counts)


def _render_show(opportunity: Opportunity, *, interest_form=None, rsvp_form=None, remove_form=None,
                 status: int = 200):
    state = services.viewer_state(current_user.id, opportunity.id)
    counts = services.rsvp_counts(opportunity.id) if opportunity.is_event else None
    interested = services.interest_count(opportunity.id) \
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
    return _render_show(_opportunity_or_404(opportunity_id))


# -- posting ----------------------------------------------------------------------------

@bp.route("/new")
def choose_kind():
    """Pick what to post: the kinds this member may post."""
    if not permissions.can_post_opportunity(current_user):
        abort(403)
    kinds = [k for k in OpportunityKind if permissions.can_post_opportunity(current_user, k)]
    return render_template("opportunities/choose_kind.html", kinds=kinds)


@bp.route("/new/<kind>", methods=["GET", "POST"])
@posting_limit
def new(kind: str):
    """Post an opportunity of one kind."""
    kind = _kind_or_404(kind)
    if not permissions.can_post_opportunity(current_user, kind):
        abort(403)
    form = form_class(kind)()
    form.creating = True
    _tag_choices(form)
    if request.method == "GET":
        profile = current_user.profile
        if profile is not None and profile.time_zone in zoneinfo.available_timezones():
            form.time_zone.data = profile.time_zone
    if form.validate_on_submit() and not form.holds_patient_identifiers():
        try:
            opportunity = services.create_opportunity(current_user, kind, form.values(), form.interests.data,
                                                      form.specialties.data)
        except services.OpportunityError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash(f"Your {kind.label.lower()} is posted.", "success")
            return redirect(url_for(".show", opportunity_id=opportunity.id))
    status = 400 if form.is_submitted() else 200
    return render_template("opportunities/form.html", form=form, kind=kind, opportunity=None), status


@bp.route("/<int:opportunity_id>/edit", methods=["GET", "POST"])
def edit(opportunity_id: int):
    """The poster changes an opportunity."""
    opportunity = _editable_or_403(opportunity_id)
    kind = OpportunityKind(opportunity.kind)
    form = form_class(kind)()
    form.creating = False
    _tag_choices(form)
    _keep_terms(form, opportunity)
    if request.method == "GET":
        form.fill(opportunity)
    elif form.validate_on_submit() and not form.holds_patient_identifiers():
        try:
            services.update_opportunity(opportunity, form.values(), form.interests.data, form.specialties.data)
        except services.OpportunityError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for(".show", opportunity_id=opportunity.id))
    status = 400 if form.is_submitted() else 200
    return render_template("opportunities/form.html", form=form, kind=kind, opportunity=opportunity), status


def _state_change(opportunity_id: int, action, message: str, *, check=permissions.can_edit_opportunity):
    opportunity = _opportunity_or_404(opportunity_id)
    if not check(current_user, opportunity):
        abort(403)
    try:
        action(opportunity)
    except services.Conflict as error:
        db.session.rollback()
        abort(409, error.message)
    except services.OpportunityError as error:
        db.session.rollback()
        abort(400, error.message)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".show", opportunity_id=opportunity_id))


@bp.route("/<int:opportunity_id>/close", methods=["POST"])
def close(opportunity_id: int):
    """The poster closes an opportunity; it moves to the archive."""
    return _state_change(opportunity_id, services.close_opportunity, "Closed. It is in the archive now.")


@bp.route("/<int:opportunity_id>/reopen", methods=["POST"])
def reopen(opportunity_id: int):
    """The poster reopens a closed opportunity."""
    return _state_change(opportunity_id, services.reopen_opportunity, "Reopened.")


@bp.route("/<int:opportunity_id>/remove", methods=["POST"])
def remove(opportunity_id: int):
    """An administrator removes an opportunity (audit-logged)."""
    opportunity = _opportunity_or_404(opportunity_id)
    if not permissions.can_remove_opportunity(current_user, opportunity):
        abort(403)
    form = RemoveForm()
    if not form.validate_on_submit():
        return _render_show(opportunity, remove_form=form, status=400)
    if not opportunity.is_removed and not confirmed():
        told = " Everyone who said they are going is told." if opportunity.is_event else ""
        return confirmation_page(
            title=f"Remove “{opportunity.title}”?",
            consequences=f"It leaves the board, the calendar and search for every member, and its poster can no "
                         f"longer reopen it. The audit log keeps your reason.{told}",
            button="Remove the opportunity", cancel=url_for(".show", opportunity_id=opportunity.id))
    services.remove_opportunity(current_user, opportunity, form.reason.data)
    db.session.commit()
    log.info("opportunity %s removed by %s", opportunity.id, current_user.id)
    flash("The opportunity is removed; the audit log records why.", "success")
    return redirect(url_for(".board"))


# -- engagement --------------------------------------------------------------------------

def _member_action(opportunity_id: int, action, message: str):
    opportunity = _opportunity_or_404(opportunity_id)
    action(opportunity)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".show", opportunity_id=opportunity_id))


@bp.route("/<int:opportunity_id>/bookmark", methods=["POST"])
def bookmark(opportunity_id: int):
    """Bookmark an opportunity (its deadline joins the member's calendar feed)."""
    return _member_action(opportunity_id, lambda o: services.bookmark(current_user.id, o), "Bookmarked.")


@bp.route("/<int:opportunity_id>/unbookmark", methods=["POST"])
def unbookmark(opportunity_id: int):
    """Remove a bookmark."""
    return _member_action(opportunity_id, lambda o: services.unbookmark(current_user.id, o),
                          "Bookmark removed.")


@bp.route("/<int:opportunity_id>/interest", methods=["POST"])
def express_interest(opportunity_id: int):
    """Say "I'm interested", with a note; the poster is notified."""
    opportunity = _opportunity_or_404(opportunity_id)
    form = InterestForm()
    if not form.validate_on_submit() or form.holds_patient_identifiers():
        return _render_show(opportunity, interest_form=form, status=400)
    try:
        services.express_interest(current_user, opportunity, form.note.data or "")
    except services.OpportunityError as error:
        db.session.rollback()
        abort(error.status, error.message)
    db.session.commit()
    flash("The poster knows you are interested.", "success")
    return redirect(url_for(".show", opportunity_id=opportunity_id))


@bp.route("/<int:opportunity_id>/interest/withdraw", methods=["POST"])
def withdraw_interest(opportunity_id: int):
    """Take back an "I'm interested"."""
    return _member_action(opportunity_id, lambda o: services.withdraw_interest(current_user.id, o),
                          "You are no longer on the interested list.")


@bp.route("/<int:opportunity_id>/interested")
def interested(opportunity_id: int):
    """The poster's list of interested members, with emails as each member's privacy allows."""
    opportunity = _opportunity_or_404(opportunity_id)
    if not permissions.can_see_interested(current_user, opportunity):
        abort(403)
    members = services.interested_members(current_user.id, opportunity)
    answers = services.attendees(opportunity) if opportunity.is_event else None
    return render_template("opportunities/interested.html", opportunity=opportunity, members=members,
                           answers=answers)


@bp.route("/<int:opportunity_id>/rsvp", methods=["POST"])
def rsvp(opportunity_id: int):
    """RSVP going / maybe / not going; a full event puts "going" on the waitlist."""
    opportunity = _opportunity_or_404(opportunity_id)
    if not opportunity.is_event:
        abort(404)
    form = RsvpForm()
    if not form.validate_on_submit():
        return _render_show(opportunity, rsvp_form=form, status=400)
    try:
        answer = services.respond(current_user, opportunity, RsvpStatus(form.status.data))
    except services.OpportunityError as error:
        db.session.rollback()
        abort(error.status, error.message)
    db.session.commit()
    if answer.status == RsvpStatus.WAITLISTED:
        flash("The event is full: you are on the waitlist and will be moved in when a seat frees up.", "warning")
    else:
        flash(f"Your RSVP: {RsvpStatus(answer.status).label.lower()}.", "success")
    return redirect(url_for(".show", opportunity_id=opportunity_id))


# -- calendars ----------------------------------------------------------------------------

def _ics(body: bytes, filename: str) -> Response:
    return private_file(body, "text/calendar", filename)


@bp.route("/<int:opportunity_id>/event.ics")
def event_ics(opportunity_id: int):
    """The event as an iCalendar file, in its own time zone."""
    opportunity = _opportunity_or_404(opportunity_id)
    if not opportunity.is_event or opportunity.starts_at is None:
        abort(404)
    return _ics(calendar.single_event(opportunity), f"event-{opportunity.id}.ics")


@bp.route("/<int:opportunity_id>/deadline.ics")
def deadline_ics(opportunity_id: int):
    """The deadline as an iCalendar file."""
    opportunity = _opportunity_or_404(opportunity_id)
    if opportunity.deadline is None:
        abort(404)
    return _ics(calendar.single_deadline(opportunity), f"deadline-{opportunity.id}.ics")


@bp.route("/calendar")
def calendar_settings():
    """The member's personal calendar feed and weekly digest settings."""
    pref = services.preference(current_user.id)
    # The address is shown once, right after it is made: only its hash is stored.
    token = session.pop("new_feed_token", None)
    feed_url = public_url("opportunities.feed", token=token) if token and pref and pref.feed_token else None
    return render_template("opportunities/calendar.html", feed_url=feed_url,
                           feed_on=bool(pref and pref.feed_token),
                           digest_enabled=pref.digest_enabled if pref else True)


@bp.route("/calendar/feed", methods=["POST"])
def new_feed():
    """Make (or replace) the member's secret feed URL."""
    token = services.new_feed_token(current_user.id)
    db.session.commit()
    session["new_feed_token"] = token
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
    services.revoke_feed(current_user.id)
    db.session.commit()
    flash("Your calendar feed URL is turned off.", "success")
    return redirect(url_for(".calendar_settings"))


@bp.route("/feed/<token>.ics")
@public
def feed(token: str):
    """A member's personal feed: RSVPed events and bookmarked deadlines. The secret token is the key."""
    owner = services.feed_owner(token)
    if owner is None:
        abort(404)
    events, deadlines = services.feed_items(owner.id)
    # Calendar apps poll the address; what they fetch (a member's RSVPs and bookmarks) is not kept in a cache.
    return private_file(calendar.personal_feed(owner, events, deadlines), "text/calendar")


@bp.route("/digest", methods=["POST"])
def digest_setting():
    """Turn the weekly digest on or off from the settings page."""
    enabled = request.form.get("enabled") == "1"
    services.set_digest(current_user.id, enabled)
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
        services.set_digest(user_id, False)
        db.session.commit()
        if one_click:
            return "Unsubscribed.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
        return render_template("opportunities/unsubscribed.html", done=True)
    return render_template("opportunities/unsubscribed.html", done=False)
