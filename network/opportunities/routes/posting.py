"""Posting an opportunity and looking after it: choose a kind, post, edit, close, reopen, and an
administrator's removal (confirmed, audit-logged)."""

from __future__ import annotations

import logging
import zoneinfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network import permissions
from network.confirmation import confirmation_page, confirmed
from network.extensions import db
from network.opportunities.forms import RemoveForm, form_class, offer_terms
from network.opportunities.limits import posting_limit
from network.opportunities.models import Opportunity, OpportunityKind
from network.opportunities.routes.blueprint import bp
from network.opportunities.routes.opportunity import editable_or_403, opportunity_or_404, render_show
from network.opportunities.services import Conflict, OpportunityError, posting

log = logging.getLogger(__name__)



def _kind_or_404(kind: str) -> OpportunityKind:
    try:
        return OpportunityKind(kind)
    except ValueError:
        abort(404)


def _keep_terms(form, opportunity: Opportunity) -> None:
    """A retired tag stays choosable on the opportunities that already use it."""
    have = {value for value, _ in form.interests.choices}
    form.interests.choices += [(t.id, t.name) for t in opportunity.interests if t.id not in have]
    have = {value for value, _ in form.specialties.choices}
    form.specialties.choices += [(t.id, t.name) for t in opportunity.specialties if t.id not in have]


def _form_error(form, error: OpportunityError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = list(target.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


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
    offer_terms(form)
    if request.method == "GET":
        profile = current_user.profile
        if profile is not None and profile.time_zone in zoneinfo.available_timezones():
            form.time_zone.data = profile.time_zone
    if form.validate_on_submit() and not form.holds_patient_identifiers():
        try:
            opportunity = posting.create_opportunity(current_user, kind, form.values(), form.interests.data,
                                                      form.specialties.data)
        except OpportunityError as error:
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
    opportunity = editable_or_403(opportunity_id)
    kind = OpportunityKind(opportunity.kind)
    form = form_class(kind)()
    form.creating = False
    offer_terms(form)
    _keep_terms(form, opportunity)
    if request.method == "GET":
        form.fill(opportunity)
    elif form.validate_on_submit() and not form.holds_patient_identifiers():
        try:
            posting.update_opportunity(opportunity, form.values(), form.interests.data, form.specialties.data)
        except OpportunityError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for(".show", opportunity_id=opportunity.id))
    status = 400 if form.is_submitted() else 200
    return render_template("opportunities/form.html", form=form, kind=kind, opportunity=opportunity), status


def _state_change(opportunity_id: int, action, message: str, *, check=permissions.can_edit_opportunity):
    opportunity = opportunity_or_404(opportunity_id, lock=True)
    if not check(current_user, opportunity):
        abort(403)
    try:
        action(opportunity)
    except Conflict as error:
        db.session.rollback()
        abort(409, error.message)
    except OpportunityError as error:
        db.session.rollback()
        abort(400, error.message)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".show", opportunity_id=opportunity_id))


@bp.route("/<int:opportunity_id>/close", methods=["POST"])
def close(opportunity_id: int):
    """The poster closes an opportunity; it moves to the archive."""
    return _state_change(opportunity_id, posting.close_opportunity, "Closed. It is in the archive now.")


@bp.route("/<int:opportunity_id>/reopen", methods=["POST"])
def reopen(opportunity_id: int):
    """The poster reopens a closed opportunity."""
    return _state_change(opportunity_id, posting.reopen_opportunity, "Reopened.")


@bp.route("/<int:opportunity_id>/remove", methods=["POST"])
def remove(opportunity_id: int):
    """An administrator removes an opportunity (audit-logged)."""
    opportunity = opportunity_or_404(opportunity_id, lock=True)
    if not permissions.can_remove_opportunity(current_user, opportunity):
        abort(403)
    form = RemoveForm()
    if not form.validate_on_submit():
        return render_show(opportunity, remove_form=form, status=400)
    if not opportunity.is_removed and not confirmed():
        told = " Everyone who said they are going is told." if opportunity.is_event else ""
        return confirmation_page(
            title=f"Remove “{opportunity.title}”?",
            consequences=f"It leaves the board, the calendar and search for every member, and its poster can no "
                         f"longer reopen it. The audit log keeps your reason.{told}",
            button="Remove the opportunity", cancel=url_for(".show", opportunity_id=opportunity.id))
    try:
        posting.remove_opportunity(current_user, opportunity, form.reason.data)
    except Conflict as error:  # a second click on the confirmation page, or two administrators at once
        db.session.rollback()
        abort(409, error.message)
    db.session.commit()
    log.info("opportunity %s removed by %s", opportunity.id, current_user.id)
    flash("The opportunity is removed; the audit log records why.", "success")
    return redirect(url_for(".board"))
