"""Races a busy network meets: twenty mentors' answers for one last place, forms sent twice, two people
saving the same post or profile. Threads run against PostgreSQL (SQLite serialises writers anyway), each in
its own session, released together by a barrier; edit conflicts also run on SQLite."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from network.extensions import db

POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def app(make_app):
    # Twenty threads each hold a connection at once; rate limits have their own tests.
    return make_app(RATELIMIT_ENABLED=False, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 25, "max_overflow": 5})


def run_together(app, count: int, action) -> list:
    """``action(i)`` in ``count`` threads released at the same moment, each with its own request context
    (so its own session); returns what each returned, or the exception it raised."""
    barrier = threading.Barrier(count, timeout=30)
    results: list = [None] * count

    def worker(i: int) -> None:
        with app.test_request_context():
            try:
                barrier.wait()
                results[i] = action(i)
            except Exception as exc:  # reported to the test, which asserts on it
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def token_of(page: bytes) -> dict:
    """Every hidden input of the page's forms: what a browser sends back unchanged."""
    return dict(re.findall(rb'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"', page))


# -- the last place ---------------------------------------------------------------------------------------

def _mentor_with_one_place_left(app, make_user, waiting: int):
    from network.mentorship.models import MentorSettings, Mentorship, MentorshipRequest

    mentor = make_user(role="alumni")
    current = [make_user(role="fellow") for _ in range(2)]
    askers = [make_user(role="fellow") for _ in range(waiting)]
    with app.app_context():
        db.session.add(MentorSettings(user_id=mentor.id, capacity=3, active_mentees=2, types=["career"]))
        db.session.add_all([Mentorship(mentee_id=m.id, mentor_id=mentor.id, type="career") for m in current])
        requests = [MentorshipRequest(mentee_id=a.id, mentor_id=mentor.id, type="career", message="Please")
                    for a in askers]
        db.session.add_all(requests)
        db.session.commit()
        return mentor, [r.id for r in requests]


def _mentor_load(app, mentor_id: int) -> tuple[int, int, int]:
    """(capacity, active_mentees counter, active mentorships counted) for the mentor."""
    from network.mentorship.models import MentorSettings, Mentorship, MentorshipStatus

    with app.app_context():
        settings = db.session.get(MentorSettings, mentor_id)
        active = db.session.scalar(select(func.count()).select_from(Mentorship).where(
            Mentorship.mentor_id == mentor_id, Mentorship.status == MentorshipStatus.ACTIVE))
        return settings.capacity, settings.active_mentees, active


@POSTGRES_ONLY
def test_twenty_concurrent_accepts_fill_the_last_place_once(app, make_user):
    from network.members.models import User
    from network.mentorship import services
    from network.mentorship.models import MentorshipRequest

    mentor, request_ids = _mentor_with_one_place_left(app, make_user, waiting=20)

    def accept(i):
        request = db.session.get(MentorshipRequest, request_ids[i])
        try:
            services.accept_request(request, db.session.get(User, mentor.id))
        except services.MentorshipError:
            db.session.rollback()
            return "refused"
        db.session.commit()
        return "accepted"

    results = run_together(app, 20, accept)
    assert sorted(map(str, results)) == ["accepted"] + ["refused"] * 19
    assert _mentor_load(app, mentor.id) == (3, 3, 3)


@POSTGRES_ONLY
def test_a_double_clicked_accept_starts_one_mentorship(app, make_user, login):
    """The same request accepted twice at once (two clicks, two tabs): one mentorship, one place taken, and
    the second click is told the request is already accepted, never a 500 or a misleading reason."""
    mentor, (request_id,) = _mentor_with_one_place_left(app, make_user, waiting=1)
    from network.mentorship.models import MentorSettings

    with app.app_context():
        db.session.get(MentorSettings, mentor.id).capacity = 5
        db.session.commit()
    clients = [login(app.test_client(), mentor) for _ in range(2)]
    responses = run_together(app, 2, lambda i: clients[i].post(f"/mentorship/requests/{request_id}/accept"))
    assert [r.status_code for r in responses] == [302, 302]
    places = [r.headers["Location"] for r in responses]
    assert sorted(place == "/mentorship/requests" for place in places) == [False, True]
    second = clients[places.index("/mentorship/requests")]
    assert "This request is already accepted." in second.get("/mentorship/requests").get_data(as_text=True)
    assert _mentor_load(app, mentor.id) == (5, 3, 3)


