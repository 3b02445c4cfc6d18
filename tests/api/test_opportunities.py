"""``/api/v1/opportunities`` does what the opportunity pages do: the same board for the same filters, the same
refusals, the same notifications, and what a member does through the API shows on the pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.notifications.models import Notification
from network.opportunities.models import (
    Bookmark,
    ExpressionOfInterest,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Rsvp,
    WorkMode,
)
from network.profiles.models import Profile
from network.taxonomy.models import Interest, Specialty
from tests.api.helpers import bearer, issue_token
from tests.conftest import outbox
from tests.opportunities.test_board import bulk_opportunities

API = "/api/v1/opportunities"


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


@pytest.fixture
def make_opportunity(app):
    """An opportunity written directly: ``make_opportunity(poster, "job", interests=("Cancer pain",), **columns)``."""

    def factory(poster, kind="job", interests=(), specialties=(), **fields):
        kind = OpportunityKind(kind)
        now = datetime.now(UTC)
        values = dict(title=f"A {kind.label}", organisation="Northbridge Pain Center", location="Boston, MA",
                      work_mode=WorkMode.ONSITE, description="A **good** one.", apply_url="https://example.org/apply",
                      time_zone="America/New_York", deadline=now + timedelta(days=30), going_count=0)
        if kind.is_event:
            values.update(starts_at=now + timedelta(days=40), ends_at=now + timedelta(days=40, hours=8),
                          venue="Simulation center", deadline=None)
        values.update(fields)
        with app.app_context():
            opportunity = Opportunity(kind=kind, poster_id=poster.id, **values)
            opportunity.interests = list(db.session.scalars(select(Interest).where(Interest.name.in_(interests))))
            opportunity.specialties = list(db.session.scalars(select(Specialty)
                                                              .where(Specialty.name.in_(specialties))))
            db.session.add(opportunity)
            db.session.commit()
            return opportunity.id

    return factory


def page_titles(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<h3 class="h5 mt-1 mb-1"><a href="[^"]+">([^<]+)</a>', response.get_data(as_text=True))


def api_titles(client, headers, query: str = "") -> list[str]:
    """Every page of the API's list, following ``Link``."""
    titles, url = [], f"{API}?{query}"
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        titles += [item["title"] for item in response.get_json()]
        found = re.match(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        url = found.group(1) if found else None
    return titles


def test_every_filter_lists_what_the_board_lists(app, make_user, login, make_opportunity):
    poster, fellow = make_user(role="alumni"), make_user()
    with app.app_context():
        profile = Profile(user_id=fellow.id)
        profile.interests = list(db.session.scalars(select(Interest).where(Interest.name == "Cancer pain")))
        db.session.add(profile)
        db.session.commit()
        telemedicine = db.session.scalar(select(Interest.id).where(Interest.name == "Telemedicine"))
        specialty = db.session.scalars(select(Specialty).order_by(Specialty.id)).first()
    now = datetime.now(UTC)
    make_opportunity(poster, "job", title="Cancer pain attending", interests=["Cancer pain"],
                     specialties=[specialty.name], deadline=now + timedelta(days=50))
    make_opportunity(poster, "locum", title="Remote telehealth locum", work_mode=WorkMode.REMOTE, location="",
                     deadline=now + timedelta(days=5), interests=["Telemedicine"])
    make_opportunity(poster, "locum", title="Hybrid locum", work_mode=WorkMode.HYBRID, location="Denver, CO",
                     deadline=None)
    make_opportunity(poster, "workshop", title="Ultrasound course", interests=["Ultrasound-guided nerve blocks"],
                     location="Austin, TX", starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=5))
    make_opportunity(poster, "research", title="Registry study", location="Boston, MA", deadline=now + timedelta(2))
    make_opportunity(poster, "job", title="Expired job", deadline=now - timedelta(days=1))
    make_opportunity(poster, "job", title="Closed job", status=OpportunityStatus.CLOSED)
    make_opportunity(poster, "job", title="Removed job", status=OpportunityStatus.REMOVED)
    make_opportunity(poster, "conference", title="Past congress", starts_at=now - timedelta(days=10),
                     ends_at=now - timedelta(days=9))
    page, client = login(app.test_client(), fellow), app.test_client()
    headers = bearer(issue_token(app, fellow, "read"))
    # (the board page's query, the API's query): the same filter spelled by each
    same = [("", ""), ("mine=y", "mine=true"), ("kind=locum", "kind=locum"),
            ("kind=locum&kind=workshop", "kind=locum&kind=workshop"), ("work_mode=remote", "work_mode=remote"),
            ("work_mode=remote_only", "work_mode=remote_only"), ("work_mode=onsite", "work_mode=onsite"),
            ("location=boston", "location=boston"), ("location=+boston+", "location=+boston+"),
            ("q=ULTRASOUND", "q=ULTRASOUND"), ("q=telehealth+locum", "q=telehealth+locum"), ("q=100%25", "q=100%25"),
            ("deadline_days=7", "deadline_days=7"), ("deadline_days=30", "deadline_days=30"),
            (f"interests={telemedicine}", f"interest={telemedicine}"),
            (f"specialty={specialty.id}", f"specialty={specialty.id}"),
            ("sort=deadline", "sort=deadline"), ("sort=starting", "sort=starting"), ("sort=newest", "sort=newest"),
            ("kind=job&location=boston&sort=deadline", "kind=job&location=boston&sort=deadline")]
    for page_query, api_query in same:
        expected = page_titles(page.get(f"/opportunities/?{page_query}"))
        assert api_titles(client, headers, api_query) == expected, page_query
        # One item a page, the Link header's cursor carries the order through every page.
        assert api_titles(client, headers, f"{api_query}&limit=1") == expected, page_query
    for page_query, api_query in (("", "archive=true"), ("sort=deadline", "archive=true&sort=deadline"),
                                  ("kind=job", "archive=true&kind=job")):
        assert api_titles(client, headers, api_query) == page_titles(page.get(f"/opportunities/archive?{page_query}"))
    assert api_titles(client, headers, "sort=deadline")[-2:] == ["Hybrid locum", "Ultrasound course"]  # no deadline
    assert "Removed job" not in api_titles(client, headers, "archive=true")


