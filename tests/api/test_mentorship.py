"""Mentoring over the API does what the pages do: the same ranking and reasons, the same request rules and
refusals (409), the same notifications and mails, changes the pages then show, and a meeting's private notes
never in any answer, for anyone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select, update

from network.extensions import db
from network.mentorship.models import (
    Goal,
    Meeting,
    MentorSettings,
    Mentorship,
    MentorshipRequest,
    RequestStatus,
)
from network.notifications.models import Notification
from network.types import utcnow
from tests.api.helpers import bearer, issue_token
from tests.conftest import outbox
from tests.profiles_helpers import bulk_members
from tests.test_directory import add_profile
from tests.test_mentorship import mentor_with_settings

API = "/api/v1"
PRIVATE = "Only mine: worried about the statistics"
STRONG_PHI = "Pt John Smith MRN 1234567 seen today"


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


def api(app, member, scopes=("read", "write")):
    """A client that sends ``member``'s token with every request: ``api(app, fellow).get(...)``."""
    headers = bearer(issue_token(app, member, *scopes))
    client = app.test_client()

    class TokenClient:
        def __getattr__(self, method):
            return lambda url, **kwargs: getattr(client, method)(url, headers={**headers, **kwargs.pop("headers", {})},
                                                                 **kwargs)

    return TokenClient()


def kinds(app) -> list[str]:
    """The notifications' kinds, oldest first."""
    with app.app_context():
        return list(db.session.scalars(select(Notification.kind).order_by(Notification.id)))


def ask_over_api(app, fellow, mentor, type="research", message="I would like help with a research project."):
    return api(app, fellow).post(f"{API}/mentorship-requests", json={"mentor_id": mentor.id, "type": type,
                                                                     "message": message})


# -- recommendations ----------------------------------------------------------------------------------------