@POSTGRES_ONLY
def test_an_accept_racing_a_withdraw_ends_in_one_of_them(app, make_user, login):
    """The mentee withdraws while the mentor accepts: whichever comes first wins whole, the other is told."""
    from network.members.models import User
    from network.mentorship.models import MentorshipRequest, RequestStatus

    mentor, (request_id,) = _mentor_with_one_place_left(app, make_user, waiting=1)
    with app.app_context():
        mentee = db.session.get(User, db.session.get(MentorshipRequest, request_id).mentee_id)
    clients = [login(app.test_client(), mentor), login(app.test_client(), mentee)]
    urls = [f"/mentorship/requests/{request_id}/accept", f"/mentorship/requests/{request_id}/withdraw"]
    responses = run_together(app, 2, lambda i: clients[i].post(urls[i], data={"confirm": "yes"}))
    assert [r.status_code for r in responses] == [302, 302]
    with app.app_context():
        status = db.session.get(MentorshipRequest, request_id).status
    _, counted, active = _mentor_load(app, mentor.id)
    if status == RequestStatus.ACCEPTED:
        assert (counted, active) == (3, 3)
        told = clients[1].get("/mentorship/requests").get_data(as_text=True)
    else:
        assert status == RequestStatus.WITHDRAWN and (counted, active) == (2, 2)
        told = clients[0].get("/mentorship/requests").get_data(as_text=True)
    assert f"This request is already {status.value}." in told


@POSTGRES_ONLY
def test_both_members_ending_a_mentorship_at_once_free_one_place(app, make_user, login):
    """Mentor and mentee press "End" at the same moment: it ends once, the mentor's counter drops by one
    (not two, which would promise a place that does not exist), and the second is told it has ended."""
    from network.members.models import User
    from network.mentorship.models import Mentorship
    from network.notifications.models import Notification

    mentor, _ = _mentor_with_one_place_left(app, make_user, waiting=0)
    with app.app_context():
        mentorship = db.session.scalars(select(Mentorship).where(Mentorship.mentor_id == mentor.id)).first()
        mentorship_id, mentee = mentorship.id, db.session.get(User, mentorship.mentee_id)
    clients = [login(app.test_client(), mentor), login(app.test_client(), mentee)]
    form = {"end-outcome": "completed", "end-rating": "5", "end-comment": "", "confirm": "yes"}
    responses = run_together(app, 2, lambda i: clients[i].post(f"/mentorship/{mentorship_id}/end", data=form))
    assert sorted(r.status_code for r in responses) == [302, 409]
    refused = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert "This mentorship has ended" in refused
    assert _mentor_load(app, mentor.id) == (3, 1, 1)
    with app.app_context():
        told = db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.kind == "mentorship-ended"))
    assert told == 1


@POSTGRES_ONLY
def test_an_event_closed_twice_at_once_closes_once_and_tells_its_attendees_once(app, make_user, login):
    from network.notifications.models import Notification

    opportunity_id, poster, attendee = _event_with_an_attendee(app, make_user)
    clients = [login(app.test_client(), poster) for _ in range(2)]
    responses = run_together(app, 2, lambda i: clients[i].post(f"/opportunities/{opportunity_id}/close"))
    assert sorted(r.status_code for r in responses) == [302, 409]
    assert "already closed" in next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    with app.app_context():
        told = db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.user_id == attendee.id))
    assert told == 1


