"""Admin: members waiting for verification and audit entries."""

from __future__ import annotations

from sqlalchemy import insert

from network.extensions import db
from tests.budget import _rows


def populate(app, people, named, count):
    from network.audit.models import AuditLog
    from network.types import utcnow

    with app.app_context():
        _rows.members(count, role="fellow", status="pending", prefix="Waiting")
        now = utcnow()
        db.session.execute(insert(AuditLog), [
            {"actor_id": people["admin"].id, "action": "member.verify", "target_type": "user",
             "target_id": people["fellow"].id, "details": {"n": n}, "created_at": now} for n in range(count)])
        db.session.commit()
