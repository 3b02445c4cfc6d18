"""The admin dashboard: what needs an administrator, and the way to every admin page."""

from __future__ import annotations

from flask import current_app, render_template

from network.access import role_required
from network.admin import queries
from network.admin.routes.blueprint import bp
from network.members.models import MemberStatus, Role


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    """What needs an administrator, and the way to every admin page."""
    by_status, by_role, programs = queries.dashboard_counts()
    links = {endpoint: endpoint in current_app.view_functions
             for endpoint in ("mail.outbox", "messages.reports", "discussions.moderation", "discussions.categories")}
    return render_template("admin/index.html", by_status=by_status, by_role=by_role, programs=programs,
                           links=links, Role=Role, MemberStatus=MemberStatus)