def test_recommendations_are_the_pages_in_its_order_with_its_reasons(app, make_user, login):
    from network.taxonomy.models import Specialty

    with app.app_context():
        pmr = db.session.scalar(select(Specialty.id).where(Specialty.slug == "pmr"))
    fellow = make_user(role="fellow", training_background_id=pmr)
    add_profile(app, fellow, interests=["Research methods", "Cancer pain"], time_zone="America/Chicago")
    best = mentor_with_settings(app, make_user, login, name="Dr. Best Fit", training_background_id=pmr)
    add_profile(app, best, interests=["Research methods", "Cancer pain"], time_zone="America/Chicago",
                accepting_mentees=True, city="Austin", location_visibility="connected")
    some = mentor_with_settings(app, make_user, login, name="Dr. Some Fit")
    add_profile(app, some, city="Boston", location_visibility="members", accepting_mentees=True)
    mentor_with_settings(app, make_user, login, name="Dr. Career Only", types=("career",))

    answer = api(app, fellow, ["read"]).get(f"{API}/mentors/recommendations?type=research")
    assert answer.status_code == 200
    shown = answer.get_json()
    page = login(app.test_client(), fellow).get("/mentorship/recommendations?type=research").data.decode()
    assert [r["mentor"]["name"] for r in shown] == sorted((r["mentor"]["name"] for r in shown), key=page.index)
    assert [r["mentor"]["name"] for r in shown][:2] == ["Dr. Best Fit", "Dr. Some Fit"]
    assert "Dr. Career Only" not in answer.text
    for suggestion in shown:  # each with the page's reasons, in its words
        reason = "; ".join(suggestion["reasons"])
        assert str(escape(reason[:1].upper() + reason[1:])) + "." in page
    first = shown[0]
    assert first["reasons"][:2] == ["also trained in Physical medicine and rehabilitation (PM&R)",
                                    "shares cancer pain and research methods"]
    assert 0 <= first["score"] <= 100 and first["role"] == "alumni"
    # Dr. Best Fit shares the location with connections only: absent, as on the card; Dr. Some Fit's is there.
    assert "location" not in first and "Austin" not in answer.text
    assert "Boston" in shown[1]["location"]
    # Same ETag for the same ranking: a client revalidates for nothing.
    again = api(app, fellow, ["read"]).get(f"{API}/mentors/recommendations?type=research",
                                           headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304
    # The mentor already asked leaves the list, as on the page.
    assert ask_over_api(app, fellow, best).status_code == 201
    after = api(app, fellow, ["read"]).get(f"{API}/mentors/recommendations?type=research").get_json()
    assert "Dr. Best Fit" not in [r["mentor"]["name"] for r in after]
    assert api(app, fellow).get(f"{API}/mentors/recommendations?type=astrology").status_code == 422
    refused = api(app, best).get(f"{API}/mentors/recommendations")
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


# -- requests -----------------------------------------------------------------------------------------------


def test_asking_and_accepting_change_the_pages_and_tell_the_members(app, make_user, login, smtp):
    fellow = make_user(role="fellow", name="Dr. Asking Fellow")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Research Mentor")
    other = mentor_with_settings(app, make_user, login, name="Dr. Also Asked")
    created = ask_over_api(app, fellow, mentor)
    assert created.status_code == 201
    sent = created.get_json()
    assert sent["status"] == "pending" and sent["mentor"] == {"id": mentor.id, "name": "Dr. Research Mentor"}
    assert "responded_at" not in sent and "mentorship_id" not in sent and "decline_reason" not in sent
    assert kinds(app) == ["mentorship-request"] and [m.kind for m in outbox(app)] == ["mentorship-request"]
    mentor_page = login(app.test_client(), mentor).get("/mentorship/requests").data.decode()
    assert "Dr. Asking Fellow" in mentor_page and "asks for <strong>research</strong>" in mentor_page
    # The page's rules: the same request twice, a kind the mentor does not offer, the form's limits.
    duplicate = ask_over_api(app, fellow, mentor)
    assert duplicate.status_code == 409 and "already asked" in duplicate.get_json()["detail"]
    assert ask_over_api(app, fellow, mentor, type="wellness").status_code == 422
    assert ask_over_api(app, fellow, mentor, message=" \n ").status_code == 422
    too_long = ask_over_api(app, fellow, mentor, type="career", message="x" * 2001)
    assert too_long.status_code == 422 and "message" in too_long.get_json()["errors"]["json"]
    phi = ask_over_api(app, fellow, mentor, type="career", message=STRONG_PHI)
    assert phi.status_code == 422 and "message" in phi.get_json()["errors"]["json"]
    assert ask_over_api(app, make_user(role="alumni"), mentor).status_code == 403
    assert ask_over_api(app, fellow, make_user(role="alumni")).status_code == 403  # takes no mentees
    gone = make_user(role="alumni", status="pending")
    assert ask_over_api(app, fellow, gone).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(MentorshipRequest)) == 1
    assert ask_over_api(app, fellow, other).status_code == 201

    accepted = api(app, mentor).post(f"{API}/mentorship-requests/{sent['id']}/accept")
    assert accepted.status_code == 200
    body = accepted.get_json()
    assert body["status"] == "accepted" and body["mentorship_id"] and "responded_at" in body
    twice = api(app, mentor).post(f"{API}/mentorship-requests/{sent['id']}/accept")
    assert twice.status_code == 409 and "already accepted" in twice.get_json()["detail"]
    with app.app_context():
        closed = db.session.scalars(select(MentorshipRequest).where(MentorshipRequest.mentor_id == other.id)).one()
        assert closed.status == RequestStatus.CLOSED
        assert db.session.get(MentorSettings, mentor.id).active_mentees == 1
    assert kinds(app)[-2:] == ["mentorship-accepted", "mentorship-closed"]
    assert [m.kind for m in outbox(app)][-2:] == ["mentorship-accepted", "mentorship-closed"]
    workspace = login(app.test_client(), fellow).get(f"/mentorship/{body['mentorship_id']}")
    assert workspace.status_code == 200 and "Dr. Research Mentor (mentor)" in workspace.data.decode()
    assert "Dr. Research Mentor" in login(app.test_client(), fellow).get("/mentorship/").data.decode()
    # Now that the fellow has a research mentor, asking for another is refused as on the page.
    again = ask_over_api(app, fellow, other)
    assert again.status_code == 409 and "already have a research mentor" in again.get_json()["detail"]


