"""The network on a phone (390 x 844): unread counts in sight, results before filters, actions in reach.

A fellow between cases reads the navigation bar collapsed behind its menu button, a directory whose
filters would fill the first screens, and tables wider than the phone.  These tests drive the demo
network (``flask demo``) in Chromium at the width of a common phone.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import url_for
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select

from network.cohorts import services as cohort_services
from network.extensions import db
from network.mail.models import EmailOutbox, OutboxStatus
from network.members.models import User
from network.messages import services as message_services
from network.messages.models import Message
from network.permissions import managed_program_ids
from network.programs.models import Cohort
from tests.e2e.test_accessibility import PASSWORD, ROLES, Frontier
from tests.e2e.test_join_flow import page_width, sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

# Visible controls (and the page) whose box runs past either side of the phone's screen: a button in a
# table that scrolls sideways, a form wider than the screen.  Visually hidden text is 1 px and clipped.
CONTROLS_OFF_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const off = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || getComputedStyle(el).visibility === 'hidden') continue;
    if (box.left < -0.5 || box.right > width + 0.5) {
      off.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || '').trim().slice(0, 40)}"`
               + ` at x=${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return off;
}"""


@pytest.fixture(scope="module")
def phone_site(demo_site):
    """The demo network plus what its tables lack: invitations, a reported message, a failed mail."""
    app = demo_site.app
    with app.app_context():
        people = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(
            ["faculty@example.org", "fellow@example.org", "alumni@example.org"])))}
        faculty = people["faculty@example.org"]
        cohort = db.session.scalars(select(Cohort).where(
            Cohort.program_id.in_(managed_program_ids(faculty)), Cohort.graduated_at.is_(None))
            .order_by(Cohort.start_date.desc())).first()
        with app.test_request_context():
            cohort_services.invite_many(cohort, [
                {"email": f"new.fellow{n}@hospital-with-a-long-name.example.org", "name": f"New Fellow {n}",
                 "role": "fellow"} for n in range(3)], actor=faculty)
        received = db.session.scalars(select(Message).where(
            Message.sender_id == people["alumni@example.org"].id)).first()
        message_services.report(people["fellow@example.org"], received, "Advice that belongs in a clinic note.")
        db.session.add(EmailOutbox(kind="reminder", recipient="unreachable.member@hospital.example.org",
                                   subject="Your mentoring check-in", text_body="Hello", html_body="<p>Hello</p>",
                                   status=OutboxStatus.FAILED, attempts=5,
                                   last_error="550 5.1.1 mailbox unavailable at the receiving hospital"))
        db.session.commit()
        with app.test_request_context():
            demo_site.roster_path = url_for("cohorts.roster", cohort_id=cohort.id)
    return demo_site


@pytest.fixture(scope="module")
def sessions(browser, phone_site):
    """Each demo role signs in once for the module (the sign-in form is rate limited); tests reuse the cookies."""
    states: dict[str, dict] = {}

    def state(role: str) -> dict:
        if role not in states:
            context = browser.new_context(viewport=PHONE)
            page = context.new_page()
            sign_in(page, phone_site.url, ROLES[role], PASSWORD)
            page.wait_for_load_state()
            assert urlsplit(page.url).path == "/", f"{role} could not sign in: {page.url}"
            states[role] = context.storage_state()
            context.close()
        return states[role]

    return state


