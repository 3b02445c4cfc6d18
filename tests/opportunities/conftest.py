"""Factories for opportunity tests: ``make_opportunity(poster, kind="job", **fields)`` and form data."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from network.extensions import db
from network.types import utcnow


@pytest.fixture
def app(make_app):
    # Validation tests post many forms in a row; the posting limit has its own test.
    return make_app(OPPORTUNITY_POST_RATE_LIMIT="1000 per minute")


@pytest.fixture
def make_opportunity(app):
    """Create an opportunity directly (no form): returns its id."""
    from network.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus, WorkMode
    from network.taxonomy.models import Interest

    counter = itertools.count(1)

    def factory(poster, kind="job", interests=(), **fields):
        n = next(counter)
        kind = OpportunityKind(kind)
        now = utcnow()
        values = dict(title=f"Test {kind.label} {n}", organisation="Northbridge Pain Center", location="Boston, MA",
                      work_mode=WorkMode.ONSITE, description="A **good** opportunity.", apply_url="https://example.org/apply",
                      time_zone="America/New_York", deadline=now + timedelta(days=30), status=OpportunityStatus.OPEN,
                      going_count=0)
        if kind.is_event:
            values.update(starts_at=now + timedelta(days=40), ends_at=now + timedelta(days=40, hours=8),
                          venue="Simulation center", deadline=now + timedelta(days=35))
        values.update(fields)
        with app.app_context():
            opportunity = Opportunity(kind=kind, poster_id=poster.id if poster else None, **values)
            if interests:
                from sqlalchemy import select
                opportunity.interests = list(db.session.scalars(select(Interest).where(Interest.name.in_(interests))))
            db.session.add(opportunity)
            db.session.commit()
            return opportunity.id

    return factory


@pytest.fixture
def signed_in(app, login):
    """``signed_in(member)``: a new client signed in as ``member``."""

    def factory(member):
        return login(app.test_client(), member)

    return factory
