"""Posting: validation for every kind (message next to the field, 400, nothing written), who may post
which kind, editing, closing, reopening and removing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from network.audit.models import AuditLog
from network.extensions import db
from network.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
from network.taxonomy.models import Interest

KINDS = [k.value for k in OpportunityKind]


def future(days=30, hour=9):
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0)


def valid_form(app, kind: str) -> dict:
    with app.app_context():
        interest = db.session.scalars(select(Interest.id).order_by(Interest.id)).first()
    data = {"title": f"A {kind}", "organisation": "Lakeshore Pain", "location": "Chicago, IL", "work_mode": "onsite",
            "description": "Join **us**.", "how_to_apply": "https://lakeshore.example.org/apply",
            "time_zone": "America/Chicago", "deadline": future(20).strftime("%Y-%m-%d"),
            "interests": [str(interest)]}
    if OpportunityKind(kind).is_event:
        data.update(starts_at=future(30).strftime("%Y-%m-%dT%H:%M"),
                    ends_at=(future(30) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"), venue="Skills lab",
                    capacity="12", cme_credits="6.5")
    elif kind == "research":
        data.update(project_stage="protocol", irb_status="submitted", roles_sought="Site PIs")
    else:
        data.update(employment_type="full_time", salary_min="300000", salary_max="400000")
    return data


def opportunity_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Opportunity))


@pytest.mark.parametrize("kind", KINDS)
def test_bad_input_for_every_kind_gets_a_message_and_nothing_is_written(app, make_user, signed_in, kind):
    client = signed_in(make_user(role="alumni"))
    base = valid_form(app, kind)
    cases = [
        ({"how_to_apply": "javascript:alert(1)"}, "Enter a web address starting with https://"),
        ({"how_to_apply": "ftp://files.example.org/job"}, "Enter a web address starting with https://"),
        ({"how_to_apply": "not an address"}, "or a valid email address"),
        ({"deadline": (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")}, "The deadline is in the past"),
        ({"description": "x" * 20_001}, "at most 20,000 characters"),
        ({"interests": ["999999"]}, "Choose tags from the list"),
        ({"interests": ["neuromodulation"]}, "Choose tags from the list"),
        ({"title": ""}, "Give it a title."),
        ({"time_zone": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
    ]
    if OpportunityKind(kind).is_event:
        cases += [
            ({"ends_at": (future(30) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")},
             "The end must be after the start."),
            ({"online_url": "javascript:alert(1)"}, "Enter a full web address starting with https://"),
            ({"venue": "", "online_url": ""}, "Give a venue, an online link, or both."),
            ({"capacity": "0"}, "Enter a number of seats from 1 to 100,000."),
            ({"starts_at": (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
              "ends_at": (datetime.now(UTC) - timedelta(days=2, hours=-3)).strftime("%Y-%m-%dT%H:%M"),
              "deadline": ""}, "The event would start in the past."),
        ]
    else:
        cases.append(({"how_to_apply": ""}, "Say how to apply"))
    if kind in ("job", "locum", "fellowship_position"):
        cases.append(({"salary_min": "500000", "salary_max": "100000"}, "below the lower end"))
    for change, message in cases:
        response = client.post(f"/opportunities/new/{kind}", data={**base, **change})
        assert response.status_code == 400, change
        page = response.get_data(as_text=True)
        assert message in page, (change, message)
        assert 'aria-invalid="true"' in page
    assert opportunity_count(app) == 0
    # The same form with good values is posted.
    response = client.post(f"/opportunities/new/{kind}", data=base)
    assert response.status_code == 302
    assert opportunity_count(app) == 1


def test_event_times_are_read_in_the_event_time_zone_and_stored_in_utc(app, make_user, signed_in):
    client = signed_in(make_user(role="faculty"))
    data = valid_form(app, "workshop")
    start = future(40)
    data.update(starts_at=start.strftime("%Y-%m-%dT09:00"), ends_at=start.strftime("%Y-%m-%dT17:30"),
                time_zone="America/Chicago", how_to_apply="Registrar@Example.org")
    assert client.post("/opportunities/new/workshop", data=data).status_code == 302
    with app.app_context():
        event = db.session.scalars(select(Opportunity)).one()
        local = event.starts_at.astimezone(ZoneInfo("America/Chicago"))
        assert (local.hour, local.minute) == (9, 0)
        assert event.ends_at.astimezone(ZoneInfo("America/Chicago")).hour == 17
        assert event.apply_email == "registrar@example.org" and event.apply_url == ""
        assert event.capacity == 12 and float(event.cme_credits) == 6.5
        deadline = event.deadline.astimezone(ZoneInfo("America/Chicago"))
        assert (deadline.hour, deadline.minute) == (23, 59)
    page = client.get(f"/opportunities/{event.id}").get_data(as_text=True)
    assert "09:00 C" in page  # CST or CDT: shown in the event's zone


def test_fellows_post_research_and_conferences_only(app, make_user, signed_in):
    client = signed_in(make_user(role="fellow"))
    for kind in ("job", "locum", "fellowship_position", "workshop", "webinar"):
        assert client.get(f"/opportunities/new/{kind}").status_code == 403
        assert client.post(f"/opportunities/new/{kind}", data=valid_form(app, kind)).status_code == 403
    for kind in ("research", "conference"):
        assert client.post(f"/opportunities/new/{kind}", data=valid_form(app, kind)).status_code == 302
    choices = client.get("/opportunities/new").get_data(as_text=True)
    assert "Research collaboration" in choices and "Locum" not in choices
    assert opportunity_count(app) == 2
    assert client.get("/opportunities/new/nonsense").status_code == 404


def test_markdown_description_is_sanitised(app, make_user, signed_in):
    client = signed_in(make_user(role="alumni"))
    data = valid_form(app, "job")
    data["description"] = "<script>alert(1)</script> [click](javascript:alert(2)) **bold**"
    client.post("/opportunities/new/job", data=data)
    with app.app_context():
        opportunity_id = db.session.scalar(select(Opportunity.id))
    page = client.get(f"/opportunities/{opportunity_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page
    assert "<strong>bold</strong>" in page


def test_poster_edits_closes_and_reopens_and_admin_removes_with_audit(app, make_user, signed_in, make_opportunity):
    poster = make_user(role="alumni")
    other = make_user(role="faculty")
    admin = make_user(role="admin")
    opportunity_id = make_opportunity(poster, "job")
    client = signed_in(poster)
    form = client.get(f"/opportunities/{opportunity_id}/edit").get_data(as_text=True)
    assert 'value="Test Job 1"' in form
    data = valid_form(app, "job")
    data["title"] = "Renamed job"
    data["deadline"] = (datetime.now(UTC) + timedelta(days=9)).strftime("%Y-%m-%d")
    assert client.post(f"/opportunities/{opportunity_id}/edit", data=data).status_code == 302
    assert signed_in(other).post(f"/opportunities/{opportunity_id}/edit", data=data).status_code == 403
    assert signed_in(other).post(f"/opportunities/{opportunity_id}/close").status_code == 403
    assert client.post(f"/opportunities/{opportunity_id}/close").status_code == 302
    assert client.post(f"/opportunities/{opportunity_id}/close").status_code == 409
    archive = client.get("/opportunities/archive").get_data(as_text=True)
    assert "Renamed job" in archive and "Renamed job" not in client.get("/opportunities/").get_data(as_text=True)
    assert client.post(f"/opportunities/{opportunity_id}/reopen").status_code == 302
    assert "Renamed job" in client.get("/opportunities/").get_data(as_text=True)
    admin_client = signed_in(admin)
    refused = admin_client.post(f"/opportunities/{opportunity_id}/remove", data={"reason": ""})
    assert refused.status_code == 400 and "Give a reason" in refused.get_data(as_text=True)
    assert admin_client.post(f"/opportunities/{opportunity_id}/remove",
                             data={"reason": "Spam", "confirm": "yes"}).status_code == 302
    assert client.get(f"/opportunities/{opportunity_id}").status_code == 404
    assert admin_client.get(f"/opportunities/{opportunity_id}").status_code == 200
    # A second confirmed click (or a second administrator) is told, not shown an error page of the server.
    again = admin_client.post(f"/opportunities/{opportunity_id}/remove", data={"reason": "Spam", "confirm": "yes"})
    assert again.status_code == 409 and "already removed" in again.get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "opportunity.remove")).one()
        assert entry.actor_id == admin.id and entry.target_id == opportunity_id
        assert entry.details["reason"] == "Spam"
        assert db.session.get(Opportunity, opportunity_id).status == OpportunityStatus.REMOVED


def test_capacity_cannot_drop_below_members_already_going(app, make_user, signed_in, make_opportunity):
    poster = make_user(role="alumni")
    event_id = make_opportunity(poster, "workshop", capacity=5)
    for _ in range(2):
        assert signed_in(make_user()).post(f"/opportunities/{event_id}/rsvp",
                                           data={"status": "going"}).status_code == 302
    with app.app_context():
        event = db.session.get(Opportunity, event_id)
        zone = ZoneInfo(event.time_zone)
        data = valid_form(app, "workshop")
        data.update(starts_at=event.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
                    ends_at=event.ends_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"), time_zone=event.time_zone,
                    deadline="", capacity="1")
    response = signed_in(poster).post(f"/opportunities/{event_id}/edit", data=data)
    assert response.status_code == 400
    assert "2 members are already going" in response.get_data(as_text=True)


def test_posting_is_rate_limited_per_member(make_app, make_user, login):
    app = make_app(RATELIMIT_ENABLED=True, OPPORTUNITY_POST_RATE_LIMIT="2 per minute")
    assert app.test_client().post("/opportunities/new/job").status_code == 302  # visitors go to sign in
    client = login(app.test_client(), make_user(role="alumni"))
    assert [client.post("/opportunities/new/job", data={}).status_code for _ in range(3)] == [400, 400, 429]
