"""Bookmarks, "I'm interested" (poster notified, privacy of emails), RSVPs with capacity and waitlist."""

from __future__ import annotations

import threading

from sqlalchemy import select

from network.extensions import db
from network.members.models import User
from network.notifications.models import Notification
from network.opportunities.models import Bookmark, Opportunity, Rsvp, RsvpStatus
from network.profiles.models import Profile, Visibility
from tests.conftest import outbox


def test_bookmark_and_unbookmark(app, make_user, signed_in, make_opportunity):
    job = make_opportunity(make_user(role="alumni"), "job")
    client = signed_in(member := make_user())
    assert client.post(f"/opportunities/{job}/bookmark").status_code == 302
    assert client.post(f"/opportunities/{job}/bookmark").status_code == 302  # twice is still one bookmark
    with app.app_context():
        assert db.session.scalars(select(Bookmark).where(Bookmark.user_id == member.id)).all().__len__() == 1
    assert "Bookmarked" in client.get("/opportunities/").get_data(as_text=True)
    assert "Remove bookmark" in client.get(f"/opportunities/{job}").get_data(as_text=True)
    assert client.post(f"/opportunities/{job}/unbookmark").status_code == 302
    assert "Remove bookmark" not in client.get(f"/opportunities/{job}").get_data(as_text=True)


def _profile(app, member, email_visibility):
    with app.app_context():
        db.session.add(Profile(user_id=member.id, email_visibility=email_visibility))
        db.session.commit()


def test_interest_notifies_the_poster_who_sees_emails_only_as_privacy_allows(app, make_user, signed_in,
                                                                            make_opportunity):
    poster = make_user(role="alumni", name="Dr. Poster")
    open_fellow = make_user(name="Open Fellow")
    private_fellow = make_user(name="Private Fellow")
    _profile(app, open_fellow, Visibility.MEMBERS)
    _profile(app, private_fellow, Visibility.PRIVATE)
    job = make_opportunity(poster, "job", title="Spine job")
    response = signed_in(open_fellow).post(f"/opportunities/{job}/interest",
                                           data={"note": "I finish in June; neuromodulation is my focus."})
    assert response.status_code == 302
    assert signed_in(private_fellow).post(f"/opportunities/{job}/interest", data={"note": ""}).status_code == 302
    assert signed_in(poster).post(f"/opportunities/{job}/interest", data={"note": ""}).status_code == 409
    too_long = signed_in(open_fellow).post(f"/opportunities/{job}/interest", data={"note": "x" * 1001})
    assert too_long.status_code == 400
    assert "Use at most 1,000 characters." in too_long.get_data(as_text=True)
    with app.app_context():
        notes = db.session.scalars(select(Notification).where(Notification.user_id == poster.id)).all()
        assert [n.kind for n in notes] == ["opportunity-interest", "opportunity-interest"]
        assert "Open Fellow is interested in “Spine job”" in notes[0].title
    mails = outbox(app, "opportunity-interest")
    assert [m.recipient for m in mails] == [poster.email, poster.email]
    assert "neuromodulation is my focus" in mails[0].text_body
    page = signed_in(poster).get(f"/opportunities/{job}/interested").get_data(as_text=True)
    assert "Open Fellow" in page and "Private Fellow" in page
    assert open_fellow.email in page
    assert private_fellow.email not in page
    assert "neuromodulation is my focus" in page
    assert signed_in(open_fellow).get(f"/opportunities/{job}/interested").status_code == 403
    assert "2 interested members" in signed_in(poster).get(f"/opportunities/{job}").get_data(as_text=True)
    # Withdrawing takes the member off the list.
    assert signed_in(open_fellow).post(f"/opportunities/{job}/interest/withdraw").status_code == 302
    assert "Open Fellow" not in signed_in(poster).get(f"/opportunities/{job}/interested").get_data(as_text=True)


def _status(app, event_id, member):
    with app.app_context():
        return db.session.scalars(select(Rsvp.status).where(Rsvp.opportunity_id == event_id,
                                                            Rsvp.user_id == member.id)).first()


def _going_count(app, event_id):
    with app.app_context():
        return db.session.get(Opportunity, event_id).going_count


