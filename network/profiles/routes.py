"""Profiles and the directory."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from network.extensions import db
from network.members.models import MemberStatus, User

bp = Blueprint("profiles", __name__)


@bp.route("/<int:user_id>")
def show(user_id: int):
    """A member's profile, as far as its owner lets the viewer see it."""
    user = db.session.get(User, user_id)
    if user is None or user.status != MemberStatus.VERIFIED:
        abort(404)
    return render_template("profiles/show.html", member=user)