def test_the_list_describes_each_opportunity(app, make_user, make_opportunity):
    poster, fellow = make_user(role="alumni"), make_user()
    job = make_opportunity(poster, "job", interests=["Telemedicine", "Cancer pain"])
    workshop = make_opportunity(poster, "workshop", cme_credits=6.5, location="")
    with app.app_context():
        db.session.add(Bookmark(user_id=fellow.id, opportunity_id=job))
        db.session.commit()
    items = {item["id"]: item for item in app.test_client().get(API, headers=bearer(issue_token(app, fellow))).json}
    assert items[job]["interests"] == ["Cancer pain", "Telemedicine"]
    assert items[job]["bookmarked"] is True and items[workshop]["bookmarked"] is False
    assert items[job]["deadline"].endswith("Z") and "starts_at" not in items[job]
    assert items[workshop]["cme_credits"] == 6.5 and items[workshop]["starts_at"].endswith("Z")
    assert "location" not in items[workshop] and "deadline" not in items[workshop]  # absent, not null


@pytest.mark.parametrize("query", ["kind=nope", "work_mode=<script>", "deadline_days=8", "sort=evil", "interest=abc",
                                   "specialty=zz", "limit=0", "limit=101", f"q={'x' * 201}", "archive=maybe"])
def test_a_filter_the_board_does_not_offer_is_a_422(app, make_user, query):
    response = app.test_client().get(f"{API}?{query}", headers=bearer(issue_token(app, make_user())))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json" and response.json["errors"]["query"]


def test_a_cursor_not_given_out_is_a_400(app, make_user):
    response = app.test_client().get(f"{API}?cursor=made-up", headers=bearer(issue_token(app, make_user())))
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["", "?mine=true&sort=deadline&q=bulk&limit=100", "?archive=true",
                                   "?kind=job&kind=workshop&work_mode=onsite&deadline_days=90&sort=starting"])
def test_the_list_costs_the_same_queries_for_5_and_500(app, make_user, count_queries, query):
    poster, viewer = make_user(role="alumni"), make_user()
    with app.app_context():
        profile = Profile(user_id=viewer.id)
        profile.interests = db.session.scalars(select(Interest).order_by(Interest.id).limit(1)).all()
        db.session.add(profile)
        db.session.commit()
    client, headers = app.test_client(), bearer(issue_token(app, viewer, "read"))
    client.get(API, headers=headers)  # the token's first use writes its last-used time
    counts, found = [], []
    for total in (5, 500):
        bulk_opportunities(app, poster.id, total if not counts else total - 5, past="archive" in query)
        with count_queries() as queries:
            response = client.get(API + query, headers=headers)
        assert response.status_code == 200
        counts.append(len(queries))
        found.append(len(response.json))
    assert 0 < found[0] < found[1], found  # more rows on the page, and still the same queries
    assert counts[0] == counts[1] <= 8, counts


