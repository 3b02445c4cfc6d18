"""The cohort's roster page: its members, the invitations and their states; inviting people, an
administrator placing a member, and resending or revoking an invitation."""

from __future__ import annotations

import logging
from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from network.access import permission_required
from network.cohorts import queries, services
from network.cohorts.forms import InviteForm, PlaceMemberForm
from network.cohorts.models import Invitation, InvitationStatus
from network.cohorts.routes.blueprint import bp
from network.cohorts.routes.loading import cohort_or_404, open_cohort_or_409
from network.confirmation import confirmation_page, confirmed
from network.extensions import db
from network.integers import int_arg
from network.members.models import User, normalize_email
from network.permissions import can_list_programs, can_place_in_cohort
from network.programs.models import Cohort, CohortRole
from network.text.words import plural
from network.types import utcnow

log = logging.getLogger(__name__)


def _roster_page(cohort: Cohort, status: int = 200, **forms):
    """The roster page, with one page of invitations in the state ``?state=`` asks for (400 for an unknown
    state or page); a form posted from it (``invite`` or ``place``) comes back with its errors."""
    now = utcnow()
    states = queries.invitation_states(cohort, now)
    state = request.args.get("state") or None
    page = int_arg("page", 1)
    if state not in (None, *states) or page < 1:
        abort(400)
    total = states[state] if state else sum(states.values())
    return render_template("cohorts/roster.html", cohort=cohort, members=queries.roster_members(cohort),
                           invitations=queries.invitations_page(cohort, now, state, page), now=now, states=states,
                           state=state, page=page, pages=max(1, -(-total // queries.INVITATIONS_PER_PAGE)),
                           invite_form=forms.get("invite") or InviteForm(prefix="invite"),
                           place_form=forms.get("place") or (PlaceMemberForm(prefix="place")
                                                             if can_place_in_cohort(current_user) else None),
                           graduation=queries.latest_graduation(cohort),
                           imports=queries.recent_imports(cohort)), status


def _posted_from_roster(name: str, form_class):
    """For a view that takes a form posted from the roster page (``name`` is the form's prefix there): the
    view gets the cohort (409 once it has graduated) and the valid form; an invalid form comes back on the
    roster with its errors (400)."""
    def decorate(view):
        @wraps(view)
        def with_valid_form(cohort_id: int):
            cohort = open_cohort_or_409(cohort_id)
            form = form_class(prefix=name)
            if not form.validate_on_submit():
                return _roster_page(cohort, 400, **{name: form})
            return view(cohort, form)
        return with_valid_form
    return decorate


@bp.route("/cohorts/<int:cohort_id>")
@permission_required(can_list_programs)
def roster(cohort_id: int):
    """The cohort's roster, its invitations and their states."""
    return _roster_page(cohort_or_404(cohort_id))


@bp.route("/cohorts/<int:cohort_id>/invitations", methods=["POST"])
@permission_required(can_list_programs)
@_posted_from_roster("invite", InviteForm)
def invite(cohort: Cohort, form: InviteForm):
    """Invite one or many addresses with a role."""
    fresh, skipped = services.invite_new(cohort, form.addresses(), form.role.data, current_user)
    if fresh:
        db.session.commit()
        flash(f"{plural(len(fresh), 'invitation')} sent. Each link works once and for 7 days; people who already have "
              "an account join the cohort only when they accept.", "success")
    if skipped:
        flash("Not invited again (already in the cohort or with a valid invitation): " + ", ".join(skipped), "warning")
    return redirect(url_for("cohorts.roster", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/placements", methods=["POST"])
@permission_required(can_place_in_cohort)
@_posted_from_roster("place", PlaceMemberForm)
def place_member(cohort: Cohort, form: PlaceMemberForm):
    """Administrators: put an existing member in the cohort without an invitation (audited; they are told)."""
    member = db.session.scalars(select(User).where(User.email == normalize_email(form.email.data))).first()
    if member is None or not (member.is_verified and member.is_active):
        form.email.errors.append(f"No verified member has the email {form.email.data}. "
                                 "Invite them instead: they join when they accept.")
        return _roster_page(cohort, 400, place=form)
    try:
        services.place_member(cohort, member, CohortRole(form.role.data), current_user)
    except services.InvitationError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("cohorts.roster", cohort_id=cohort.id)), 409
    db.session.commit()
    log.info("member %s placed in cohort %s by %s", member.id, cohort.id, current_user.id)
    flash(f"{member.name} is now in {cohort.name}; they were told, and the placement is in the audit log.",
          "success")
    return redirect(url_for("cohorts.roster", cohort_id=cohort.id))


def _invitation_or_404(cohort: Cohort, invitation_id: int) -> Invitation:
    invitation = db.get_or_404(Invitation, invitation_id)
    if invitation.cohort_id != cohort.id:
        abort(404)
    return invitation


@bp.route("/cohorts/<int:cohort_id>/invitations/<int:invitation_id>/resend", methods=["POST"])
@permission_required(can_list_programs)
def resend_invitation(cohort_id: int, invitation_id: int):
    """Mail a fresh link (valid 7 more days); the old link stops working."""
    return _invitation_action(cohort_id, invitation_id, services.resend,
                              "A new link was sent to {email}; the previous one no longer works.")


@bp.route("/cohorts/<int:cohort_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@permission_required(can_list_programs)
def revoke_invitation(cohort_id: int, invitation_id: int):
    """Withdraw an invitation that was not used yet, once the staff member confirms."""
    return _invitation_action(cohort_id, invitation_id, services.revoke, "The invitation to {email} was revoked.",
                              confirmation=_confirm_revocation)


def _confirm_revocation(cohort: Cohort, invitation: Invitation):
    return confirmation_page(
        title=f"Revoke the invitation to {invitation.email}?",
        consequences=f"The link mailed to {invitation.email} stops working at once, so they cannot join "
                     f"{cohort.name} with it. To invite them later you send a new invitation.",
        button="Revoke the invitation", cancel=url_for("cohorts.roster", cohort_id=cohort.id))


def _invitation_action(cohort_id: int, invitation_id: int, action, done: str, confirmation=None):
    """Apply ``action`` to one invitation of the cohort; 409 with the reason when it no longer applies.
    ``confirmation(cohort, invitation)`` first asks, while the invitation can still be used."""
    cohort = cohort_or_404(cohort_id)
    invitation = _invitation_or_404(cohort, invitation_id)
    if confirmation is not None and invitation.status == InvitationStatus.SENT and not confirmed():
        return confirmation(cohort, invitation)
    try:
        action(invitation, current_user)
    except services.InvitationError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("cohorts.roster", cohort_id=cohort.id)), 409
    db.session.commit()
    flash(done.format(email=invitation.email), "success")
    return redirect(url_for("cohorts.roster", cohort_id=cohort.id))
