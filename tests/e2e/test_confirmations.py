"""Destructive actions on a phone (390 × 844), with the keyboard: a fellow ends a mentorship through its
confirmation step; a moderator removes a post and undoes it from the message that follows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_accessibility import AXE, _run_axe
from tests.e2e.test_join_flow import page_width, sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def phone_page(browser: Browser):
    """A phone-sized page with axe-core loaded (bypass_csp: the site allows only its own scripts)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    context.add_init_script(path=str(AXE))
    return context, context.new_page()


def press(locator, key="Enter"):
    """Reach a control and use it from the keyboard only."""
    locator.focus()
    expect(locator).to_be_focused()
    locator.press(key)


def test_a_fellow_ends_a_mentorship_through_the_confirmation_step(browser: Browser, live_server, screenshots):
    assert live_server.app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url
    context, page = phone_page(browser)
    sign_in(page, base, "fellow@example.org", "demo-password-2026")
    page.goto(f"{base}/mentorship/")
    press(page.get_by_role("link", name=re.compile("^Open workspace for clinical")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinical / procedural mentorship")

    # The form is closed, and opening it chooses nothing for the fellow.
    outcome = page.get_by_role("radio", name=re.compile("^Completed"))
    expect(outcome).to_be_hidden()
    press(page.locator("summary", has_text="End the mentorship"))
    expect(outcome).to_be_visible()
    expect(outcome).not_to_be_checked()
    expect(page.get_by_role("radio", name="Ended early")).not_to_be_checked()
    press(page.get_by_role("button", name="End the mentorship"))
    expect(page.get_by_text("Choose how the mentorship ended.")).to_be_visible()
    assert _run_axe(page) == []

    press(page.get_by_role("radio", name=re.compile("^Completed")), "Space")
    press(page.get_by_role("radio", name="5 of 5"), "Space")
    press(page.get_by_role("button", name="End the mentorship"))

    # The confirmation step says what happens, on a page that fits the phone.
    expect(page.get_by_role("heading", level=1)).to_have_text("End your mentorship with Dr. Priya Raman?")
    expect(page.get_by_text("shared goals, meetings and notes stay readable for both of you")).to_be_visible()
    expect(page.get_by_role("link", name="Cancel")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    assert _run_axe(page) == []
    page.screenshot(path=screenshots / "confirm-end-mentorship-phone.png", full_page=True)
    press(page.get_by_role("button", name="End the mentorship"))
    expect(page.get_by_text("The mentorship has ended. Thank you for the rating.")).to_be_visible()
    expect(page.get_by_text("Rating: 5 of 5")).to_be_visible()
    expect(page.locator("summary", has_text="End the mentorship")).to_have_count(0)
    context.close()


def test_a_moderator_removes_a_post_and_undoes_it(browser: Browser, live_server, screenshots):
    assert live_server.app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url
    context, page = phone_page(browser)
    sign_in(page, base, "admin@example.org", "demo-password-2026")
    page.goto(f"{base}/discussions/c/")
    press(page.locator("main .list-group a[href^='/discussions/c/']").first)
    press(page.locator("main a[href^='/discussions/t/']").first)
    remove = page.get_by_role("button", name=re.compile(r"^Remove post \d+$")).first
    post_id = re.search(r"\d+", remove.text_content()).group(0)
    post = page.locator(f"#post-{post_id}")
    body = post.locator(".post-body").inner_text()
    post.get_by_label(re.compile("^Reason for removing")).fill("Off topic for this thread")
    press(remove)

    expect(page.get_by_role("heading", level=1)).to_contain_text("post?")
    expect(page.get_by_text("You can undo this for 10 minutes.")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    assert _run_axe(page) == []
    press(page.get_by_role("button", name="Remove the post"))
    expect(page.get_by_text("The post is removed and its author is told.")).to_be_visible()
    expect(page.locator(f"#post-{post_id}")).to_contain_text("This post was removed.")
    assert _run_axe(page) == []
    page.screenshot(path=screenshots / "confirm-removed-post-undo-phone.png", full_page=True)

    press(page.get_by_role("button", name="Undo"))
    expect(page.get_by_text("The post is back.")).to_be_visible()
    expect(page.locator(f"#post-{post_id} .post-body")).to_have_text(body)
    context.close()
