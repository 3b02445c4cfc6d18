"""The demo alumna posts a job and a workshop; the demo fellow finds the job through "matches my
interests", bookmarks it and says she is interested, RSVPs to the workshop and downloads its .ics;
the alumna sees the interest."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.extensions import db
from network.members.models import User
from network.profiles.models import Profile
from tests.e2e.test_join_flow import sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"
JOB = "E2E interventional pain physician"
WORKSHOP = "E2E ultrasound-guided blocks workshop"


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()  # before the next goto cancels the sign-out


def test_post_find_bookmark_interest_rsvp_and_calendar(page: Page, live_server, screenshots, tmp_path):
    app = live_server.app
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        fellow = db.session.scalars(select(User).where(User.email == "fellow@example.org")).one()
        profile = db.session.get(Profile, fellow.id)
        interest = profile.interests[0].name
        fellow_name = fellow.name
    base = live_server.url
    soon = datetime.now(UTC) + timedelta(days=20)

    # The alumna posts a job tagged with one of the fellow's interests ...
    sign_in(page, base, "alumni@example.org", PASSWORD)
    page.get_by_role("link", name="Opportunities", exact=True).click()
    page.get_by_role("link", name="Post an opportunity").click()
    page.get_by_role("link", name="Job", exact=True).click()
    page.get_by_label("Title", exact=True).fill(JOB)
    page.get_by_label("Organisation").fill("Lone Star Interventional Pain")
    page.get_by_label("Location").fill("Austin, TX")
    page.get_by_label("Description").fill("Join a **friendly** group. Neuromodulation and spine.")
    page.get_by_label("How to apply").fill("https://lonestar.example.org/careers")
    page.get_by_label("Employment type").select_option("full_time")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_label("Application deadline").fill(soon.strftime("%Y-%m-%d"))
    page.get_by_label(interest, exact=True).check()
    page.get_by_role("button", name="Post job").click()
    expect(page.get_by_text("Your job is posted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(JOB)

    # ... and a workshop with a capacity, in Chicago time.
    page.goto(f"{base}/opportunities/new")
    page.get_by_role("link", name="Workshop / hands-on course").click()
    page.get_by_label("Title", exact=True).fill(WORKSHOP)
    page.get_by_label("Description").fill("Hands-on scanning with faculty; bring your questions.")
    page.get_by_label("Starts").fill(soon.strftime("%Y-%m-%dT09:00"))
    page.get_by_label("Ends").fill(soon.strftime("%Y-%m-%dT16:00"))
    page.get_by_label("Venue").fill("Skills lab, 3rd floor")
    page.get_by_label("Capacity").fill("12")
    page.get_by_label("CME credits").fill("6")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_role("button", name="Post workshop / hands-on course").click()
    expect(page.get_by_text("Your workshop / hands-on course is posted.")).to_be_visible()
    workshop_url = page.url
    page.screenshot(path=screenshots / "opportunity-workshop.png", full_page=True)
    sign_out(page)

    # The fellow filters by "matches my interests" and finds the job.
    sign_in(page, base, "fellow@example.org", PASSWORD)
    page.get_by_role("link", name="Opportunities", exact=True).click()
    page.get_by_label("Matches my interests").check()
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"mine=y"))
    page.screenshot(path=screenshots / "opportunity-board.png", full_page=True)
    page.get_by_role("link", name=JOB).click()
    page.get_by_role("button", name="Bookmark", exact=True).click()
    expect(page.get_by_text("Bookmarked.")).to_be_visible()
    page.get_by_label("A note for the poster").fill("I finish fellowship in June; spine is my focus.")
    page.get_by_role("button", name="I'm interested").click()
    expect(page.get_by_text("The poster knows you are interested.")).to_be_visible()

    # RSVP to the workshop and download its calendar file.
    page.goto(workshop_url)
    page.get_by_label("Your answer").select_option("going")
    page.get_by_role("button", name="Send RSVP").click()
    expect(page.get_by_text("Your RSVP: going.")).to_be_visible()
    expect(page.get_by_text("11 of 12 left")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    path = tmp_path / "workshop.ics"
    download_info.value.save_as(path)
    event = Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == WORKSHOP
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert event.decoded("DTSTART").hour == 9
    sign_out(page)

    # The alumna sees who is interested.
    sign_in(page, base, "alumni@example.org", PASSWORD)
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_text(f"{fellow_name} is interested in “{JOB}”")).to_be_visible()
    page.goto(f"{base}/opportunities/mine")
    page.get_by_role("link", name=JOB).click()
    page.get_by_role("link", name="1 interested member").click()
    expect(page.get_by_role("link", name=fellow_name)).to_be_visible()
    expect(page.get_by_text("I finish fellowship in June; spine is my focus.")).to_be_visible()
    page.screenshot(path=screenshots / "opportunity-interested.png", full_page=True)