def test_decline_withdraw_expiry_and_who_sees_a_request(app, make_user, login):
    fellow, second = make_user(role="fellow"), make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Busy Mentor")
    first_id = ask_over_api(app, fellow, mentor).get_json()["id"]
    second_id = ask_over_api(app, fellow, mentor, type="career").get_json()["id"]
    late_id = ask_over_api(app, second, mentor).get_json()["id"]

    for stranger in (make_user(role="faculty"), make_user(role="admin"), make_user(role="fellow")):
        assert api(app, stranger).get(f"{API}/mentorship-requests/{first_id}").status_code == 404
        assert api(app, stranger).post(f"{API}/mentorship-requests/{first_id}/accept").status_code == 404
    assert api(app, fellow).post(f"{API}/mentorship-requests/{first_id}/accept").status_code == 404
    assert api(app, mentor).post(f"{API}/mentorship-requests/{first_id}/withdraw").status_code == 404
    assert api(app, fellow).get(f"{API}/mentorship-requests/{first_id}").get_json()["status"] == "pending"

    bad = api(app, mentor).post(f"{API}/mentorship-requests/{first_id}/decline", json={"reason": "bored"})
    assert bad.status_code == 422
    declined = api(app, mentor).post(f"{API}/mentorship-requests/{first_id}/decline",
                                     json={"reason": "not_available", "note": "Back in the spring."})
    assert declined.status_code == 200
    assert declined.get_json()["decline_reason"] == "not_available"
    assert declined.get_json()["response_note"] == "Back in the spring."
    assert "Declined: Not available now, “Back in the spring.”" in (
        login(app.test_client(), fellow).get("/mentorship/requests").data.decode())
    assert "mentorship-declined" in [m.kind for m in outbox(app)]
    again = api(app, mentor).post(f"{API}/mentorship-requests/{first_id}/decline", json={"reason": "other"})
    assert again.status_code == 409 and "already declined" in again.get_json()["detail"]

    withdrawn = api(app, fellow).post(f"{API}/mentorship-requests/{second_id}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    assert kinds(app)[-1] == "mentorship-withdrawn" and outbox(app)[-1].kind == "mentorship-withdrawn"
    assert api(app, fellow).post(f"{API}/mentorship-requests/{second_id}/withdraw").status_code == 409
    mentor_page = login(app.test_client(), mentor).get("/mentorship/requests").data.decode()
    assert mentor_page.count(">withdrawn<") == 1

    with app.app_context():
        db.session.execute(update(MentorshipRequest).where(MentorshipRequest.id == late_id)
                           .values(created_at=utcnow() - timedelta(days=15)))
        db.session.commit()
    expired = api(app, mentor).post(f"{API}/mentorship-requests/{late_id}/accept")
    assert expired.status_code == 409 and "expired" in expired.get_json()["detail"]
    # Noticed on the way, the expiry is kept (as the page keeps it).
    assert api(app, second).get(f"{API}/mentorship-requests/{late_id}").get_json()["status"] == "expired"

    mine = api(app, mentor).get(f"{API}/mentorship-requests?direction=received").get_json()
    assert sorted(r["id"] for r in mine) == sorted([first_id, second_id, late_id])
    assert api(app, mentor).get(f"{API}/mentorship-requests?direction=sent").get_json() == []
    assert [r["id"] for r in api(app, fellow).get(f"{API}/mentorship-requests?status=withdrawn").get_json()] == [
        second_id]


def test_request_pages_follow_the_link_header(app, make_user, login):
    fellow = make_user(role="fellow")
    mentors = [mentor_with_settings(app, make_user, login) for _ in range(3)]
    ids = [ask_over_api(app, fellow, mentor).get_json()["id"] for mentor in mentors]
    client = api(app, fellow)
    first = client.get(f"{API}/mentorship-requests?limit=2")
    assert [r["id"] for r in first.get_json()] == ids[::-1][:2]
    next_url = first.headers["Link"].split(">")[0].lstrip("<")
    second = client.get(next_url)
    assert [r["id"] for r in second.get_json()] == ids[:1] and "Link" not in second.headers


# -- mentorships, goals, meetings -----------------------------------------------------------------------------


@pytest.fixture
def pair(app, make_user, login):
    """A fellow and their research mentor, over the API: (fellow, mentor, mentorship id)."""
    fellow = make_user(role="fellow", name="Dr. Fellow Member")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Mentor Member")
    request_id = ask_over_api(app, fellow, mentor).get_json()["id"]
    mentorship_id = api(app, mentor).post(f"{API}/mentorship-requests/{request_id}/accept").get_json()["mentorship_id"]
    return fellow, mentor, mentorship_id


def test_mentorships_as_each_member_and_nobody_else(app, make_user, pair):
    fellow, mentor, mentorship_id = pair
    for member, side in ((fellow, "mentee"), (mentor, "mentor")):
        listed = api(app, member).get(f"{API}/mentorships?side={side}&status=active").get_json()
        assert [m["id"] for m in listed] == [mentorship_id]
        one = api(app, member).get(f"{API}/mentorships/{mentorship_id}").get_json()
        assert one["mentee"]["name"] == "Dr. Fellow Member" and one["mentor"]["name"] == "Dr. Mentor Member"
        assert one["status"] == "active" and one["overdue"] is False
        assert "ended_at" not in one and "rating" not in one and "last_met_on" not in one
    assert api(app, fellow).get(f"{API}/mentorships?side=mentor").get_json() == []
    for role in ("fellow", "alumni", "faculty", "admin"):
        stranger = api(app, make_user(role=role))
        assert stranger.get(f"{API}/mentorships/{mentorship_id}").status_code == 404, role
        assert stranger.get(f"{API}/mentorships/{mentorship_id}/meetings").status_code == 404, role
        assert stranger.post(f"{API}/mentorships/{mentorship_id}/goals", json={"title": "x"}).status_code == 404
        assert stranger.get(f"{API}/mentorships").get_json() == []


def test_goals_over_the_api_show_on_the_workspace(app, login, pair):
    fellow, mentor, mentorship_id = pair
    base = f"{API}/mentorships/{mentorship_id}/goals"
    created = api(app, fellow).post(base, json={"title": "  Draft the IRB protocol ", "due_on": "2027-01-15"})
    assert created.status_code == 201
    goal = created.get_json()
    assert goal["title"] == "Draft the IRB protocol" and goal["due_on"] == "2027-01-15" and goal["done"] is False
    assert "done_at" not in goal
    assert api(app, fellow).post(base, json={"title": "x" * 201}).status_code == 422
    assert api(app, fellow).post(base, json={"title": "   "}).status_code == 422
    assert api(app, fellow).post(base, json={"title": STRONG_PHI, "confirm_no_phi": True}).status_code == 422
    page = login(app.test_client(), mentor).get(f"/mentorship/{mentorship_id}").data.decode()
    assert "Draft the IRB protocol" in page and "due 15 Jan 2027" in page

    done = api(app, mentor).patch(f"{base}/{goal['id']}", json={"done": True})
    assert done.status_code == 200 and done.get_json()["done"] is True and "done_at" in done.get_json()
    assert "<s>Draft the IRB protocol</s>" in login(app.test_client(), fellow).get(
        f"/mentorship/{mentorship_id}").data.decode()
    assert api(app, fellow).patch(f"{base}/{goal['id']}", json={"done": True}).get_json()["done"] is True
    assert api(app, fellow).patch(f"{base}/{goal['id']}", json={"done": False}).get_json()["done"] is False
    assert [g["title"] for g in api(app, mentor).get(base).get_json()] == ["Draft the IRB protocol"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Goal)) == 1


