"""Mentoring end to end through the routes: settings, recommendations, every request transition,
capacity under a real race, the team page and the private workspace."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from network.extensions import db
from network.mentorship.models import (
    Meeting,
    MentorSettings,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
)
from network.notifications.models import Notification
from network.types import utcnow
from tests.conftest import outbox
from tests.html_checks import check_page
from tests.test_directory import add_profile


def mentor_with_settings(app, make_user, login, *, capacity=2, types=("research", "career"), **user_fields):
    mentor = make_user(role=user_fields.pop("role", "alumni"), **user_fields)
    response = login(app.test_client(), mentor).post("/mentorship/settings", data={
        "accepting": "y", "capacity": str(capacity), "types": list(types), "meeting_modes": ["video"],
        "availability": "Tuesday evenings"})
    assert response.status_code == 302, response.data
    return mentor


def ask(app, login, fellow, mentor, type="research", message="I would like help with a research project."):
    return login(app.test_client(), fellow).post(f"/mentorship/ask/{mentor.id}",
                                                 data={"type": type, "message": message})


def request_of(app, fellow, mentor):
    with app.app_context():
        return db.session.scalars(select(MentorshipRequest).where(
            MentorshipRequest.mentee_id == fellow.id, MentorshipRequest.mentor_id == mentor.id)
            .order_by(MentorshipRequest.id.desc())).first()


def test_settings_validation_and_the_directory_flag(app, make_user, login):
    mentor = make_user(role="faculty")
    client = login(app.test_client(), mentor)
    page = client.get("/mentorship/settings")
    assert page.status_code == 200 and check_page(page.data) == []
    bad = client.post("/mentorship/settings", data={"accepting": "y", "capacity": "11", "types": []})
    assert bad.status_code == 400
    text = bad.data.decode()
    assert "between 1 and 10" in text and "at least one kind of mentoring" in text
    with app.app_context():
        assert db.session.get(MentorSettings, mentor.id) is None
    client.post("/mentorship/settings", data={"accepting": "y", "capacity": "3", "types": ["research"]})
    viewer = login(app.test_client(), make_user())
    assert mentor.name in viewer.get("/members/?accepting=y").data.decode()


def test_recommendations_rank_and_explain(app, make_user, login):
    from network.taxonomy.models import Specialty

    with app.app_context():
        pmr = db.session.scalar(select(Specialty.id).where(Specialty.slug == "pmr"))
    fellow = make_user(role="fellow", training_background_id=pmr)
    add_profile(app, fellow, interests=["Research methods", "Cancer pain"], time_zone="America/Chicago")
    best = mentor_with_settings(app, make_user, login, name="Dr. Best Fit", training_background_id=pmr)
    add_profile(app, best, interests=["Research methods", "Cancer pain"], time_zone="America/Chicago",
                accepting_mentees=True)
    mentor_with_settings(app, make_user, login, name="Dr. Some Fit")
    mentor_with_settings(app, make_user, login, name="Dr. Career Only", types=("career",))
    page = login(app.test_client(), fellow).get("/mentorship/recommendations?type=research")
    text = page.data.decode()
    assert check_page(page.data) == []
    assert text.index("Dr. Best Fit") < text.index("Dr. Some Fit")
    assert "Dr. Career Only" not in text
    assert ("Also trained in Physical medicine and rehabilitation (PM&amp;R); "
            "shares cancer pain and research methods") in text
    assert login(app.test_client(), fellow).get("/mentorship/recommendations?type=astrology").status_code == 404


def test_request_accept_and_the_team_page(app, make_user, login, smtp):
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Research Mentor")
    other = mentor_with_settings(app, make_user, login, name="Dr. Also Asked")
    assert ask(app, login, fellow, mentor).status_code == 302
    assert ask(app, login, fellow, other).status_code == 302
    duplicate = ask(app, login, fellow, mentor)
    assert duplicate.status_code == 409 and "already asked" in duplicate.data.decode()
    request = request_of(app, fellow, mentor)
    mentor_client = login(app.test_client(), mentor)
    assert "asks for <strong>research</strong>" in mentor_client.get("/mentorship/requests").data.decode()
    response = mentor_client.post(f"/mentorship/requests/{request.id}/accept")
    assert response.status_code == 302 and "/mentorship/" in response.headers["Location"]
    with app.app_context():
        assert request_of(app, fellow, other).status == RequestStatus.CLOSED
        kinds = set(db.session.scalars(select(Notification.kind)))
        assert {"mentorship-request", "mentorship-accepted", "mentorship-closed"} <= kinds
        assert db.session.get(MentorSettings, mentor.id).active_mentees == 1
    assert {m.kind for m in outbox(app)} >= {"mentorship-request", "mentorship-accepted", "mentorship-closed"}
    team = login(app.test_client(), fellow).get("/mentorship/").data.decode()
    assert "Dr. Research Mentor" in team and "Find a mentor<span class=\"visually-hidden\"> for career" in team
    again = ask(app, login, fellow, other)
    assert again.status_code == 409 and "already have a research mentor" in again.data.decode()


def test_refused_transitions_say_why(app, make_user, login):
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login, capacity=1)
    ask(app, login, fellow, mentor)
    request = request_of(app, fellow, mentor)
    mentor_client = login(app.test_client(), mentor)
    mentor_client.post(f"/mentorship/requests/{request.id}/decline",
                       data={"reason": "not_available", "note": "Busy", "confirm": "yes"})
    twice = mentor_client.post(f"/mentorship/requests/{request.id}/decline", data={"reason": "other", "confirm": "yes"},
                               follow_redirects=True)
    assert "already declined" in twice.data.decode()
    # An expired request cannot be accepted.
    second_fellow = make_user(role="fellow")
    ask(app, login, second_fellow, mentor)
    late = request_of(app, second_fellow, mentor)
    with app.app_context():
        db.session.execute(update(MentorshipRequest).where(MentorshipRequest.id == late.id)
                           .values(created_at=utcnow() - timedelta(days=15)))
        db.session.commit()
    expired = mentor_client.post(f"/mentorship/requests/{late.id}/accept", follow_redirects=True)
    assert "expired" in expired.data.decode()
    assert request_of(app, second_fellow, mentor).status == RequestStatus.EXPIRED
    # At capacity: the one place is taken, so a second acceptance is refused.
    third, fourth = make_user(role="fellow"), make_user(role="fellow")
    ask(app, login, third, mentor)
    ask(app, login, fourth, mentor)
    mentor_client.post(f"/mentorship/requests/{request_of(app, third, mentor).id}/accept")
    full = mentor_client.post(f"/mentorship/requests/{request_of(app, fourth, mentor).id}/accept",
                              follow_redirects=True)
    assert "no place free" in full.data.decode()
    # The fellow withdraws; withdrawing twice is refused.
    fellow_client = login(app.test_client(), fourth)
    pending = request_of(app, fourth, mentor)
    fellow_client.post(f"/mentorship/requests/{pending.id}/withdraw", data={"confirm": "yes"})
    again = fellow_client.post(f"/mentorship/requests/{pending.id}/withdraw", data={"confirm": "yes"},
                               follow_redirects=True)
    assert "already withdrawn" in again.data.decode()


def test_only_the_two_sides_act_on_a_request(app, make_user, login):
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login)
    ask(app, login, fellow, mentor)
    request = request_of(app, fellow, mentor)
    stranger = login(app.test_client(), make_user(role="faculty"))
    assert stranger.post(f"/mentorship/requests/{request.id}/accept").status_code == 404
    assert login(app.test_client(), fellow).post(f"/mentorship/requests/{request.id}/accept").status_code == 404
    assert login(app.test_client(), mentor).post(f"/mentorship/requests/{request.id}/withdraw").status_code == 404
    assert request_of(app, fellow, mentor).status == RequestStatus.PENDING


def test_flask_mentorship_expire_is_safe_to_rerun(app, make_user, login, runner):
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login)
    ask(app, login, fellow, mentor)
    with app.app_context():
        db.session.execute(update(MentorshipRequest).values(created_at=utcnow() - timedelta(days=20)))
        db.session.commit()
    assert "expired 1 request" in runner.invoke(args=["mentorship", "expire"]).output
    assert "expired 0 requests" in runner.invoke(args=["mentorship", "expire"]).output
    assert request_of(app, fellow, mentor).status == RequestStatus.EXPIRED


def test_two_acceptances_racing_for_the_last_place(make_app, make_user, login):
    app = make_app(RATELIMIT_ENABLED=False)
    mentor = mentor_with_settings(app, make_user, login, capacity=1)
    fellows = [make_user(role="fellow") for _ in range(2)]
    for fellow in fellows:
        ask(app, login, fellow, mentor)
    ids = [request_of(app, f, mentor).id for f in fellows]
    clients = [login(app.test_client(), mentor) for _ in ids]
    barrier = threading.Barrier(2)
    codes = []

    def accept(client, request_id):
        barrier.wait()
        codes.append(client.post(f"/mentorship/requests/{request_id}/accept").headers.get("Location", ""))

    threads = [threading.Thread(target=accept, args=pair) for pair in zip(clients, ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with app.app_context():
        active = db.session.scalar(select(func.count()).select_from(Mentorship).where(
            Mentorship.mentor_id == mentor.id, Mentorship.status == MentorshipStatus.ACTIVE))
        assert active == 1
        assert db.session.get(MentorSettings, mentor.id).active_mentees == 1
        statuses = sorted(db.session.scalars(select(MentorshipRequest.status).where(MentorshipRequest.id.in_(ids))))
        assert statuses == [RequestStatus.ACCEPTED, RequestStatus.PENDING]


@pytest.fixture
def mentorship(app, make_user, login):
    fellow = make_user(role="fellow", name="Dr. Fellow Member")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Mentor Member")
    ask(app, login, fellow, mentor)
    request_id = request_of(app, fellow, mentor).id
    response = login(app.test_client(), mentor).post(f"/mentorship/requests/{request_id}/accept")
    mentorship_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    return fellow, mentor, mentorship_id


def test_workspace_goals_meetings_and_private_notes(app, login, make_user, mentorship):
    fellow, mentor, mentorship_id = mentorship
    fellow_client = login(app.test_client(), fellow)
    mentor_client = login(app.test_client(), mentor)
    base = f"/mentorship/{mentorship_id}"
    page = fellow_client.get(base)
    assert page.status_code == 200 and check_page(page.data) == []
    fellow_client.post(f"{base}/compact", data={"compact-cadence_days": "14", "compact-length_months": "6",
                                                  "compact-expectations": "Every other Tuesday"})
    fellow_client.post(f"{base}/goals", data={"goal-title": "Draft the IRB protocol", "goal-due_on": "2027-01-15"})
    today = date.today().isoformat()
    fellow_client.post(f"{base}/meetings", data={"meeting-met_on": today, "meeting-minutes": "40",
                                                  "meeting-mode": "video", "meeting-topics": "IRB",
                                                  "meeting-notes": "My private worries", "meeting-notes_private": "y"})
    mentor_client.post(f"{base}/meetings", data={"meeting-met_on": today, "meeting-minutes": "30",
                                                  "meeting-mode": "phone", "meeting-notes": "Shared plan for data"})
    future = mentor_client.post(f"{base}/meetings", data={"meeting-met_on": "2999-01-01", "meeting-minutes": "30",
                                                           "meeting-mode": "phone"})
    assert future.status_code == 400 and "cannot be in the future" in future.data.decode()
    with app.app_context():
        goal_id = db.session.scalars(select(Mentorship).where(Mentorship.id == mentorship_id)).one().goals[0].id
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 2
    fellow_client.post(f"{base}/goals/{goal_id}/toggle")
    as_mentor = mentor_client.get(base).data.decode()
    as_fellow = fellow_client.get(base).data.decode()
    assert "My private worries" in as_fellow and "My private worries" not in as_mentor
    assert "Shared plan for data" in as_fellow and "Shared plan for data" in as_mentor
    assert "<s>Draft the IRB protocol</s>" in as_mentor
    assert "Last met" in as_fellow and "Overdue" not in as_fellow


def test_nobody_else_opens_the_workspace(app, login, make_user, mentorship):
    _, _, mentorship_id = mentorship
    for role in ("fellow", "alumni", "faculty", "admin"):
        client = login(app.test_client(), make_user(role=role))
        assert client.get(f"/mentorship/{mentorship_id}").status_code == 404, role
        assert client.post(f"/mentorship/{mentorship_id}/goals", data={"goal-title": "x"}).status_code == 404


def test_overdue_flag_and_ending_with_a_rating(app, login, mentorship):
    fellow, mentor, mentorship_id = mentorship
    with app.app_context():
        db.session.execute(update(Mentorship).values(started_at=utcnow() - timedelta(days=100), cadence_days=30))
        db.session.commit()
    fellow_client = login(app.test_client(), fellow)
    assert "Overdue" in fellow_client.get(f"/mentorship/{mentorship_id}").data.decode()
    bad = fellow_client.post(f"/mentorship/{mentorship_id}/end", data={"end-outcome": "completed", "end-rating": "9"})
    assert bad.status_code == 400
    fellow_client.post(f"/mentorship/{mentorship_id}/end", data={"end-outcome": "completed", "end-rating": "5",
                                                                  "end-comment": "Superb", "confirm": "yes"})
    with app.app_context():
        ended = db.session.get(Mentorship, mentorship_id)
        assert ended.status == MentorshipStatus.COMPLETED and ended.rating == 5
        assert db.session.get(MentorSettings, mentor.id).active_mentees == 0
    locked = fellow_client.post(f"/mentorship/{mentorship_id}/goals", data={"goal-title": "Too late"})
    assert locked.status_code == 409 and "has ended" in locked.data.decode()


def test_recommendation_queries_do_not_grow_with_mentors(app, make_user, login, count_queries):
    from network.mentorship.models import MentorSettings
    from tests.profiles_helpers import bulk_members

    fellow = make_user(role="fellow")
    add_profile(app, fellow, interests=["Research methods", "Cancer pain"])  # shared interests are loaded too
    client = login(app.test_client(), fellow)
    client.get("/")

    def add_mentors(count, prefix):
        ids = bulk_members(app, count, prefix=prefix)
        with app.app_context():
            db.session.add_all(MentorSettings(user_id=i, capacity=3, types=["research"]) for i in ids)
            db.session.commit()

    add_mentors(5, "Dr. Few")
    with count_queries() as few:
        assert client.get("/mentorship/recommendations?type=research").status_code == 200
    add_mentors(495, "Dr. Many")
    with count_queries() as many:
        assert client.get("/mentorship/recommendations?type=research").status_code == 200
    assert len(few) == len(many) <= 8, many


def test_mentors_and_mentees_see_connected_fields(app, login, make_user, mentorship):
    from tests.test_profiles import profile_form

    fellow, mentor, _ = mentorship
    login(app.test_client(), fellow).post("/members/me/edit", data=profile_form(
        app, name=fellow.name, email_visibility="connected", location_visibility="connected"))
    as_mentor = login(app.test_client(), mentor).get(f"/members/{fellow.id}").data.decode()
    as_stranger = login(app.test_client(), make_user()).get(f"/members/{fellow.id}").data.decode()
    assert fellow.email in as_mentor and "Austin" in as_mentor
    assert fellow.email not in as_stranger and "Austin" not in as_stranger
    # A connected location is found by the mentor's region filter, not by a stranger's.
    assert fellow.name in login(app.test_client(), mentor).get("/members/?region=TX").data.decode()
    assert fellow.name not in login(app.test_client(), make_user()).get("/members/?region=TX").data.decode()


def test_home_page_shows_the_team_and_waiting_requests(app, make_user, login):
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Home Mentor")
    fellow_home = login(app.test_client(), fellow).get("/").data.decode()
    assert 'find a mentor<span class="visually-hidden"> for research' in fellow_home
    ask(app, login, fellow, mentor)
    mentor_client = login(app.test_client(), mentor)
    assert "1 request waiting for your answer" in mentor_client.get("/").data.decode()
    mentor_client.post(f"/mentorship/requests/{request_of(app, fellow, mentor).id}/accept")
    assert "Dr. Home Mentor" in login(app.test_client(), fellow).get("/").data.decode()
    assert fellow.name in mentor_client.get("/").data.decode()
