"""What a member does with an opportunity: bookmark it, say "I'm interested" (the poster sees who did), and
RSVP to an event."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from network import permissions
from network.extensions import db
from network.opportunities.forms import InterestForm, RsvpForm
from network.opportunities.models import RsvpStatus
from network.opportunities.queries.opportunity import attendees, interested_members
from network.opportunities.routes.blueprint import bp
from network.opportunities.routes.opportunity import opportunity_or_404, render_show
from network.opportunities.services import OpportunityError, engagement
from network.opportunities.services import rsvp as rsvp_services


def _member_action(opportunity_id: int, action, message: str):
    opportunity = opportunity_or_404(opportunity_id)
    action(opportunity)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".show", opportunity_id=opportunity_id))


@bp.route("/<int:opportunity_id>/bookmark", methods=["POST"])
def bookmark(opportunity_id: int):
    """Bookmark an opportunity (its deadline joins the member's calendar feed)."""
    return _member_action(opportunity_id, lambda o: engagement.bookmark(current_user.id, o), "Bookmarked.")


@bp.route("/<int:opportunity_id>/unbookmark", methods=["POST"])
def unbookmark(opportunity_id: int):
    """Remove a bookmark."""
    return _member_action(opportunity_id, lambda o: engagement.unbookmark(current_user.id, o),
                          "Bookmark removed.")


@bp.route("/<int:opportunity_id>/interest", methods=["POST"])
def express_interest(opportunity_id: int):
    """Say "I'm interested", with a note; the poster is notified."""
    opportunity = opportunity_or_404(opportunity_id)
    form = InterestForm()
    if not form.validate_on_submit() or form.holds_patient_identifiers():
        return render_show(opportunity, interest_form=form, status=400)
    try:
        engagement.express_interest(current_user, opportunity, form.note.data or "")
    except OpportunityError as error:
        db.session.rollback()
        abort(error.status, error.message)
    db.session.commit()
    flash("The poster knows you are interested.", "success")
    return redirect(url_for(".show", opportunity_id=opportunity_id))


@bp.route("/<int:opportunity_id>/interest/withdraw", methods=["POST"])
def withdraw_interest(opportunity_id: int):
    """Take back an "I'm interested"."""
    return _member_action(opportunity_id, lambda o: engagement.withdraw_interest(current_user.id, o),
                          "You are no longer on the interested list.")


@bp.route("/<int:opportunity_id>/interested")
def interested(opportunity_id: int):
    """The poster's list of interested members, with emails as each member's privacy allows."""
    opportunity = opportunity_or_404(opportunity_id)
    if not permissions.can_see_interested(current_user, opportunity):
        abort(403)
    members = interested_members(current_user.id, opportunity)
    answers = attendees(opportunity) if opportunity.is_event else None
    return render_template("opportunities/interested.html", opportunity=opportunity, members=members,
                           answers=answers)


@bp.route("/<int:opportunity_id>/rsvp", methods=["POST"])
def rsvp(opportunity_id: int):
    """RSVP going / maybe / not going; a full event puts "going" on the waitlist."""
    opportunity = opportunity_or_404(opportunity_id)
    if not opportunity.is_event:
        abort(404)
    form = RsvpForm()
    if not form.validate_on_submit():
        return render_show(opportunity, rsvp_form=form, status=400)
    try:
        answer = rsvp_services.respond(current_user, opportunity, RsvpStatus(form.status.data))
    except OpportunityError as error:
        db.session.rollback()
        abort(error.status, error.message)
    db.session.commit()
    if answer.status == RsvpStatus.WAITLISTED:
        flash("The event is full: you are on the waitlist and will be moved in when a seat frees up.", "warning")
    else:
        flash(f"Your RSVP: {RsvpStatus(answer.status).label.lower()}.", "success")
    return redirect(url_for(".show", opportunity_id=opportunity_id))