def test_private_notes_never_leave_through_the_api(app, login, pair):
    fellow, mentor, mentorship_id = pair
    base = f"{API}/mentorships/{mentorship_id}/meetings"
    today = date.today().isoformat()
    private = api(app, fellow).post(base, json={"met_on": today, "minutes": 40, "mode": "video", "topics": "IRB",
                                                "notes": PRIVATE, "notes_private": True})
    assert private.status_code == 201
    mine = private.get_json()
    assert "notes" not in mine and mine["notes_private"] is True and PRIVATE not in private.text
    shared = api(app, mentor).post(base, json={"met_on": today, "minutes": 30, "mode": "phone",
                                               "notes": "Shared plan for data"})
    assert shared.status_code == 201 and shared.get_json()["notes"] == "Shared plan for data"
    future = api(app, mentor).post(base, json={"met_on": "2999-01-01", "minutes": 30, "mode": "phone"})
    assert future.status_code == 422 and "met_on" in future.get_json()["errors"]["json"]
    assert api(app, mentor).post(base, json={"met_on": today, "minutes": 4, "mode": "phone"}).status_code == 422

    for member in (fellow, mentor):
        client = api(app, member)
        answers = [client.get(base), client.get(f"{API}/mentorships/{mentorship_id}"), client.get(f"{API}/mentorships")]
        assert all(a.status_code == 200 and PRIVATE not in a.text for a in answers)
        meetings = {m["id"]: m for m in answers[0].get_json()}
        assert "notes" not in meetings[mine["id"]]
        assert meetings[shared.get_json()["id"]]["notes"] == "Shared plan for data"
    as_mentor = {m["id"]: m for m in api(app, mentor).get(base).get_json()}
    assert "notes_private" not in as_mentor[mine["id"]]  # not even a hint for the other member
    # The page still shows them to their writer alone.
    assert PRIVATE in login(app.test_client(), fellow).get(f"/mentorship/{mentorship_id}").data.decode()
    assert PRIVATE not in login(app.test_client(), mentor).get(f"/mentorship/{mentorship_id}").data.decode()

    # Correcting the meeting changes the fields sent and keeps the private notes.
    assert api(app, mentor).patch(f"{base}/{mine['id']}", json={"minutes": 60}).status_code == 403
    corrected = api(app, fellow).patch(f"{base}/{mine['id']}", json={"minutes": 55, "topics": "IRB, budget"})
    assert corrected.status_code == 200 and corrected.get_json()["minutes"] == 55 and PRIVATE not in corrected.text
    with app.app_context():
        meeting = db.session.get(Meeting, mine["id"])
        assert (meeting.minutes, meeting.notes, meeting.notes_private) == (55, PRIVATE, True)
    assert "55 min · Video · IRB, budget" in login(app.test_client(), mentor).get(
        f"/mentorship/{mentorship_id}").data.decode()
    assert api(app, fellow).patch(f"{base}/{mine['id']}", json={"met_on": "2999-01-01"}).status_code == 422


