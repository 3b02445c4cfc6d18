"""Admin: verify or reject members who registered."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from network.access import role_required
from network.auth.forms import ActionForm
from network.extensions import db
from network.members import services
from network.members.models import MemberStatus, Role, User

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


def _decide(user_id: int, decide, done_message: str):
    """Load the member (404), check the form (400), apply ``decide``, commit once, redirect."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        decide(user, current_user)
    except services.NotPending:
        flash(f"{user.name} is not waiting for verification any more.", "warning")
    except services.EmailNotConfirmed:
        flash(f"{user.name} has not confirmed their email address yet, so it may not be theirs. "
              "Verify them once they have.", "warning")
    else:
        db.session.commit()
        log.info("member %s: %s by %s", user.id, decide.__name__, current_user.id)
        flash(done_message.format(name=user.name), "success")
    return redirect(url_for("admin.pending_members"))


@bp.route("/members/<int:user_id>/verify", methods=["POST"])
@role_required(Role.ADMIN)
def verify_member(user_id: int):
    """Admit a pending member to the network."""
    return _decide(user_id, services.verify_member, "{name} is verified and can now use the network.")


@bp.route("/members/<int:user_id>/reject", methods=["POST"])
@role_required(Role.ADMIN)
def reject_member(user_id: int):
    """Turn down a pending registration; the account can no longer sign in."""
    return _decide(user_id, services.reject_member, "The registration of {name} was rejected.")