@pytest.fixture
def phone_as(browser, sessions):
    """``phone_as(role)``: a page at phone size, signed in as the demo ``role`` (None for a visitor)."""
    contexts = []

    def open_page(role: str | None):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                      storage_state=sessions(role) if role else None)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _inside_screen(locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box


def _no_sideways_scrolling(page) -> None:
    assert page_width(page) <= PHONE["width"]
    assert page.evaluate(CONTROLS_OFF_SCREEN) == []


def test_unread_counts_show_beside_the_menu_button(phone_as, phone_site):
    with phone_site.app.app_context():
        fellow = db.session.scalar(select(User).where(User.email == ROLES["fellow"]))
        notifications, messages = message_services.unread_counts(fellow.id)
    assert notifications and messages  # the demo leaves the fellow both
    phone = phone_as("fellow")
    phone.goto(phone_site.url + "/")
    expect(phone.get_by_role("button", name=re.compile("navigation"))).to_be_visible()  # the menu is collapsed
    for count, name, path in [(messages, "message", "/messages/"), (notifications, "notification", "/notifications/")]:
        link = phone.get_by_role("link", name=f"{count} unread {name}{'s' if count > 1 else ''}", exact=True)
        _inside_screen(link)
        assert urlsplit(link.get_attribute("href")).path == path
    _no_sideways_scrolling(phone)


RESULTS = "section[aria-labelledby=results-heading] ul > li"


@pytest.mark.parametrize("path, first_result", [
    ("/members/", RESULTS),
    ("/opportunities/", RESULTS),
    ("/opportunities/archive", RESULTS),
    ("/discussions/search?q=mentor", "main ol > li"),
    ("/admin/members/", "#members tbody tr"),
    ("/admin/audit", "#audit tbody tr"),
])
def test_filters_fold_away_and_results_start_on_the_first_screen(phone_as, phone_site, path, first_result):
    phone = phone_as("admin")
    phone.goto(phone_site.url + path)
    expect(phone.locator("main form summary", has_text=re.compile("^Filters"))).to_be_visible()
    first = phone.locator(first_result).first
    expect(first).to_be_visible()
    assert first.bounding_box()["y"] < PHONE["height"], "the first result starts below the first screen"
    _no_sideways_scrolling(phone)


def test_directory_filters_open_and_filter_on_a_phone(phone_as, phone_site):
    phone = phone_as("fellow")
    phone.goto(phone_site.url + "/members/")
    assert phone.locator(RESULTS).first.bounding_box()["y"] < PHONE["height"]
    role = phone.get_by_label("Role", exact=True)
    expect(role).to_be_hidden()
    summary = phone.locator("summary", has_text=re.compile("^Filters"))
    summary.click()
    expect(role).to_be_visible()
    role.select_option(label="Faculty")
    phone.get_by_label("Open to mentoring").check()
    phone.get_by_role("button", name="Search").click()
    phone.wait_for_load_state()
    assert "role=faculty" in phone.url
    expect(phone.locator("summary", has_text=re.compile("^Filters"))).to_contain_text("2 active")
    expect(phone.locator(RESULTS).first).to_be_visible()
    assert phone.locator(RESULTS).first.bounding_box()["y"] < PHONE["height"]
    _no_sideways_scrolling(phone)


@pytest.mark.parametrize("role, path, buttons", [
    ("admin", "/admin/members/pending", ["Verify", "Reject"]),
    ("faculty", None, ["Resend", "Revoke"]),
    ("admin", "/admin/members/", ["Change", "Deactivate"]),
    ("admin", "/admin/taxonomy/interests", ["Rename", "Retire"]),
    ("admin", "/discussions/categories", ["Down", "Delete"]),
    ("admin", "/messages/reports", ["Remove message", "Dismiss"]),
    ("admin", "/admin/outbox/", ["Retry"]),
])
def test_row_actions_are_within_the_phone_screen(phone_as, phone_site, role, path, buttons):
    phone = phone_as(role)
    phone.goto(phone_site.url + (path or phone_site.roster_path))
    for name in buttons:
        label = re.compile(f"^{name}\\b")
        button = phone.get_by_role("button", name=label).or_(phone.get_by_role("link", name=label)).first
        expect(button).to_be_visible()
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{name} is off screen: {box}"
    _no_sideways_scrolling(phone)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "visitor"] + ["visitor"])
def test_no_page_scrolls_sideways_on_a_phone(phone_as, phone_site, role):
    """Every page the accessibility crawl reaches (one per route), at phone width: nothing wider than the
    screen, no control out of reach."""
    site = phone_site
    page = phone_as(ROLES[role] and role)
    problems: list[str] = []
    frontier = Frontier(site, per_route=1)

    frontier.add(site.url + "/")
    if role == "visitor":
        frontier.add(site.url + "/auth/login")
    if role == "faculty":
        frontier.add(site.url + site.roster_path)
    pages = 0
    for url in frontier:
        try:
            response = page.goto(url)
        except PlaywrightError:
            continue  # a download
        if response is None or response.status >= 400 or \
                not response.headers.get("content-type", "").startswith("text/html"):
            continue
        pages += 1
        path = page.url[len(site.url):]
        width = page_width(page)
        if width > PHONE["width"]:
            problems.append(f"{path}: the page is {width} px wide")
        problems.extend(f"{path}: {control}" for control in page.evaluate(CONTROLS_OFF_SCREEN))
        for link in page.eval_on_selector_all("a[href]:not([download])", "links => links.map(l => l.href)"):
            frontier.add(link)
    assert pages >= (3 if role == "visitor" else 15)
    assert not problems, f"{len(problems)} things past the phone's edge as {role}:\n" + "\n".join(problems)