def test_an_ended_mentorship_is_read_only(app, login, pair):
    fellow, mentor, mentorship_id = pair
    base = f"{API}/mentorships/{mentorship_id}"
    goal_id = api(app, fellow).post(f"{base}/goals", json={"title": "Finish"}).get_json()["id"]
    meeting_id = api(app, fellow).post(f"{base}/meetings", json={"met_on": date.today().isoformat(), "minutes": 30,
                                                                 "mode": "video"}).get_json()["id"]
    login(app.test_client(), fellow).post(f"/mentorship/{mentorship_id}/end", data={
        "end-outcome": "completed", "end-rating": "5", "end-comment": "Superb", "confirm": "yes"})
    ended = api(app, mentor).get(base).get_json()
    assert ended["status"] == "completed" and ended["rating"] == 5 and ended["closing_comment"] == "Superb"
    late = api(app, mentor).post(f"{base}/goals", json={"title": "Too late"})
    assert late.status_code == 409 and "has ended" in late.get_json()["detail"]
    assert api(app, mentor).patch(f"{base}/goals/{goal_id}", json={"done": True}).status_code == 409
    assert api(app, fellow).post(f"{base}/meetings", json={"met_on": date.today().isoformat(), "minutes": 30,
                                                           "mode": "video"}).status_code == 409
    assert api(app, fellow).patch(f"{base}/meetings/{meeting_id}", json={"minutes": 45}).status_code == 403
    with app.app_context():
        assert db.session.get(Goal, goal_id).done_at is None and db.session.get(Meeting, meeting_id).minutes == 30
    assert api(app, fellow).get(f"{base}/goals").status_code == 200


