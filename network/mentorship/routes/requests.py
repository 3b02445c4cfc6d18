"""Mentoring requests: the requests I sent and received, and accepting, declining and withdrawing one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from network.confirmation import confirmation_page, confirmed
from network.extensions import db
from network.mentorship import services
from network.mentorship.forms import DeclineForm
from network.mentorship.models import DeclineReason, MentorshipRequest, RequestStatus
from network.mentorship.queries.mentorships import request_for, requests_of
from network.mentorship.routes.blueprint import bp


@bp.route("/requests")
def requests():
    """Requests I sent and requests sent to me."""
    return _render_requests()


def _render_requests(declining: MentorshipRequest | None = None, decline_form: DeclineForm | None = None,
                     status: int = 200):
    """The requests page; ``declining`` is a request whose decline form comes back with ``decline_form``."""
    rows = requests_of(current_user)
    incoming = [r for r in rows if r.mentor_id == current_user.id]
    outgoing = [r for r in rows if r.mentee_id == current_user.id]
    return render_template("mentorship/requests.html", incoming=incoming, outgoing=outgoing,
                           decline_form=decline_form or DeclineForm(), declining=declining), status


def _request_for(request_id: int, side: str) -> MentorshipRequest:
    """The request if the signed-in member is its ``side`` ("mentor" or "mentee"); 404 otherwise.

    The row is locked until the request commits, so two answers to one request (a double click, two tabs,
    an accept racing a withdraw) take turns: the second reads what the first did and is told so."""
    item = request_for(current_user, request_id, side, lock=True)
    if item is None:
        abort(404)
    return item


def _act(action, *args, done: str):
    """Run a request action, commit once, and say what happened (or why not, with 409)."""
    try:
        result = action(*args)
    except services.MentorshipError as exc:
        db.session.commit()  # an expiry noticed on the way is worth keeping
        flash(str(exc), "warning")
        return redirect(url_for("mentorship.requests")), None
    db.session.commit()
    flash(done, "success")
    return None, result


@bp.route("/requests/<int:request_id>/accept", methods=["POST"])
def accept(request_id: int):
    """Accept a request: the mentorship starts."""
    item = _request_for(request_id, "mentor")
    refused, mentorship = _act(services.accept_request, item, current_user,
                               done=f"You are now {item.mentee.name}'s {item.type.label.lower()} mentor.")
    if refused:
        return refused
    return redirect(url_for("mentorship.workspace", mentorship_id=mentorship.id))


@bp.route("/requests/<int:request_id>/decline", methods=["POST"])
def decline(request_id: int):
    """Decline a request with a reason."""
    item = _request_for(request_id, "mentor")
    form = DeclineForm()
    if not form.validate_on_submit() or form.holds_patient_identifiers():
        return _render_requests(item, form, 400)
    if item.status == RequestStatus.PENDING and not confirmed():
        reason = DeclineReason(form.reason.data).label.lower()
        return confirmation_page(
            title=f"Decline {item.mentee.name}'s request?",
            consequences=f"{item.mentee.name} is told at once, by notification and mail, that you declined their "
                         f"request for {item.type.label.lower()} mentoring ({reason}). This cannot be undone.",
            button="Decline the request", cancel=url_for("mentorship.requests"))
    refused, _ = _act(services.decline_request, item, DeclineReason(form.reason.data), form.note.data or "",
                      done=f"You declined {item.mentee.name}'s request; they are told.")
    return refused or redirect(url_for("mentorship.requests"))


@bp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
def withdraw(request_id: int):
    """Withdraw a request I sent."""
    item = _request_for(request_id, "mentee")
    if item.status == RequestStatus.PENDING and not confirmed():
        return confirmation_page(
            title=f"Withdraw your request to {item.mentor.name}?",
            consequences=f"{item.mentor.name} is told that you withdrew your request for "
                         f"{item.type.label.lower()} mentoring. To ask again you send a new request.",
            button="Withdraw the request", cancel=url_for("mentorship.requests"))
    refused, _ = _act(services.withdraw_request, item, done="Your request is withdrawn.")
    return refused or redirect(url_for("mentorship.requests"))
