"""Landing, home, pending and health."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from network.access import account_view, public
from network.auth.forms import ActionForm
from network.extensions import db
from network.members.models import MemberStatus, User

bp = Blueprint("main", __name__)
log = logging.getLogger(__name__)


@bp.route("/")
@public
def index():
    """Visitors see what the network is; members see their home."""
    if not current_user.is_authenticated:
        return render_template("main/landing.html")
    if not current_user.is_verified:
        return redirect(url_for("main.pending"))
    from datetime import date

    from network.mentorship.services import home_summary
    from network.profiles.services import completeness

    pending_count = None
    if current_user.is_admin:
        pending_count = db.session.scalar(
            select(func.count()).select_from(User).where(User.status == MemberStatus.PENDING))
    return render_template("main/home.html", pending_count=pending_count,
                           completeness=completeness(current_user, current_user.profile),
                           mentoring=home_summary(current_user), today=date.today())


@bp.route("/pending")
@account_view
def pending():
    """What a member waiting for verification sees."""
    if current_user.is_verified:
        return redirect(url_for("main.index"))
    return render_template("main/pending.html", action_form=ActionForm())


@bp.route("/healthz")
@public
def healthz():
    """Load balancers ask here: 200 when the database answers, 503 when not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: database unavailable")
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