def test_one_opportunity_as_its_page_shows_it(app, make_user, make_opportunity):
    poster, fellow, other, admin = (make_user(role="alumni"), make_user(), make_user(), make_user(role="admin"))
    event = make_opportunity(poster, "workshop", capacity=2, interests=["Telemedicine"])
    job = make_opportunity(poster, "job", salary_min=200_000, employment_type="full_time")
    with app.app_context():
        db.session.add_all([Profile(user_id=fellow.id, email_visibility="members"),
                            Profile(user_id=other.id, email_visibility="private"),
                            ExpressionOfInterest(opportunity_id=job, user_id=fellow.id, note="Keen."),
                            ExpressionOfInterest(opportunity_id=job, user_id=other.id, note="")])
        db.session.commit()
    client = app.test_client()

    def read(member, opportunity_id):
        response = client.get(f"{API}/{opportunity_id}", headers=bearer(issue_token(app, member, "read")))
        assert response.status_code == 200
        return response.json

    seen = read(fellow, job)
    assert seen["viewer"] == {"bookmarked": False, "interested": True, "interest_note": "Keen."}
    assert seen["salary_min"] == 200_000 and seen["employment_type"] == "full_time"
    assert seen["poster"]["id"] == poster.id
    assert not {"interested", "interest_count", "attendees", "capacity", "venue", "project_stage"} & seen.keys()
    for member in (poster, admin):
        seen = read(member, job)
        assert seen["interest_count"] == 2
        lines = {line["member"]["id"]: line for line in seen["interested"]}
        assert lines[fellow.id]["email"] == fellow.email and lines[fellow.id]["note"] == "Keen."
        assert "email" not in lines[other.id]  # hidden by the member's privacy: absent, not null
    seen = read(fellow, event)
    assert seen["capacity"] == 2 and seen["seats_left"] == 2 and seen["venue"] == "Simulation center"
    assert seen["rsvp_counts"] == {"going": 0, "waitlisted": 0, "maybe": 0, "not_going": 0}
    assert "salary_min" not in seen and "attendees" not in seen
    assert read(poster, event)["attendees"] == {"going": [], "waitlisted": [], "maybe": []}


def test_a_removed_opportunity_is_a_404_except_to_administrators(app, make_user, make_opportunity):
    poster, admin = make_user(role="alumni"), make_user(role="admin")
    removed = make_opportunity(poster, status=OpportunityStatus.REMOVED)
    client = app.test_client()
    for member, status in ((poster, 404), (make_user(), 404), (admin, 200)):
        assert client.get(f"{API}/{removed}", headers=bearer(issue_token(app, member))).status_code == status
    assert client.get(f"{API}/99999", headers=bearer(issue_token(app, admin))).status_code == 404


