"""The audit log page: who did what, on what, when and from where, filtered; faculty see their programs'."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from network.access import permission_required
from network.admin import queries
from network.admin.routes.blueprint import bp
from network.integers import int_arg
from network.permissions import can_read_audit_log, managed_program_ids, runs_every_program


def _date_arg(name: str) -> date | None:
    """The query parameter ``name`` as a date (400 when it is not one), None when absent."""
    value = request.args.get(name) or ""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400)


@bp.route("/audit")
@permission_required(can_read_audit_log)
def audit_log():
    """Who did what, on what, when and from where; faculty see their own programs' entries."""
    program_ids = None if runs_every_program(current_user) else managed_program_ids(current_user)
    filters = {"actor": (request.args.get("actor") or "").strip()[:100],
               "action": (request.args.get("action") or "").strip()[:64],
               "target_type": (request.args.get("target_type") or "").strip()[:32],
               "since": _date_arg("since"), "until": _date_arg("until")}
    page = int_arg("page", 1)
    if page < 1:
        abort(404)
    entries = queries.audit_entries(page, program_ids=program_ids, **filters)
    args = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v}
    scoped = program_ids is not None
    details = {entry.id: queries.visible_details(entry, addresses=not scoped) for entry in entries.items}
    return render_template("admin/audit.html", entries=entries.items, total=entries.total, page=page,
                           pages=entries.pages, filters=args, target_types=queries.audit_target_types(),
                           scoped=scoped, details=details)
