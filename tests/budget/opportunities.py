"""Opportunities: the board, the archive, a poster's list and the people interested in one job."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from network.extensions import db
from tests.budget import _rows

ARGUMENTS = {"opportunities.interested": {"opportunity_id": "job_id"},
             "opportunities.show": {"opportunity_id": "job_id"}}


def populate(app, people, named, count):
    from network.opportunities.models import Bookmark, ExpressionOfInterest, Opportunity
    from network.types import utcnow

    with app.app_context():
        now = utcnow()
        alumni, fellow = people["alumni"].id, people["fellow"].id
        common = {"poster_id": alumni, "organisation": "Budget Pain Center", "description": "Budget.",
                  "apply_url": "https://example.org/apply", "time_zone": "America/Chicago", "going_count": 0,
                  "work_mode": "onsite", "created_at": now, "updated_at": now}
        db.session.execute(insert(Opportunity), [
            {**common, "kind": "job", "status": "open", "title": f"Budget job {n}",
             "deadline": now + timedelta(days=20 + n % 30)} for n in range(count)]
            + [{**common, "kind": "locum", "status": "closed", "title": f"Budget closed {n}",
                "deadline": now - timedelta(days=1 + n % 30)} for n in range(count)])
        if "job_id" not in named:
            named["job_id"] = db.session.scalar(db.select(Opportunity.id).where(Opportunity.kind == "job")
                                                .order_by(Opportunity.id))
        interested = _rows.members(count, role="fellow", prefix="Keen")
        db.session.execute(insert(ExpressionOfInterest), [
            {"opportunity_id": named["job_id"], "user_id": i, "note": "Interested", "created_at": now}
            for i in interested])
        jobs = db.session.scalars(db.select(Opportunity.id).where(Opportunity.title.like("Budget job %"))
                                  .order_by(Opportunity.id.desc()).limit(count)).all()
        db.session.execute(insert(Bookmark), [{"user_id": fellow, "opportunity_id": j, "created_at": now}
                                              for j in jobs])
        db.session.commit()