def test_an_unchanged_opportunity_answers_304(app, make_user, make_opportunity):
    job = make_opportunity(make_user(role="alumni"))
    client, headers = app.test_client(), bearer(issue_token(app, make_user()))
    first = client.get(f"{API}/{job}", headers=headers)
    again = client.get(f"{API}/{job}", headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    client.put(f"{API}/{job}/bookmark", headers=headers)
    assert client.get(f"{API}/{job}", headers={**headers, "If-None-Match": first.headers["ETag"]}).status_code == 200


def test_bookmark_interest_and_rsvp_show_on_the_pages(app, make_user, login, make_opportunity, smtp):
    poster, fellow = make_user(role="alumni"), make_user()
    job, event = make_opportunity(poster, "job", title="Attending"), make_opportunity(poster, "workshop")
    client, headers = app.test_client(), bearer(issue_token(app, fellow))
    page = login(app.test_client(), fellow)

    assert client.put(f"{API}/{job}/bookmark", headers=headers).status_code == 204
    assert client.put(f"{API}/{job}/bookmark", headers=headers).status_code == 204  # again: no change
    assert "Remove bookmark" in page.get(f"/opportunities/{job}").get_data(as_text=True)
    assert "Attending" in page.get("/opportunities/mine").get_data(as_text=True)
    assert client.delete(f"{API}/{job}/bookmark", headers=headers).status_code == 204
    assert "Remove bookmark" not in page.get(f"/opportunities/{job}").get_data(as_text=True)

    response = client.put(f"{API}/{job}/interest", json={"note": "I trained in Boston."}, headers=headers)
    assert response.status_code == 200 and response.json["note"] == "I trained in Boston."
    with app.app_context():
        told = db.session.scalars(select(Notification).where(Notification.user_id == poster.id)).all()
    assert [n.kind for n in told] == ["opportunity-interest"]  # the poster is told, as from the page
    assert [mail.kind for mail in outbox(app, "opportunity-interest")] == ["opportunity-interest"]
    poster_page = login(app.test_client(), poster)
    assert "I trained in Boston." in poster_page.get(f"/opportunities/{job}/interested").get_data(as_text=True)
    assert "You told the poster you are interested" in page.get(f"/opportunities/{job}").get_data(as_text=True)
    response = client.put(f"{API}/{job}/interest", json={"note": "Updated."}, headers=headers)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1  # told the first time only
    assert client.delete(f"{API}/{job}/interest", headers=headers).status_code == 204
    assert "I trained in Boston." not in poster_page.get(f"/opportunities/{job}/interested").get_data(as_text=True)

    response = client.put(f"{API}/{event}/rsvp", json={"status": "maybe"}, headers=headers)
    assert response.status_code == 200 and response.json["status"] == "maybe"
    assert "Your answer: <strong>Maybe</strong>" in page.get(f"/opportunities/{event}").get_data(as_text=True)
    assert client.get(f"{API}/{event}", headers=headers).json["viewer"]["rsvp"] == "maybe"


def test_a_full_event_puts_going_on_the_waitlist(app, make_user, make_opportunity):
    poster = make_user(role="alumni")
    event = make_opportunity(poster, "webinar", capacity=1, venue="", online_url="https://example.org/live")
    first, second = make_user(), make_user()
    client = app.test_client()
    answers = [client.put(f"{API}/{event}/rsvp", json={"status": "going"}, headers=bearer(issue_token(app, member)))
               for member in (first, second)]
    assert [a.json["status"] for a in answers] == ["going", "waitlisted"]
    # The first one leaves: the seat goes to the second, in the same request.
    client.put(f"{API}/{event}/rsvp", json={"status": "not_going"}, headers=bearer(issue_token(app, first)))
    with app.app_context():
        assert db.session.scalar(select(Rsvp.status).where(Rsvp.user_id == second.id)) == "going"


def test_closed_and_past_refuse_as_the_page_does(app, make_user, login, make_opportunity):
    poster, fellow = make_user(role="alumni"), make_user()
    now = datetime.now(UTC)
    closed = make_opportunity(poster, "job", status=OpportunityStatus.CLOSED)
    past = make_opportunity(poster, "job", deadline=now - timedelta(days=1))
    over = make_opportunity(poster, "conference", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2))
    job = make_opportunity(poster, "job")
    client, headers = app.test_client(), bearer(issue_token(app, fellow))
    page = login(app.test_client(), fellow)
    for opportunity_id in (closed, past):
        response = client.put(f"{API}/{opportunity_id}/interest", json={"note": ""}, headers=headers)
        assert response.status_code == 409 == page.post(f"/opportunities/{opportunity_id}/interest").status_code
        assert "closed or past" in response.json["detail"]
    assert client.put(f"{API}/{over}/rsvp", json={"status": "going"}, headers=headers).status_code == 409
    assert page.post(f"/opportunities/{over}/rsvp", data={"status": "going"}).status_code == 409
    # Not an event: no RSVP (a 404, as the page's); one's own: no interest (409).
    assert client.put(f"{API}/{job}/rsvp", json={"status": "going"}, headers=headers).status_code == 404
    response = client.put(f"{API}/{job}/interest", json={}, headers=bearer(issue_token(app, poster)))
    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExpressionOfInterest)) == 0
        assert db.session.scalar(select(func.count()).select_from(Rsvp)) == 0
    # A bookmark is fine on anything the member sees, as on the page.
    assert client.put(f"{API}/{closed}/bookmark", headers=headers).status_code == 204


