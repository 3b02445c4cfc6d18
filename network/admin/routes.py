"""Admin: verify or reject members who registered."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from network.access import role_required
from network.audit.models import record
from network.auth.forms import ActionForm
from network.extensions import db
from network.mail.services import queue_email
from network.members.models import MemberStatus, Role, User
from network.types import utcnow

bp = Blueprint("admin", __name__)
log = logging.getLogger(__name__)

PAGE_SIZE = 50


@bp.route("/members/pending")
@role_required(Role.ADMIN)
def pending_members():
    """Members waiting for verification, oldest first."""
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    query = select(User).where(User.status == MemberStatus.PENDING).order_by(User.created_at, User.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    members = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    if page > 1 and not members:
        abort(404)
    return render_template("admin/pending_members.html", members=members, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), action_form=ActionForm())


def _load_pending(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/members/<int:user_id>/verify", methods=["POST"])
@role_required(Role.ADMIN)
def verify_member(user_id: int):
    """Admit a pending member to the network."""
    user = _load_pending(user_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if not user.is_pending:
        flash(f"{user.name} is not waiting for verification any more.", "warning")
        return redirect(url_for("admin.pending_members"))
    if not user.email_confirmed:
        flash(f"{user.name} has not confirmed their email address yet, so it may not be theirs. "
              "Verify them once they have.", "warning")
        return redirect(url_for("admin.pending_members"))
    user.status = MemberStatus.VERIFIED
    user.verified_at = utcnow()
    user.verified_by_id = current_user.id
    record(current_user.id, "member.verify", "user", user.id, email=user.email, role=user.role.value)
    queue_email("member-verified", user.email, "You are in: welcome to Fellowship Network",
                "member_verified", user=user, link=url_for("main.index", _external=True))
    db.session.commit()
    log.info("member %s verified by %s", user.id, current_user.id)
    flash(f"{user.name} is verified and can now use the network.", "success")
    return redirect(url_for("admin.pending_members"))


@bp.route("/members/<int:user_id>/reject", methods=["POST"])
@role_required(Role.ADMIN)
def reject_member(user_id: int):
    """Turn down a pending registration; the account can no longer sign in."""
    user = _load_pending(user_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if not user.is_pending:
        flash(f"{user.name} is not waiting for verification any more.", "warning")
        return redirect(url_for("admin.pending_members"))
    user.status = MemberStatus.REJECTED
    user.end_other_sessions()
    record(current_user.id, "member.reject", "user", user.id, email=user.email, role=user.role.value)
    queue_email("member-rejected", user.email, "Your Fellowship Network registration",
                "member_rejected", user=user)
    db.session.commit()
    log.info("member %s rejected by %s", user.id, current_user.id)
    flash(f"The registration of {user.name} was rejected.", "info")
    return redirect(url_for("admin.pending_members"))
