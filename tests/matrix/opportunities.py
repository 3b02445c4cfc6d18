"""Access rows for opportunities and events.

``prepare`` makes a job and a workshop posted by the alumna, a closed job of hers, a calendar feed token
for the fellow and a signed digest unsubscribe token.
"""

from __future__ import annotations

from tests.matrix.common import LOGIN, PENDING, everyone, like_faculty


def roles(fellow, alumni, faculty, admin, method="GET"):
    """Ex-staff and staff of another program are faculty members like any other here."""
    return like_faculty({"anonymous": LOGIN, "pending": PENDING if method == "GET" else 403,
                         "fellow": fellow, "alumni": alumni, "faculty": faculty, "admin": admin})


def members(outcome, method="GET"):
    return roles(outcome, outcome, outcome, outcome, method)


JOB = {"opportunity_id": "@job_id"}
EVENT = {"opportunity_id": "@event_id"}
CLOSED = {"opportunity_id": "@closed_id"}
SHOW_JOB = "→/opportunities/@job_id"
CALENDAR = "→/opportunities/calendar"

ROUTES = {
    ("opportunities.board", "GET"): ({}, members(200)),
    ("opportunities.archive", "GET"): ({}, members(200)),
    ("opportunities.mine", "GET"): ({}, members(200)),
    ("opportunities.show", "GET"): (JOB, members(200)),
    ("opportunities.choose_kind", "GET"): ({}, members(200)),
    # Fellows post research collaborations and conferences only.
    ("opportunities.new", "GET"): ({"kind": "job"}, roles(403, 200, 200, 200)),
    ("opportunities.new", "POST"): ({"kind": "job"}, roles(403, 400, 400, 400, "POST")),
    ("opportunities.edit", "GET"): (JOB, roles(403, 200, 403, 200)),
    ("opportunities.edit", "POST"): (JOB, roles(403, 400, 403, 400, "POST")),
    # The alumna closes her job; the administrator then finds it closed already.
    ("opportunities.close", "POST"): (JOB, roles(403, SHOW_JOB, 403, 409, "POST")),
    ("opportunities.reopen", "POST"): (CLOSED, roles(403, "→/opportunities/@closed_id", 403, 409, "POST")),
    ("opportunities.remove", "POST"): (JOB, roles(403, 403, 403, 400, "POST")),
    ("opportunities.bookmark", "POST"): (JOB, members(SHOW_JOB, "POST")),
    ("opportunities.unbookmark", "POST"): (JOB, members(SHOW_JOB, "POST")),
    # The poster cannot be interested in her own job.
    ("opportunities.express_interest", "POST"): (JOB, roles(SHOW_JOB, 409, SHOW_JOB, SHOW_JOB, "POST")),
    ("opportunities.withdraw_interest", "POST"): (JOB, members(SHOW_JOB, "POST")),
    ("opportunities.interested", "GET"): (JOB, roles(403, 200, 403, 200)),
    ("opportunities.rsvp", "POST"): (EVENT, members(400, "POST")),
    ("opportunities.event_ics", "GET"): (EVENT, members(200)),
    ("opportunities.deadline_ics", "GET"): (JOB, members(200)),
    ("opportunities.calendar_settings", "GET"): ({}, members(200)),
    ("opportunities.new_feed", "POST"): ({}, members(CALENDAR, "POST")),
    ("opportunities.revoke_feed", "POST"): ({}, members(200, "POST")),  # 200: it asks first
    ("opportunities.digest_setting", "POST"): ({}, members(CALENDAR, "POST")),
    # Token-gated public pages: the token is the key, whoever holds it.
    ("opportunities.feed", "GET"): ({"token": "@feed_token"}, everyone(200)),
    ("opportunities.unsubscribe", "GET"): ({"token": "@unsubscribe_token"}, everyone(200)),
    ("opportunities.unsubscribe", "POST"): ({"token": "@unsubscribe_token"}, everyone(200)),
}


def prepare(app, people, make_user):
    """A job, a workshop and a closed job by the alumna; the fellow's feed and unsubscribe tokens."""
    from datetime import timedelta

    from network.extensions import db
    from network.opportunities.digest import unsubscribe_token
    from network.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
    from network.opportunities.services.preferences import new_feed_token
    from network.types import utcnow

    alumni = people.get("alumni") or make_user(role="alumni")
    fellow = people.get("fellow") or make_user(role="fellow")
    now = utcnow()
    with app.test_request_context():
        common = dict(poster_id=alumni.id, organisation="Matrix Pain Center", description="Matrix.",
                      apply_url="https://example.org/apply", time_zone="America/Chicago",
                      deadline=now + timedelta(days=20), going_count=0)
        job = Opportunity(kind=OpportunityKind.JOB, title="Matrix job", **common)
        closed = Opportunity(kind=OpportunityKind.LOCUM, title="Matrix closed locum", status=OpportunityStatus.CLOSED,
                             **common)
        event = Opportunity(kind=OpportunityKind.WORKSHOP, title="Matrix workshop", venue="Sim lab", capacity=10,
                            starts_at=now + timedelta(days=30), ends_at=now + timedelta(days=30, hours=6), **common)
        db.session.add_all([job, closed, event])
        db.session.flush()
        token = new_feed_token(fellow.id)
        db.session.commit()
        return {"job_id": job.id, "event_id": event.id, "closed_id": closed.id, "feed_token": token,
                "unsubscribe_token": unsubscribe_token(fellow.id)}