def _event_with_an_attendee(app, make_user):
    """An open workshop with one member going: (its id, its poster, the attendee)."""
    from datetime import timedelta

    from network.opportunities.models import (
        Opportunity,
        OpportunityKind,
        OpportunityStatus,
        Rsvp,
        RsvpStatus,
        WorkMode,
    )
    from network.types import utcnow

    poster, attendee = make_user(role="faculty"), make_user(role="fellow")
    start = utcnow() + timedelta(days=20)
    with app.app_context():
        event = Opportunity(kind=OpportunityKind.WORKSHOP, poster_id=poster.id, title="Ultrasound workshop",
                            organisation="Northbridge", location="Boston, MA", work_mode=WorkMode.ONSITE,
                            description="Hands on.", apply_url="https://example.org/", time_zone="America/New_York",
                            deadline=start - timedelta(days=2), starts_at=start, ends_at=start + timedelta(hours=4),
                            venue="Sim lab", status=OpportunityStatus.OPEN, going_count=1)
        db.session.add(event)
        db.session.flush()
        db.session.add(Rsvp(opportunity_id=event.id, user_id=attendee.id, status=RsvpStatus.GOING))
        db.session.commit()
        return event.id, poster, attendee


# -- forms sent twice ----------------------------------------------------------------------------------

def _mentor_accepting(app, make_user):
    from network.mentorship.models import MentorSettings

    mentor = make_user(role="alumni")
    with app.app_context():
        db.session.add(MentorSettings(user_id=mentor.id, capacity=3, types=["career"]))
        db.session.commit()
    return mentor


def test_a_mentorship_request_sent_twice_is_one_request(app, make_user, login):
    from network.mentorship.models import MentorshipRequest

    mentor = _mentor_accepting(app, make_user)
    fellow = make_user(role="fellow")
    client = login(app.test_client(), fellow)
    form = {"type": "career", "message": "Could we talk about academic jobs?"}
    first = client.post(f"/mentorship/ask/{mentor.id}", data=form)
    second = client.post(f"/mentorship/ask/{mentor.id}", data=form)
    assert first.status_code == 302
    assert second.status_code == 409
    assert "already asked" in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MentorshipRequest)) == 1


@POSTGRES_ONLY
def test_a_mentorship_request_sent_twice_at_once_is_one_request(app, make_user, login):
    from network.mentorship.models import MentorshipRequest

    mentor = _mentor_accepting(app, make_user)
    fellow = make_user(role="fellow")
    clients = [login(app.test_client(), fellow) for _ in range(2)]
    form = {"type": "career", "message": "Could we talk about academic jobs?"}
    for _ in range(5):  # the race shows on the first try here; five make a miss very unlikely
        statuses = run_together(app, 2, lambda i: clients[i].post(f"/mentorship/ask/{mentor.id}",
                                                                  data=form).status_code)
        assert 500 not in statuses
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(MentorshipRequest)) == 1
            db.session.execute(MentorshipRequest.__table__.delete())
            db.session.commit()


def test_an_interest_sent_twice_is_one_row(app, make_user, login):
    from network.opportunities.models import ExpressionOfInterest

    opportunity_id = _open_opportunity(app, make_user)
    client = login(app.test_client(), make_user(role="fellow"))
    for _ in range(2):
        response = client.post(f"/opportunities/{opportunity_id}/interest", data={"note": "Count me in"})
        assert response.status_code in (302, 409)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExpressionOfInterest)) == 1


@POSTGRES_ONLY
def test_an_interest_sent_twice_at_once_is_one_row(app, make_user, login):
    from network.opportunities.models import ExpressionOfInterest

    opportunity_id = _open_opportunity(app, make_user)
    fellow = make_user(role="fellow")
    clients = [login(app.test_client(), fellow) for _ in range(2)]
    statuses = run_together(app, 2, lambda i: clients[i].post(f"/opportunities/{opportunity_id}/interest",
                                                              data={"note": "Count me in"}).status_code)
    assert 500 not in statuses, statuses
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExpressionOfInterest)) == 1


def _open_opportunity(app, make_user) -> int:
    from datetime import timedelta

    from network.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus, WorkMode
    from network.types import utcnow

    poster = make_user(role="alumni")
    with app.app_context():
        opportunity = Opportunity(kind=OpportunityKind.JOB, poster_id=poster.id, title="Pain physician, Austin",
                                  organisation="Lone Star Pain", location="Austin, TX", work_mode=WorkMode.ONSITE,
                                  description="Join our practice.", apply_url="https://example.org/apply",
                                  time_zone="America/Chicago", deadline=utcnow() + timedelta(days=30),
                                  status=OpportunityStatus.OPEN, going_count=0)
        db.session.add(opportunity)
        db.session.commit()
        return opportunity.id