def test_rsvp_capacity_waitlist_and_automatic_promotion(app, make_user, signed_in, make_opportunity):
    poster = make_user(role="faculty")
    event = make_opportunity(poster, "workshop", capacity=2)
    first, second, third, fourth = (make_user() for _ in range(4))
    for member in (first, second, third, fourth):
        assert signed_in(member).post(f"/opportunities/{event}/rsvp", data={"status": "going"}).status_code == 302
    assert [_status(app, event, m) for m in (first, second, third, fourth)] == [
        RsvpStatus.GOING, RsvpStatus.GOING, RsvpStatus.WAITLISTED, RsvpStatus.WAITLISTED]
    assert "On the waitlist" in signed_in(third).get(f"/opportunities/{event}").get_data(as_text=True)
    # The first leaves: the first on the waitlist moves in, and is told.
    assert signed_in(first).post(f"/opportunities/{event}/rsvp", data={"status": "not_going"}).status_code == 302
    assert _status(app, event, third) == RsvpStatus.GOING
    assert _status(app, event, fourth) == RsvpStatus.WAITLISTED
    assert _going_count(app, event) == 2
    with app.app_context():
        told = db.session.scalars(select(Notification.kind).where(Notification.user_id == third.id)).all()
        assert told == ["opportunity-waitlist"]
    waitlist_mails = outbox(app, "opportunity-waitlist")
    assert [m.recipient for m in waitlist_mails] == [third.email]
    assert "you are going to" in waitlist_mails[0].text_body
    # "Maybe" takes no seat; "going" again from maybe joins the waitlist behind the fourth.
    signed_in(second).post(f"/opportunities/{event}/rsvp", data={"status": "maybe"})
    assert _status(app, event, fourth) == RsvpStatus.GOING
    signed_in(second).post(f"/opportunities/{event}/rsvp", data={"status": "going"})
    assert _status(app, event, second) == RsvpStatus.WAITLISTED
    assert _going_count(app, event) == 2
    assert signed_in(first).post(f"/opportunities/{event}/rsvp", data={"status": "waitlisted"}).status_code == 400
    # The organiser sees who is going, who waits (in order) and who may come.
    from tests.html_checks import check_page

    page = signed_in(poster).get(f"/opportunities/{event}/interested")
    assert check_page(page.data) == []
    text = page.get_data(as_text=True)
    assert "Going (2)" in text and "Waitlist, in the order they move in (1)" in text and "Maybe (0)" in text


def test_rsvp_only_for_open_events(app, make_user, signed_in, make_opportunity):
    poster = make_user(role="alumni")
    job = make_opportunity(poster, "job")
    event = make_opportunity(poster, "webinar")
    client = signed_in(make_user())
    assert client.post(f"/opportunities/{job}/rsvp", data={"status": "going"}).status_code == 404
    signed_in(poster).post(f"/opportunities/{event}/close")
    assert client.post(f"/opportunities/{event}/rsvp", data={"status": "going"}).status_code == 409


def test_two_members_race_for_the_last_seat(app, make_user, make_opportunity):
    """Both answer "going" at once for one free seat: exactly one gets it, the other is waitlisted."""
    from network.opportunities.services import rsvp

    event = make_opportunity(make_user(role="faculty"), "workshop", capacity=1)
    racers = [make_user(), make_user()]
    barrier = threading.Barrier(2)
    errors = []

    def take(member):
        try:
            with app.test_request_context():
                user = db.session.get(User, member.id)
                opportunity = db.session.get(Opportunity, event)
                barrier.wait(timeout=10)
                rsvp.respond(user, opportunity, RsvpStatus.GOING)
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(m,)) for m in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    statuses = sorted(str(_status(app, event, m)) for m in racers)
    assert statuses == ["going", "waitlisted"]
    assert _going_count(app, event) == 1


def test_attendees_hear_when_the_event_moves_or_closes(app, make_user, signed_in, make_opportunity):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from tests.opportunities.test_posting import valid_form

    poster = make_user(role="faculty")
    going, maybe, not_going = make_user(), make_user(), make_user()
    event = make_opportunity(poster, "workshop", capacity=10, time_zone="America/Chicago")
    for member, answer in ((going, "going"), (maybe, "maybe"), (not_going, "not_going")):
        signed_in(member).post(f"/opportunities/{event}/rsvp", data={"status": answer})
    with app.app_context():
        opportunity = db.session.get(Opportunity, event)
        zone = ZoneInfo("America/Chicago")
        moved = opportunity.starts_at + timedelta(days=1)
        data = valid_form(app, "workshop")
        data.update(title=opportunity.title, time_zone="America/Chicago", deadline="",
                    starts_at=moved.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
                    ends_at=(moved + timedelta(hours=3)).astimezone(zone).strftime("%Y-%m-%dT%H:%M"))
    client = signed_in(poster)
    assert client.post(f"/opportunities/{event}/edit", data=data).status_code == 302
    assert sorted(m.recipient for m in outbox(app, "opportunity-event-changed")) == sorted([going.email, maybe.email])
    data["description"] = "Only the words change."
    client.post(f"/opportunities/{event}/edit", data=data)
    assert len(outbox(app, "opportunity-event-changed")) == 2
    client.post(f"/opportunities/{event}/close")
    mails = outbox(app, "opportunity-event-changed")
    assert len(mails) == 4 and "was closed by its organiser" in mails[-1].subject