def test_meeting_pages_follow_the_link_header(app, pair):
    fellow, _, mentorship_id = pair
    base = f"{API}/mentorships/{mentorship_id}/meetings"
    client = api(app, fellow)
    for days_ago in (3, 1, 2):
        met_on = (date.today() - timedelta(days=days_ago)).isoformat()
        client.post(base, json={"met_on": met_on, "minutes": 30, "mode": "video"})
    first = client.get(f"{base}?limit=2")
    second = client.get(first.headers["Link"].split(">")[0].lstrip("<"))
    dates = [m["met_on"] for m in first.get_json() + second.get_json()]
    assert dates == sorted(dates, reverse=True) and len(dates) == 3


# -- query budget -----------------------------------------------------------------------------------------------


def _budget(count_queries, client, urls, add_rows):
    """Queries of each list in ``urls`` with 5 rows, then with 500: the same number, at most 8."""
    assert client.get(urls[0]).status_code == 200  # the token's first use is recorded once, before the counts
    add_rows(5)
    few = {}
    for url in urls:
        with count_queries() as few[url]:
            assert len(client.get(url).get_json()) == 5
    add_rows(495)
    for url in urls:
        with count_queries() as many:
            answer = client.get(url)
        assert answer.status_code == 200 and len(answer.get_json()) > 5, url
        assert len(few[url]) == len(many) <= 8, (url, many)


def test_recommendations_query_budget(app, make_user, count_queries):
    fellow = make_user(role="fellow")
    add_profile(app, fellow, interests=["Research methods", "Cancer pain"])

    def add_mentors(count):
        ids = bulk_members(app, count, prefix=f"Dr. Mentor {count}")
        with app.app_context():
            db.session.add_all(MentorSettings(user_id=i, capacity=3, types=["research"]) for i in ids)
            db.session.commit()

    _budget(count_queries, api(app, fellow), [f"{API}/mentors/recommendations?type=research"], add_mentors)


def test_request_and_mentorship_lists_query_budget(app, make_user, count_queries):
    mentor = make_user(role="alumni")

    def add_requests_and_mentorships(count):
        ids = bulk_members(app, count, prefix=f"Dr. Mentee {count}")
        with app.app_context():
            db.session.add_all(MentorshipRequest(mentee_id=i, mentor_id=mentor.id, type="research",
                                                 message="Please") for i in ids)
            db.session.add_all(Mentorship(mentee_id=i, mentor_id=mentor.id, type="career") for i in ids)
            db.session.commit()

    _budget(count_queries, api(app, mentor), [f"{API}/mentorship-requests?limit=100", f"{API}/mentorships?limit=100"],
            add_requests_and_mentorships)


def test_goal_and_meeting_lists_query_budget(app, count_queries, pair):
    fellow, mentor, mentorship_id = pair
    before = date.today() - timedelta(days=1)

    def add_goals_and_meetings(count):
        with app.app_context():
            db.session.add_all(Goal(mentorship_id=mentorship_id, title=f"Goal {n}") for n in range(count))
            db.session.add_all(Meeting(mentorship_id=mentorship_id, author_id=(fellow, mentor)[n % 2].id,
                                       met_on=before - timedelta(days=n), minutes=30, mode="video",
                                       notes=PRIVATE, notes_private=n % 3 == 0) for n in range(count))
            db.session.commit()

    base = f"{API}/mentorships/{mentorship_id}"
    _budget(count_queries, api(app, mentor), [f"{base}/goals?limit=100", f"{base}/meetings?limit=100"],
            add_goals_and_meetings)