def _thread(app, make_user):
    """An alumna's thread in an open category: (author, thread id, opening post id)."""
    from network.discussions.models import Category, CategoryVisibility
    from network.discussions.services import categories, posting
    from network.members.models import User

    author = make_user(role="alumni")
    with app.test_request_context():
        category = categories.save_category(None, None, name="General", description="Talk.",
                                            visibility=CategoryVisibility.MEMBERS, cohort_id=None,
                                            holds_phi_matches=False)
        thread, post = posting.start_thread(db.session.get(User, author.id), db.session.get(Category, category.id),
                                            "Genicular nerve ablation", "What settings do you use?")
        db.session.commit()
        return author, thread.id, post.id


def test_a_reply_sent_twice_is_one_post(app, make_user, login):
    from network.discussions.models import Post

    _, thread_id, _ = _thread(app, make_user)
    client = login(app.test_client(), make_user(role="fellow"))
    form = token_of(client.get(f"/discussions/t/{thread_id}/reply").data)
    form = {k.decode(): v.decode() for k, v in form.items()}
    form["body"] = "We use 80 degrees for 90 seconds."
    first = client.post(f"/discussions/t/{thread_id}/reply", data=form)
    second = client.post(f"/discussions/t/{thread_id}/reply", data=form)
    assert first.status_code == 302
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]  # the same post, shown again
    with app.app_context():
        bodies = db.session.scalars(select(Post.body).where(Post.thread_id == thread_id)).all()
    assert bodies.count("We use 80 degrees for 90 seconds.") == 1


