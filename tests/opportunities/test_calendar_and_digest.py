"""iCalendar files keep the time zone; the personal feed is token-gated and revocable; the weekly
digest goes out once per ISO week with a working signed unsubscribe link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from network.extensions import db
from network.opportunities.models import DigestDelivery, OpportunityPreference
from network.profiles.models import Profile
from network.taxonomy.models import Interest
from tests.conftest import outbox


def _start(days=30, hour=9, zone="America/Chicago"):
    local = (datetime.now(UTC) + timedelta(days=days)).astimezone(ZoneInfo(zone))
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(UTC)


def test_event_ics_keeps_its_time_zone(app, make_user, signed_in, make_opportunity):
    starts = _start()
    event = make_opportunity(make_user(role="faculty"), "workshop", title="RFA masterclass",
                             time_zone="America/Chicago", starts_at=starts, ends_at=starts + timedelta(hours=8))
    response = signed_in(make_user()).get(f"/opportunities/{event}/event.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "RFA masterclass"
    assert vevent["DTSTART"].params["TZID"] == "America/Chicago"
    start = vevent.decoded("DTSTART")
    assert (start.hour, str(start.tzinfo)) == (9, "America/Chicago")
    assert start == starts
    assert vevent.decoded("DTEND") == starts + timedelta(hours=8)
    assert f"/opportunities/{event}" in str(vevent["URL"])


def test_deadline_ics(app, make_user, signed_in, make_opportunity):
    deadline = _start(days=12, hour=23, zone="Europe/Berlin").replace(minute=59)
    job = make_opportunity(make_user(role="alumni"), "job", time_zone="Europe/Berlin", deadline=deadline)
    calendar = Calendar.from_ical(signed_in(make_user()).get(f"/opportunities/{job}/deadline.ics").data)
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]).startswith("Deadline: ")
    assert vevent["DTEND"].params["TZID"] == "Europe/Berlin"
    assert vevent.decoded("DTEND") == deadline
    no_deadline = make_opportunity(make_user(role="alumni"), "job", deadline=None)
    assert signed_in(make_user()).get(f"/opportunities/{no_deadline}/deadline.ics").status_code == 404
    assert signed_in(make_user()).get(f"/opportunities/{job}/event.ics").status_code == 404


def _feed_url(client) -> str:
    page = client.get("/opportunities/calendar").get_data(as_text=True)
    return re.search(r'value="http://127\.0\.0\.1:5000(/opportunities/feed/[^"]+\.ics)"', page).group(1)


def test_personal_feed_has_rsvps_and_bookmarked_deadlines_and_can_be_revoked(app, make_user, signed_in,
                                                                          make_opportunity):
    poster = make_user(role="alumni")
    member = make_user()
    event = make_opportunity(poster, "workshop", title="Ultrasound workshop", time_zone="America/Denver")
    job = make_opportunity(poster, "job", title="Denver job")
    other = make_opportunity(poster, "conference", title="Not for me")
    client = signed_in(member)
    client.post(f"/opportunities/{event}/rsvp", data={"status": "going"})
    client.post(f"/opportunities/{other}/rsvp", data={"status": "not_going"})
    client.post(f"/opportunities/{job}/bookmark")
    assert client.post("/opportunities/calendar/feed").status_code == 302
    url = _feed_url(client)
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == ["Deadline: Denver job", "Ultrasound workshop"]
    assert "America/Denver" in {tz["TZID"] for tz in calendar.walk("VTIMEZONE")}
    # A new address replaces the old one; revoking turns the feed off.
    client.post("/opportunities/calendar/feed")
    new_url = _feed_url(client)
    assert new_url != url
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(new_url).status_code == 200
    # Only a hash of the secret is stored, and the address is shown once.
    with app.app_context():
        stored = db.session.get(OpportunityPreference, member.id).feed_token
    assert len(stored) == 64 and stored not in new_url
    assert "feed-url" not in client.get("/opportunities/calendar").get_data(as_text=True)
    assert client.post("/opportunities/calendar/feed/revoke", data={"confirm": "yes"}).status_code == 302
    assert anonymous.get(new_url).status_code == 404
    assert anonymous.get("/opportunities/feed/guess.ics").status_code == 404


def test_calendar_links_name_the_public_address_whatever_the_host_header(app, make_user, signed_in,
                                                                        make_opportunity):
    """The feed address and each event's URL are copied into calendar apps: never the request's host."""
    event = make_opportunity(make_user(role="faculty"), "workshop", title="RFA masterclass")
    client = signed_in(make_user())
    client.set_cookie("fn_session", client.get_cookie("fn_session").value, domain="attacker.example")
    forged = {"Host": "attacker.example"}
    client.post(f"/opportunities/{event}/rsvp", data={"status": "going"}, headers=forged)
    assert client.post("/opportunities/calendar/feed", headers=forged).status_code == 302
    page = client.get("/opportunities/calendar", headers=forged).get_data(as_text=True)
    assert "attacker.example" not in page
    feed = re.search(r'value="http://127\.0\.0\.1:5000(/opportunities/feed/[^"]+\.ics)"', page).group(1)
    for path in (f"/opportunities/{event}/event.ics", feed):
        response = client.get(path, headers=forged)
        assert response.status_code == 200 and b"attacker.example" not in response.data
        [vevent] = Calendar.from_ical(response.data).walk("VEVENT")
        assert str(vevent["URL"]) == f"http://127.0.0.1:5000/opportunities/{event}"


def _with_interests(app, member, names):
    with app.app_context():
        profile = Profile(user_id=member.id)
        profile.interests = list(db.session.scalars(select(Interest).where(Interest.name.in_(names))))
        db.session.add(profile)
        db.session.commit()


def test_weekly_digest_once_per_week_with_one_click_unsubscribe(app, runner, make_user, make_opportunity):
    poster = make_user(role="alumni")
    reader = make_user(name="Digest Reader")
    bystander = make_user(name="No Match")
    _with_interests(app, reader, ["Cancer pain"])
    _with_interests(app, bystander, ["Pediatric pain"])
    make_opportunity(poster, "job", title="Cancer pain job", interests=["Cancer pain"])
    make_opportunity(poster, "job", title="Old cancer job", interests=["Cancer pain"],
                     created_at=datetime.now(UTC) - timedelta(days=20))
    result = runner.invoke(args=["digest", "opportunities"])
    assert result.exit_code == 0, result.output
    assert "queued 1 digests" in result.output
    again = runner.invoke(args=["digest", "opportunities"])
    assert "queued 0 digests; 1 already sent this week" in again.output
    mails = outbox(app, "opportunity-digest")
    assert [m.recipient for m in mails] == [reader.email]
    assert "Cancer pain job" in mails[0].text_body and "Old cancer job" not in mails[0].text_body
    with app.app_context():
        delivery = db.session.scalars(select(DigestDelivery)).one()
        assert delivery.user_id == reader.id and len(delivery.opportunity_ids) == 1
        assert re.fullmatch(r"\d{4}-W\d{2}", delivery.week)
    link = re.search(r"http://127\.0\.0\.1:5000(/opportunities/digest/unsubscribe/\S+)", mails[0].text_body).group(1)
    visitor = app.test_client()
    page = visitor.get(link)
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    assert visitor.post(link).status_code == 200
    with app.app_context():
        assert db.session.get(OpportunityPreference, reader.id).digest_enabled is False
    assert visitor.get(link[:-3] + "xyz").status_code == 404
    # Next week, the unsubscribed member gets nothing.
    from network.opportunities.digest import send_weekly_digests

    with app.app_context():
        counts = send_weekly_digests(datetime.now(UTC) + timedelta(days=7))
        assert counts["sent"] == 0
