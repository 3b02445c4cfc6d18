"""The Unread feed in a real browser: the fellow has read everything; the alumna replies in the fellow's thread; the
fellow sees the thread in Unread with "1 new" (and the count beside Discussions), follows it to the first unread
post, and the thread leaves Unread. Both feeds pass axe-core, on a phone too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_accessibility import AXE, _run_axe
from tests.e2e.test_join_flow import page_width, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"
TITLE = "Ultrasound settings for a genicular block"
PHONE = {"width": 390, "height": 844}


def member_page(browser: Browser, base: str, email: str, **context):
    """A signed-in page with axe-core loaded (bypass_csp: the site allows only its own scripts)."""
    page_context = browser.new_context(bypass_csp=True, **context)
    page_context.add_init_script(path=str(AXE))
    page = page_context.new_page()
    sign_in(page, base, email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")
    return page


def test_the_fellow_finds_the_alumnas_reply_in_unread(browser: Browser, live_server, screenshots):
    assert live_server.app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url

    # The fellow catches up on everything, then starts a thread (read, as its author).
    fellow = member_page(browser, base, "fellow@example.org")
    fellow.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Discussions")).click()
    expect(fellow.get_by_role("link", name="Latest", exact=True)).to_have_attribute("aria-current", "page")
    assert _run_axe(fellow) == []
    fellow.get_by_role("button", name="Mark all read").click()
    expect(fellow.get_by_text("Every thread is marked read.")).to_be_visible()
    fellow.get_by_role("link", name="Categories", exact=True).click()
    fellow.get_by_role("link", name=re.compile("^General")).click()
    fellow.get_by_role("link", name="New thread").click()
    fellow.get_by_label("Title").fill(TITLE)
    fellow.get_by_label("Your post").fill("Which depth and gain do you start with for the superomedial branch?")
    fellow.get_by_role("button", name="Start thread").click()
    expect(fellow.get_by_role("heading", level=1)).to_contain_text(TITLE)
    fellow.goto(f"{base}/discussions/unread")
    expect(fellow.get_by_text("You are all caught up")).to_be_visible()

    # The alumna replies.
    alumna = member_page(browser, base, "alumni@example.org")
    alumna.goto(f"{base}/discussions/")
    alumna.get_by_role("link", name=TITLE, exact=True).click()
    alumna.get_by_label("Your post").fill("Start at 4 cm and find the artery first.")
    alumna.get_by_role("button", name="Post reply").click()
    expect(alumna.get_by_text("Your reply is posted.")).to_be_visible()

    # The fellow sees it counted beside Discussions and listed in Unread with "1 new".
    fellow.goto(f"{base}/members/")
    menu = fellow.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Discussions 1 unread thread")).to_be_visible()
    menu.get_by_role("link", name=re.compile("^Discussions")).click()
    fellow.get_by_role("link", name="Unread", exact=True).click()
    expect(fellow.get_by_role("link", name="Unread", exact=True)).to_have_attribute("aria-current", "page")
    row = fellow.get_by_role("listitem").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    new = row.get_by_role("link", name=f"1 new in {TITLE}")
    expect(new).to_be_visible()
    assert _run_axe(fellow) == []
    fellow.screenshot(path=screenshots / "feeds-1-unread.png", full_page=True)

    # Following it lands at the first unread post: the alumna's reply.
    new.click()
    expect(fellow.get_by_role("heading", level=1)).to_contain_text(TITLE)
    assert fellow.url.endswith("#first-unread") and "after=" in fellow.url
    expect(fellow.get_by_text("Start at 4 cm and find the artery first.")).to_be_in_viewport()

    # Read now: the thread leaves Unread and the count goes.
    fellow.goto(f"{base}/discussions/unread")
    expect(fellow.get_by_text("You are all caught up")).to_be_visible()
    expect(fellow.get_by_role("link", name=TITLE, exact=True)).to_have_count(0)
    expect(fellow.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("unread thread"))) \
        .to_have_count(0)
    assert _run_axe(fellow) == []


def test_both_feeds_fit_a_phone_and_pass_axe(browser: Browser, live_server):
    assert live_server.app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    page = member_page(browser, live_server.url, "fellow@example.org", viewport=PHONE, is_mobile=True,
                       has_touch=True)
    for path in ("/discussions/", "/discussions/unread", "/discussions/?category=cohort", "/discussions/c/"):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Discussions")
        assert page_width(page) <= PHONE["width"], path
        assert _run_axe(page) == [], path