@pytest.mark.parametrize(("body", "field"), [({"note": "x" * 1001}, "note"), ({"note": None}, "note"),
                                             ({"status": "going"}, "status")])
def test_an_interest_note_the_form_refuses_is_a_422(app, make_user, make_opportunity, body, field):
    job = make_opportunity(make_user(role="alumni"))
    response = app.test_client().put(f"{API}/{job}/interest", json=body, headers=bearer(issue_token(app, make_user())))
    assert response.status_code == 422 and field in response.json["errors"]["json"]


def test_a_note_with_patient_identifiers_is_refused(app, make_user, make_opportunity):
    job = make_opportunity(make_user(role="alumni"))
    client, headers = app.test_client(), bearer(issue_token(app, make_user()))
    response = client.put(f"{API}/{job}/interest", json={"note": "Patient John Smith, MRN 12345678, DOB 01/02/1960"},
                          headers=headers)
    assert response.status_code == 422 and "note" in response.json["errors"]["json"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExpressionOfInterest)) == 0


def new_job(**fields) -> dict:
    return {"kind": "job", "title": "Interventional attending", "description": "Join us.",
            "how_to_apply": "jobs@example.org", "time_zone": "America/Chicago",
            "deadline": (date.today() + timedelta(days=20)).isoformat(), **fields}


def test_posting_follows_the_page_kind_rule_and_shows_on_the_board(app, make_user, login):
    fellow, alumna = make_user(), make_user(role="alumni")
    client = app.test_client()
    with app.app_context():
        tags = list(db.session.scalars(select(Interest.id).order_by(Interest.id).limit(2)))
    response = client.post(API, json=new_job(), headers=bearer(issue_token(app, fellow)))
    assert response.status_code == 403
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    conference = {"kind": "conference", "title": "Fellows congress", "description": "Two days.",
                  "time_zone": "Europe/Berlin", "venue": "Hall 3", "interests": tags, "capacity": 200,
                  "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=8)).isoformat(),
                  "cme_credits": 12.5}
    response = client.post(API, json=conference, headers=bearer(issue_token(app, fellow)))
    assert response.status_code == 201, response.json
    created = response.json
    assert created["starts_at"] == start.isoformat().replace("+00:00", "Z") and created["cme_credits"] == 12.5
    assert created["poster"]["id"] == fellow.id and len(created["interests"]) == 2 and created["interest_count"] == 0
    response = client.post(API, json=new_job(salary_min=1, salary_max=2, employment_type="full_time"),
                           headers=bearer(issue_token(app, alumna)))
    assert response.status_code == 201
    job = response.json
    assert job["apply_email"] == "jobs@example.org" and "apply_url" not in job
    # The deadline closes at the end of its day in the opportunity's time zone, as the form says.
    assert job["deadline"].startswith((date.today() + timedelta(days=21)).isoformat() + "T05:59")
    assert {"Fellows congress", "Interventional attending"} <= set(
        page_titles(login(app.test_client(), alumna).get("/opportunities/")))


@pytest.mark.parametrize(("fields", "field"), [
    ({"how_to_apply": ""}, "how_to_apply"),
    ({"how_to_apply": "not an address"}, "how_to_apply"),
    ({"deadline": (date.today() - timedelta(days=2)).isoformat()}, "deadline"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"salary_min": 10, "salary_max": 5}, "salary_max"),
    ({"interests": [999_999]}, "interests"),
    ({"practice_setting_id": 999_999}, "practice_setting_id"),
    ({"venue": "Hall 3"}, "venue"),  # an event's field on a job
    ({"title": "x" * 161}, "title"),
    ({"title": None}, "title"),
    ({"capacity": 0}, "capacity"),
    ({"description": "Patient John Smith, MRN 12345678, born 01/02/1960."}, "description"),
])
def test_posting_refuses_what_the_form_refuses(app, make_user, fields, field):
    response = app.test_client().post(API, json=new_job(**fields),
                                      headers=bearer(issue_token(app, make_user(role="alumni"))))
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"], response.json
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Opportunity)) == 0


