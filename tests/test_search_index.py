"""One full-text indexer: every indexed model's rows stay current, whatever changed, on both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from network.extensions import db
from network.members.models import User
from network.opportunities import services as opportunities
from network.opportunities.models import OpportunityKind, WorkMode
from network.taxonomy.models import Interest
from network.types import utcnow
from tests.opportunities.test_board import titles
from tests.test_directory import add_profile, names


def post_job(app, poster, title, interests=()):
    """A job on the board, posted through the service as the form would."""
    with app.test_request_context():
        chosen = db.session.scalars(select(Interest.id).where(Interest.name.in_(interests))).all()
        values = {"title": title, "organisation": "Northbridge Pain Center", "location": "Boston, MA",
                  "work_mode": WorkMode.ONSITE, "description": "A good opportunity.",
                  "apply_url": "https://example.org/apply", "time_zone": "America/New_York",
                  "deadline": utcnow() + timedelta(days=30)}
        opportunity = opportunities.create_opportunity(db.session.get(User, poster.id), OpportunityKind.JOB, values,
                                                       interest_ids=chosen)
        db.session.commit()
        return opportunity.id


def test_renaming_an_interest_reindexes_the_board_and_the_directory(app, make_user, login):
    """The issue's bug: a renamed interest was found by its new name in the directory only."""
    admin = make_user(role="admin")
    member = make_user(role="alumni", name="Dr. Term User")
    add_profile(app, member, interests=["Telemedicine"])
    post_job(app, member, "Pain attending", interests=["Telemedicine"])
    viewer = login(app.test_client(), make_user())
    assert names(viewer.get("/members/?q=telemedicine")) == ["Dr. Term User"]
    assert titles(viewer.get("/opportunities/?q=telemedicine")) == ["Pain attending"]
    assert titles(viewer.get("/opportunities/?q=virtual")) == []
    with app.app_context():
        term = db.session.scalars(select(Interest).where(Interest.name == "Telemedicine")).one()
    login(app.test_client(), admin).post(f"/admin/taxonomy/interests/{term.id}/rename", data={"name": "Virtual care"})
    assert names(viewer.get("/members/?q=virtual")) == ["Dr. Term User"]
    assert titles(viewer.get("/opportunities/?q=virtual")) == ["Pain attending"]
    assert names(viewer.get("/members/?q=telemedicine")) == []
    assert titles(viewer.get("/opportunities/?q=telemedicine")) == []
