"""Live updates and drafts in a real browser: two members on one thread, a reply from one appears in the
other's page without a reload and the live region says so; a draft typed on a phone is in the reply box on
the desktop; the thread page has no serious axe violation after an update."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from network.discussions.models import Category, Thread
from network.extensions import db
from tests.e2e.test_accessibility import WIDTHS, _run_axe
from tests.e2e.test_discussions import PASSWORD
from tests.e2e.test_join_flow import page_width, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_server(live_server):
    result = live_server.app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return live_server


def open_thread(browser, server, email: str, width: str = "desktop"):
    """A member's own browser (axe may run in it) on the first thread of an open category."""
    with server.app.app_context():
        thread_id = db.session.scalar(select(Thread.id).join(Category, Category.id == Thread.category_id)
                                      .where(Category.visibility == "members", Thread.held.is_(False),
                                             Thread.locked.is_(False), Thread.post_count < 15)
                                      .order_by(Thread.id))
    page = browser.new_context(viewport=WIDTHS[width], bypass_csp=True).new_page()
    sign_in(page, server.url, email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")
    page.goto(f"{server.url}/discussions/t/{thread_id}")
    return page


def test_a_reply_appears_in_the_other_members_open_thread(browser, demo_server, screenshots):
    reader = open_thread(browser, demo_server, "fellow@example.org")
    writer = open_thread(browser, demo_server, "alumni@example.org")
    writer.get_by_label("Your post").fill("Live from the cath lab: the lead sits at **L5**.")
    writer.get_by_role("button", name="Post reply").click()
    expect(writer.get_by_text("Your reply is posted.")).to_be_visible()

    reply = reader.locator("#live-posts article").filter(has_text="Live from the cath lab")
    expect(reply).to_be_visible(timeout=5000)
    expect(reply.locator("strong")).to_have_text("L5")
    expect(reader.locator("[data-live-status]")).to_have_text("1 new reply")
    reader.screenshot(path=screenshots / "discussions-live-reply.png", full_page=True)
    assert _run_axe(reader) == []


def test_a_draft_typed_on_the_phone_is_in_the_reply_box_on_the_desktop(browser, demo_server, screenshots):
    phone = open_thread(browser, demo_server, "fellow@example.org", width="phone")
    phone.get_by_label("Your post").fill("Started between cases: ask about the trial length")
    expect(phone.get_by_text("Draft saved.")).to_be_visible()
    expect(phone.get_by_role("button", name="Discard draft")).to_be_visible()
    assert page_width(phone) <= WIDTHS["phone"]["width"]
    phone.screenshot(path=screenshots / "discussions-draft-phone.png", full_page=True)

    desktop = open_thread(browser, demo_server, "fellow@example.org")
    expect(desktop.get_by_label("Your post")).to_have_value("Started between cases: ask about the trial length")
    desktop.get_by_role("button", name="Discard draft").click()
    expect(desktop.get_by_text("Your draft is discarded.")).to_be_visible()
    expect(desktop.get_by_label("Your post")).to_have_value("")
    assert _run_axe(desktop) == []