def test_an_event_ending_before_it_starts_is_refused(app, make_user):
    start = datetime.now(UTC) + timedelta(days=5)
    body = {"kind": "workshop", "title": "Cadaver lab", "description": "Hands on.", "venue": "Anatomy",
            "starts_at": start.isoformat(), "ends_at": (start - timedelta(hours=1)).isoformat()}
    response = app.test_client().post(API, json=body, headers=bearer(issue_token(app, make_user(role="faculty"))))
    assert response.status_code == 422 and "ends_at" in response.json["errors"]["json"]
    response = app.test_client().post(API, json={**body, "ends_at": None, "starts_at": None, "venue": ""},
                                      headers=bearer(issue_token(app, make_user(role="faculty"))))
    assert response.status_code == 422


def test_posting_shares_the_page_rate_limit(make_app, make_user, login):
    app = make_app(RATELIMIT_ENABLED=True, OPPORTUNITY_POST_RATE_LIMIT="2 per minute")
    alumna = make_user(role="alumni")
    client, headers = app.test_client(), bearer(issue_token(app, alumna, "write"))
    assert client.post(API, json=new_job(), headers=headers).status_code == 201
    # One through the page counts against the same allowance (an invalid form still counts, as on the page).
    assert login(app.test_client(), alumna).post("/opportunities/new/job", data={}).status_code == 400
    response = client.post(API, json=new_job(), headers=headers)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "application/problem+json"
    # Another member has their own allowance.
    other = bearer(issue_token(app, make_user(role="alumni"), "write"))
    assert client.post(API, json=new_job(), headers=other).status_code == 201


def test_posting_still_counts_against_the_token_rate_limit(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, OPPORTUNITY_POST_RATE_LIMIT="100 per minute", API_RATE_LIMIT="2 per minute")
    client, headers = app.test_client(), bearer(issue_token(app, make_user(role="alumni"), "read", "write"))
    assert client.get(API, headers=headers).status_code == 200
    assert client.post(API, json=new_job(), headers=headers).status_code == 201
    assert client.post(API, json=new_job(), headers=headers).status_code == 429


def test_list_query_string_round_trips_through_link(app, make_user, make_opportunity):
    poster = make_user(role="alumni")
    for n in range(3):
        make_opportunity(poster, "locum", title=f"Locum {n}")
    make_opportunity(poster, "job", title="Not a locum")
    client, headers = app.test_client(), bearer(issue_token(app, make_user()))
    response = client.get(f"{API}?{urlencode({'kind': 'locum', 'limit': 2})}", headers=headers)
    assert len(response.json) == 2 and "kind=locum" in response.headers["Link"]
    assert api_titles(client, headers, "kind=locum&limit=2") == ["Locum 2", "Locum 1", "Locum 0"]


def test_every_value_of_a_repeated_filter_reaches_the_next_page(app, make_user, make_opportunity):
    poster = make_user(role="alumni")
    for kind in ("job", "locum", "job", "locum", "research"):
        make_opportunity(poster, kind, title=f"A {kind}")
    client, headers = app.test_client(), bearer(issue_token(app, make_user()))
    assert api_titles(client, headers, "kind=research&kind=locum&kind=job&limit=1") == [
        "A research", "A locum", "A job", "A locum", "A job"]


@pytest.mark.parametrize("query", ["q=pain%00", "location=bos%00ton", "q=%0A%0D", "location=%7F"])
def test_control_characters_in_words_are_folded_as_the_board_folds_them(app, make_user, login, query):
    member = make_user()
    response = app.test_client().get(f"{API}?{query}", headers=bearer(issue_token(app, member)))
    assert response.status_code == 200 == login(app.test_client(), member).get(f"/opportunities/?{query}").status_code


@pytest.mark.parametrize("fields", [{"deadline": "9999-12-31"}, {"deadline": "0001-01-01"},
                                    {"kind": "webinar", "online_url": "https://example.org/live",
                                     "starts_at": "9999-12-31T23:00:00Z", "ends_at": "9999-12-31T23:30:00Z"},
                                    {"kind": "webinar", "online_url": "https://example.org/live",
                                     "starts_at": "0001-01-01T00:00:00Z", "ends_at": "0001-01-01T01:00:00Z"}])
def test_dates_at_the_ends_of_the_calendar_are_a_422(app, make_user, fields):
    body = new_job(**fields)
    if body["kind"] == "webinar":
        del body["deadline"]
    body["time_zone"] = "Pacific/Kiritimati" if "9999" in str(fields) else "Pacific/Pago_Pago"
    response = app.test_client().post(API, json=body, headers=bearer(issue_token(app, make_user(role="alumni"))))
    assert response.status_code == 422, response.json
