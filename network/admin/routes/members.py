"""The members pages of the admin wing: verifying or rejecting those who registered, and finding any member
to change their role, deactivate or reactivate them."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.access import role_required
from network.admin import queries
from network.admin import services as admin_services
from network.admin.forms import RejectForm, VerifyForm
from network.admin.routes.blueprint import bp
from network.cohorts import services as cohort_services
from network.confirmation import confirmation_page, confirmed, flash_undo
from network.extensions import db
from network.integers import int_arg
from network.members import services
from network.members.models import MemberStatus, Role, User
from network.permissions import can_place_on_verification, can_verify_members
from network.programs.models import CohortRole

log = logging.getLogger(__name__)


def _page_arg() -> int:
    """The page of a list the URL asks for; 404 below the first."""
    page = int_arg("page", 1)
    if page < 1:
        abort(404)
    return page


# -- verification -------------------------------------------------------------------


@bp.route("/members/pending")
@role_required(Role.ADMIN)
def pending_members():
    """Members waiting for verification, oldest first, with the program and training stage they named."""
    page = _page_arg()
    members = queries.pending_members(page)
    if page > 1 and not members.items:
        abort(404)
    return render_template("admin/pending_members.html", members=members.items, total=members.total, page=page,
                           pages=members.pages)


def _applicant_or_404(user_id: int) -> User:
    """The member with what they said when registering (and the program they named), or 404."""
    return db.first_or_404(queries.applicant(user_id))


def _not_waiting(user: User):
    flash(f"{user.name} is not waiting for verification any more.", "warning")
    return redirect(url_for("admin.pending_members"))


def _cohort_role(user: User) -> CohortRole:
    """Faculty join a cohort as its faculty advisors; fellows (and alumni) as fellows."""
    return CohortRole.FACULTY if user.role == Role.FACULTY else CohortRole.FELLOW


@bp.route("/members/<int:user_id>/verify", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def verify_member(user_id: int):
    """Admit a pending member after seeing what they said; optionally place them in a cohort of their program
    (through the cohorts' placement: audited, and they are told)."""
    user = _applicant_or_404(user_id)
    if not can_verify_members(current_user):
        abort(403)
    if not user.is_pending:
        return _not_waiting(user)
    cohorts = queries.current_cohorts(user)
    role = _cohort_role(user)
    form = VerifyForm()
    form.set_cohorts(cohorts, "a faculty advisor" if role == CohortRole.FACULTY else "a fellow")
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("admin/verify_member.html", member=user, form=form, cohorts=cohorts), status
    cohort = next((c for c in cohorts if c.id == form.cohort_id()), None)
    if cohort is not None and not can_place_on_verification(current_user, cohort):
        abort(403)
    try:
        services.verify_member(user, current_user)
        if cohort is not None:
            cohort_services.place_member(cohort, user, role, current_user)
    except services.NotPending:  # decided by another admin a moment ago
        db.session.rollback()
        return _not_waiting(user)
    except services.EmailNotConfirmed:
        db.session.rollback()
        flash(f"{user.name} has not confirmed their email address yet, so it may not be theirs. "
              "Verify them once they have.", "warning")
        return redirect(url_for("admin.pending_members"))
    except cohort_services.InvitationError as exc:
        db.session.rollback()
        form.cohort.errors.append(str(exc))
        return render_template("admin/verify_member.html", member=user, form=form, cohorts=cohorts), 409
    db.session.commit()
    log.info("member %s verified by %s%s", user.id, current_user.id,
             f", placed in cohort {cohort.id}" if cohort else "")
    done = f"{user.name} is verified and can now use the network."
    if cohort is not None:
        done += f" They are in {cohort.name}; they were told, and the placement is in the audit log."
    flash(done, "success")
    return redirect(url_for("admin.pending_members"))


@bp.route("/members/<int:user_id>/reject", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def reject_member(user_id: int):
    """Turn down a pending registration, with a reason mailed to the person: a page that says who and what
    happens, then the POST with the reason. The account can no longer sign in."""
    user = _applicant_or_404(user_id)
    if not can_verify_members(current_user):
        abort(403)
    if not user.is_pending:
        return _not_waiting(user)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            services.reject_member(user, current_user, form.reason.data)
        except services.NotPending:  # decided by another admin a moment ago
            db.session.rollback()
            return _not_waiting(user)
        db.session.commit()
        log.info("member %s rejected by %s", user.id, current_user.id)
        flash(f"The registration of {user.name} was rejected; they were mailed your reason.", "success")
        return redirect(url_for("admin.pending_members"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/reject_member.html", member=user, form=form), status


# -- every member ------------------------------------------------------------------------


@bp.route("/members/")
@role_required(Role.ADMIN)
def members():
    """Every member: search by name or email, filter by role and status."""
    text = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or None
    status = request.args.get("status") or None
    if role not in (None, *[r.value for r in Role]) or \
            status not in (None, "deactivated", *[s.value for s in MemberStatus]):
        abort(400)
    page = _page_arg()
    people = queries.member_search(page, text, role, status)
    return render_template("admin/members.html", people=people.items, total=people.total, page=page,
                           pages=people.pages, q=text, role=role, status=status,
                           deactivated=queries.deactivated_among(people.items), roles=list(Role),
                           statuses=list(MemberStatus))


def _back() -> str:
    """Where a member action returns: the members page the admin came from (same site only), else the list."""
    back = request.form.get("back") or ""
    if back.startswith("/admin/members") and "//" not in back and "\\" not in back:
        return back
    return url_for("admin.members")


def _member_action(user_id: int, act, done: str, confirmation=None, undo: str | None = None):
    """Apply ``act`` to the member; ``confirmation(member)`` may first ask, ``undo`` names the route undoing it."""
    member = db.get_or_404(User, user_id)
    if confirmation is not None and not confirmed():
        return confirmation(member)
    try:
        act(member)
    except admin_services.AdminError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(_back()), 409
    db.session.commit()
    if undo:
        flash_undo(done.format(name=member.name), url_for(undo, user_id=member.id))
    else:
        flash(done.format(name=member.name), "success")
    return redirect(_back())


@bp.route("/members/<int:user_id>/role", methods=["POST"])
@role_required(Role.ADMIN)
def change_role(user_id: int):
    """Give a member another role (fellow, alumni, faculty, administrator)."""
    value = request.form.get("role", "")
    if value not in [r.value for r in Role]:
        db.get_or_404(User, user_id)
        abort(400)
    return _member_action(user_id, lambda m: admin_services.change_role(m, Role(value), current_user),
                          "{name} is now " + Role(value).label.lower() + ".")


@bp.route("/members/<int:user_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate_member(user_id: int):
    """Stop a member signing in; their sessions end at once."""
    return _member_action(user_id, lambda m: admin_services.deactivate(m, current_user),
                          "{name} is deactivated and signed out everywhere.", confirmation=_confirm_deactivation,
                          undo="admin.reactivate_member")


def _confirm_deactivation(member: User):
    return confirmation_page(
        title=f"Deactivate {member.name}?",
        consequences=f"{member.name} is signed out on every device at once, their API tokens stop working, "
                     "and they cannot sign in until an administrator reactivates them. Their profile, posts and "
                     "mentorships stay. You can undo this with Reactivate (they make new tokens).",
        button="Deactivate", cancel=_back())


@bp.route("/members/<int:user_id>/reactivate", methods=["POST"])
@role_required(Role.ADMIN)
def reactivate_member(user_id: int):
    """Let a deactivated member sign in again, with the status they had."""
    return _member_action(user_id, lambda m: admin_services.reactivate(m, current_user),
                          "{name} can sign in again.")
