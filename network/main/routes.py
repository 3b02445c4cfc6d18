"""Landing, home, pending, the navigation's counts and health."""

from __future__ import annotations

import contextlib
import logging
from datetime import date

import redis
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from network.access import account_view, public
from network.cockpit.routes import staff_home
from network.discussions.queries import recent_threads, unread_thread_count
from network.extensions import db
from network.main.services import own_profile
from network.members.models import MemberStatus, User
from network.mentorship.queries.mentorships import home_summary
from network.messages.services import unread_counts
from network.opportunities.queries.board import recent_for_home
from network.permissions import can_verify_members, managed_program_ids
from network.profiles.services import completeness

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
    if managed_program_ids(current_user):  # program staff land on their cockpit
        return staff_home(current_user)
    pending_count = None
    if can_verify_members(current_user):
        pending_count = db.session.scalar(
            select(func.count()).select_from(User).where(User.status == MemberStatus.PENDING))
    own = own_profile(current_user)
    return render_template("main/home.html", pending_count=pending_count,
                           training_background=own.training_background,
                           accepting_mentees=own.profile is not None and own.profile.accepting_mentees,
                           completeness=completeness(current_user, own.profile),
                           mentoring=home_summary(current_user, date.today()),
                           threads=recent_threads(current_user), opportunities=recent_for_home(current_user.id))


@bp.route("/pending")
@account_view
def pending():
    """What a member waiting for verification sees."""
    if current_user.is_verified:
        return redirect(url_for("main.index"))
    return render_template("main/pending.html")


@bp.route("/counts")
def counts():
    """The navigation's counts by name, for the script that refreshes them while a page stays open
    (static/js/app.js): JSON, 304 while they are the same. Notifications and messages come with the signed-in
    member (one query), the unread threads in one more (``UNREAD_COUNT_CAP`` at most); each area's count is one
    more name here."""
    notifications, messages = unread_counts(current_user.id)
    response = jsonify(notifications=notifications, messages=messages,
                       discussions=unread_thread_count(current_user))
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/healthz")
@public
def healthz():
    """Load balancers ask here: 200 when the database (and Redis, when configured) answer, 503 when not."""
    checks = {"database": _database_status()}
    redis_url = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if redis_url.startswith(("redis://", "rediss://", "unix://")):
        checks["redis"] = _redis_status(redis_url)
    healthy = all(status == "ok" for status in checks.values())
    return jsonify(status="ok" if healthy else "error", **checks), 200 if healthy else 503


def _database_status() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: database unavailable")
        with contextlib.suppress(SQLAlchemyError):  # the connection is gone: nothing to roll back
            db.session.rollback()
        return "unavailable"
    return "ok"


def _redis_status(url: str) -> str:
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        log.warning("health check: redis unavailable at %s", url.split("@")[-1])
        return "unavailable"
    finally:
        client.close()
    return "ok"


@bp.record_once
def _register_benchmark_endpoint(state) -> None:
    """``BENCHMARK_BARE_ENDPOINT=True`` only (benchmarks/load.py): the load test's baseline, a route that
    does nothing but answer, served by the same app and server as the pages it is compared with."""
    if state.app.config.get("BENCHMARK_BARE_ENDPOINT"):
        state.app.add_url_rule("/_bench/bare", "bench_bare", public(_bare))


def _bare():
    """The benchmark's baseline: answers without a session, a query or a template."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
