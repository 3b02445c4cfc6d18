"""``flask demo`` adds 40+ opportunities of every kind, some in the archive, and running it again adds none."""

from __future__ import annotations

from sqlalchemy import func, select

from network.extensions import db
from network.opportunities.models import Opportunity, OpportunityKind, Rsvp
from network.opportunities.queries.board import archive_condition, current_condition
from network.types import utcnow


def test_demo_opportunities(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Opportunity))
        kinds = set(db.session.scalars(select(Opportunity.kind).distinct()))
        now = utcnow()
        current = db.session.scalar(select(func.count()).select_from(Opportunity).where(current_condition(now)))
        archived = db.session.scalar(select(func.count()).select_from(Opportunity).where(archive_condition(now)))
        going = db.session.execute(select(Opportunity.id, Opportunity.going_count)).all()
        seats = dict(db.session.execute(select(Rsvp.opportunity_id, func.count()).where(Rsvp.status == "going")
                                        .group_by(Rsvp.opportunity_id)).all())
    assert total >= 40
    assert kinds == set(OpportunityKind)
    assert current >= 25 and archived >= 5
    assert all(count == seats.get(opportunity_id, 0) for opportunity_id, count in going)
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Opportunity)) == total
