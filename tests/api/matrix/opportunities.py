"""``/api/v1/opportunities``: every member reads the board and an opportunity, bookmarks, says they are
interested and RSVPs; posting follows the page's kind rule (fellows post research collaborations and
conferences only).

``prepare`` makes a job and a workshop posted by the alumna (as the page matrix does) and a removed job, which
only administrators see.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.api.matrix import GRANTED_ROLES

EVERYONE = dict.fromkeys(GRANTED_ROLES, 200)
JOB = {"opportunity_id": "@job_id"}
EVENT = {"opportunity_id": "@event_id"}
REMOVED = {"opportunity_id": "@removed_id"}
NEW_JOB = {"kind": "job", "title": "Matrix API job", "description": "Join our practice.",
           "how_to_apply": "https://example.org/apply", "time_zone": "America/Chicago",
           "deadline": (date.today() + timedelta(days=30)).isoformat()}


def _except(outcome, **others):
    return {**dict.fromkeys(GRANTED_ROLES, outcome), **others}


ROUTES = {
    ("api_opportunities.opportunities", "GET"): ({}, None, EVERYONE),
    ("api_opportunities.post", "POST"): ({}, NEW_JOB, _except(201, fellow=403)),
    ("api_opportunities.opportunity", "GET"): (JOB, None, EVERYONE),
    # A removed opportunity is for administrators only: a 404 to everyone else, as on its page.
    ("api_opportunities.bookmark", "PUT"): (REMOVED, None, _except(404, admin=204)),
    ("api_opportunities.bookmark", "DELETE"): (JOB, None, dict.fromkeys(GRANTED_ROLES, 204)),
    # The poster cannot be interested in her own job.
    ("api_opportunities.interest", "PUT"): (JOB, {"note": "Keen."}, _except(200, alumni=409)),
    ("api_opportunities.interest", "DELETE"): (JOB, None, dict.fromkeys(GRANTED_ROLES, 204)),
    ("api_opportunities.rsvp", "PUT"): (EVENT, {"status": "going"}, EVERYONE),
}


def prepare(app, people, make_user):
    """The page matrix's job and workshop by the alumna, and a removed job of hers."""
    from network.extensions import db
    from network.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
    from network.types import utcnow

    alumni = people.get("alumni") or make_user(role="alumni")
    now = utcnow()
    with app.app_context():
        common = dict(poster_id=alumni.id, organisation="Matrix Pain Center", description="Matrix.",
                      apply_url="https://example.org/apply", time_zone="America/Chicago",
                      deadline=now + timedelta(days=20), going_count=0)
        job = Opportunity(kind=OpportunityKind.JOB, title="Matrix job", **common)
        removed = Opportunity(kind=OpportunityKind.JOB, title="Matrix removed job", status=OpportunityStatus.REMOVED,
                              **common)
        event = Opportunity(kind=OpportunityKind.WORKSHOP, title="Matrix workshop", venue="Sim lab", capacity=10,
                            starts_at=now + timedelta(days=30), ends_at=now + timedelta(days=30, hours=6), **common)
        db.session.add_all([job, removed, event])
        db.session.commit()
        return {"job_id": job.id, "event_id": event.id, "removed_id": removed.id}