def test_a_new_thread_sent_twice_is_one_thread(app, make_user, login):
    from network.discussions.models import Category, CategoryVisibility, Thread
    from network.discussions.services import categories

    with app.app_context():
        category = categories.save_category(None, None, name="Interventional", description="",
                                            visibility=CategoryVisibility.MEMBERS, cohort_id=None,
                                            holds_phi_matches=False)
        db.session.commit()
        slug = category.slug
    client = login(app.test_client(), make_user(role="fellow"))
    form = {k.decode(): v.decode() for k, v in token_of(client.get(f"/discussions/c/{slug}/new").data).items()}
    form.update(title="Cooled RF for knee pain", body="Who has tried it after a total knee?")
    first = client.post(f"/discussions/c/{slug}/new", data=form)
    second = client.post(f"/discussions/c/{slug}/new", data=form)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]  # the same thread, shown again
    assert "That thread was already started" in client.get(second.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        titles = db.session.scalars(select(Thread.title).join(Category).where(Category.slug == slug)).all()
    assert titles == ["Cooled RF for knee pain"]


@POSTGRES_ONLY
def test_a_reply_sent_twice_at_once_is_one_post(app, make_user, login):
    from network.discussions.models import Post

    _, thread_id, _ = _thread(app, make_user)
    fellow = make_user(role="fellow")
    tabs = [login(app.test_client(), fellow) for _ in range(2)]
    form = {k.decode(): v.decode() for k, v in token_of(tabs[0].get(f"/discussions/t/{thread_id}/reply").data).items()}
    form["body"] = "Sent with a double click."
    responses = run_together(app, 2, lambda i: tabs[i].post(f"/discussions/t/{thread_id}/reply", data=form))
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    with app.app_context():
        bodies = db.session.scalars(select(Post.body).where(Post.thread_id == thread_id)).all()
    assert bodies.count("Sent with a double click.") == 1


# -- edit conflicts ---------------------------------------------------------------------------------------

def _form_fields(page: bytes) -> dict:
    return {k.decode(): v.decode() for k, v in token_of(page).items()}


def test_two_edits_of_one_post_the_second_gets_a_conflict_with_its_text_kept(app, make_user, login):
    from network.discussions.models import Post

    author, _, post_id = _thread(app, make_user)
    first_tab, second_tab = login(app.test_client(), author), login(app.test_client(), author)
    first_form = _form_fields(first_tab.get(f"/discussions/p/{post_id}/edit").data)
    second_form = _form_fields(second_tab.get(f"/discussions/p/{post_id}/edit").data)
    saved = first_tab.post(f"/discussions/p/{post_id}/edit",
                           data={**first_form, "title": "Genicular nerve ablation", "body": "Saved first."})
    assert saved.status_code == 302
    late = second_tab.post(f"/discussions/p/{post_id}/edit",
                           data={**second_form, "title": "Genicular nerve ablation", "body": "Saved second."})
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "Someone else saved this post" in page
    assert "Saved second." in page  # the late editor's text is still in the form
    with app.app_context():
        assert db.session.get(Post, post_id).body == "Saved first."


def profile_form(app, **fields) -> dict:
    """The profile form as an alumna fills it in (the fields a save needs)."""
    data = {"name": "Dr. Lena Ortiz", "headline": "", "bio": "Interventional pain.", "city": "Austin",
            "country": "US", "time_zone": "America/Chicago", "email_visibility": "members",
            "links_visibility": "members", "location_visibility": "members", "graduation_year": "2021"}
    data.update(fields)
    return data


def test_two_edits_of_one_profile_the_second_gets_a_conflict_with_its_text_kept(app, make_user, login):
    from network.profiles.models import Profile

    member = make_user(role="alumni")
    first_tab, second_tab = login(app.test_client(), member), login(app.test_client(), member)
    before = first_tab.post("/members/me/edit", data=profile_form(app, headline="Before"))
    assert before.status_code == 302  # the profile exists
    first_version = _form_fields(first_tab.get("/members/me/edit").data)["version"]
    second_version = _form_fields(second_tab.get("/members/me/edit").data)["version"]
    saved = first_tab.post("/members/me/edit", data=profile_form(app, headline="Saved first",
                                                                 version=first_version))
    assert saved.status_code == 302
    late = second_tab.post("/members/me/edit", data=profile_form(app, headline="Saved second",
                                                                 version=second_version))
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "saved from somewhere else" in page
    assert 'value="Saved second"' in page
    with app.app_context():
        assert db.session.get(Profile, member.id).headline == "Saved first"
    # Saving again from the conflict page (it carries the new version) goes through.
    retry = second_tab.post("/members/me/edit", data=profile_form(
        app, headline="Saved second", version=_form_fields(late.data)["version"]))
    assert retry.status_code == 302
    with app.app_context():
        assert db.session.get(Profile, member.id).headline == "Saved second"


@POSTGRES_ONLY
def test_two_profile_saves_at_the_same_moment_one_wins_one_is_told(app, make_user, login):
    from network.profiles.models import Profile

    member = make_user(role="alumni")
    tabs = [login(app.test_client(), member) for _ in range(2)]
    assert tabs[0].post("/members/me/edit", data=profile_form(app, headline="Before")).status_code == 302
    version = _form_fields(tabs[0].get("/members/me/edit").data)["version"]
    forms = [profile_form(app, headline=f"Tab {i}", version=version) for i in range(2)]
    responses = run_together(app, 2, lambda i: tabs[i].post("/members/me/edit", data=forms[i]))
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [302, 409]
    winner = statuses.index(302)
    with app.app_context():
        assert db.session.get(Profile, member.id).headline == f"Tab {winner}"


@POSTGRES_ONLY
def test_a_thread_opened_in_two_tabs_at_once_shows_in_both(app, make_user, login):
    """The first view writes the member's read mark; two first views at the same moment both read the thread."""
    from network.discussions.models import ReadMark

    _, thread_id, post_id = _thread(app, make_user)
    fellow = make_user(role="fellow")
    for _ in range(5):  # the race shows on the first try here; five make a miss very unlikely
        tabs = [login(app.test_client(), fellow) for _ in range(2)]
        for tab in tabs:
            tab.get("/")  # the first request of a session writes last_seen: out of the way
        statuses = run_together(app, 2, lambda i, tabs=tabs: tabs[i].get(f"/discussions/t/{thread_id}").status_code)
        assert statuses == [200, 200]
        with app.app_context():
            marks = db.session.scalars(select(ReadMark.last_read_post_id).where(
                ReadMark.thread_id == thread_id, ReadMark.user_id == fellow.id)).all()
            assert marks == [post_id]
            db.session.execute(ReadMark.__table__.delete().where(ReadMark.user_id == fellow.id))
            db.session.commit()
