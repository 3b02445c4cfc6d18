"""Discussions in a real browser: a thread with a mention, the alumna's notification and quoted reply,
a flag in the moderation queue, a moderator's lock; and no attack string runs script."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.test_join_flow import page_width, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"


@pytest.fixture
def demo_server(live_server):
    result = live_server.app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return live_server


def new_member_page(browser, base, email) -> Page:
    page = browser.new_context().new_page()
    sign_in(page, base, email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")
    return page


def unread_notifications(app, email: str) -> int:
    from sqlalchemy import func

    from network.extensions import db
    from network.members.models import User
    from network.notifications.models import Notification

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification)
                                 .join(User, User.id == Notification.user_id)
                                 .where(User.email == email, Notification.read_at.is_(None)))


def test_thread_mention_quote_flag_and_lock(browser, demo_server, screenshots):
    base = demo_server.url
    alumna_unread = unread_notifications(demo_server.app, "alumni@example.org")  # the demo's own (a survey)
    fellow = new_member_page(browser, base, "fellow@example.org")

    # 1. The fellow starts a thread with markdown, mentioning the alumna, and previews it first.
    fellow.get_by_role("link", name=re.compile("^Discussions")).click()
    fellow.get_by_role("link", name="Categories", exact=True).click()
    fellow.get_by_role("link", name=re.compile("^General")).click()
    fellow.get_by_role("link", name="New thread").click()
    fellow.get_by_label("Title").fill("Setting up a DRG stimulation trial")
    fellow.get_by_label("Your post").fill(
        "Hello @Sofia Martins, how do you place the leads for a **DRG trial**?\n\n- L5\n- S1")
    fellow.get_by_role("button", name="Preview").click()
    expect(fellow.locator(".post-body strong")).to_have_text("DRG trial")
    fellow.get_by_role("button", name="Start thread").click()
    expect(fellow.get_by_role("heading", level=1)).to_contain_text("Setting up a DRG stimulation trial")
    expect(fellow.get_by_role("link", name="@Sofia Martins")).to_be_visible()
    fellow.screenshot(path=screenshots / "discussions-1-thread.png", full_page=True)
    thread_url = fellow.url

    # 2. The alumna sees the unread count and the notification, and replies with a quote.
    alumna = new_member_page(browser, base, "alumni@example.org")
    badge = alumna.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("Notifications"))
    expect(badge).to_contain_text(f"{alumna_unread + 1} unread")  # and one more: the mention
    alumna.get_by_role("link", name=re.compile("^Discussions")).click()
    alumna.get_by_role("link", name="Categories", exact=True).click()
    alumna.get_by_role("link", name=re.compile("^General")).click()
    row = alumna.get_by_role("listitem").filter(has_text="Setting up a DRG stimulation trial")
    expect(row.get_by_role("link", name=re.compile("1 unread"))).to_be_visible()
    alumna.screenshot(path=screenshots / "discussions-2-unread.png", full_page=True)
    badge.click()
    alumna.get_by_role("button", name=re.compile("Dr. Kwame Asante mentioned you")).click()
    expect(alumna.get_by_role("heading", level=1)).to_contain_text("Setting up a DRG stimulation trial")
    alumna.get_by_role("link", name="Quote post by Dr. Kwame Asante").click()
    body = alumna.get_by_label("Your post")
    expect(body).to_have_value(re.compile(r'^\[quote="Dr. Kwame Asante, post:\d+"\]\n'))
    body.press("Control+End")
    body.type("I start at the L5 foramen, then S1 under fluoroscopy.")
    alumna.get_by_role("button", name="Post reply").click()
    expect(alumna.get_by_text("Your reply is posted.")).to_be_visible()
    reply = alumna.locator("article").last
    expect(reply.locator("blockquote.post-quote .post-quote-by")).to_have_text("Dr. Kwame Asante wrote:")
    expect(reply).to_contain_text("I start at the L5 foramen")
    alumna.screenshot(path=screenshots / "discussions-3-quote-reply.png", full_page=True)

    # 3. The fellow flags the reply.
    fellow.goto(thread_url)
    fellow.get_by_role("link", name="Flag post by Dr. Sofia Martins").last.click()
    fellow.get_by_label("Why should a moderator look at this post?").fill("Please check the dosing details.")
    fellow.get_by_role("button", name="Flag post").click()
    expect(fellow.get_by_text("the moderators will look at this post")).to_be_visible()

    # 4. A moderator finds it in the queue and locks the thread.
    admin = new_member_page(browser, base, "admin@example.org")
    admin.get_by_role("link", name=re.compile("^Discussions")).click()
    admin.get_by_role("link", name="Moderation queue").click()
    expect(admin.get_by_text("Please check the dosing details.")).to_be_visible()
    admin.screenshot(path=screenshots / "discussions-4-queue.png", full_page=True)
    admin.get_by_role("link", name="Setting up a DRG stimulation trial").first.click()
    admin.get_by_role("button", name="Lock thread").click()
    expect(admin.get_by_text("The thread is locked.")).to_be_visible()
    fellow.goto(thread_url)
    expect(fellow.get_by_text("This thread is locked: it takes no more replies.")).to_be_visible()
    expect(fellow.get_by_role("button", name="Post reply")).to_have_count(0)
    fellow.screenshot(path=screenshots / "discussions-5-locked.png", full_page=True)


def test_no_attack_string_runs_in_the_browser(browser, demo_server, screenshots):
    from network.discussions.models import Category
    from network.discussions.services import posting
    from network.extensions import db
    from network.members.models import User
    from tests.discussions.xss_corpus import ATTACKS

    app = demo_server.app
    with app.test_request_context():
        fellow = db.session.scalars(select(User).where(User.email == "fellow@example.org")).one()
        general = db.session.scalars(select(Category).where(Category.slug == "general")).one()
        thread, _ = posting.start_thread(fellow, general, "<script>window.__xss=1</script>XSS corpus",
                                         "<img src=x onerror=window.__xss=1>")
        for attack in ATTACKS:
            posting.reply(fellow, thread, attack)
        for attack in ATTACKS[:20]:
            posting.start_thread(fellow, general, attack[:200], attack)
        db.session.commit()
        thread_id = thread.id
    page = new_member_page(browser, demo_server.url, "alumni@example.org")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    url = f"{demo_server.url}/discussions/t/{thread_id}"
    visited = 0
    while url:
        page.goto(url)
        page.mouse.move(200, 300)
        visited += 1
        assert page.evaluate("window.__xss") is None, url
        later = page.get_by_role("link", name="Later posts")
        url = later.get_attribute("href") if later.count() else None
        if url:
            url = demo_server.url + url
    assert visited >= 6
    for path in ("/discussions/c/general", "/discussions/search?q=alert", "/notifications/", "/"):
        page.goto(demo_server.url + path)
        assert page.evaluate("window.__xss") is None, path
    page.screenshot(path=screenshots / "discussions-xss.png", full_page=True)
    assert dialogs == []


def test_a_thread_works_on_a_phone(browser, demo_server, screenshots):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, demo_server.url, "fellow@example.org", PASSWORD)
    page.goto(f"{demo_server.url}/discussions/c/board-review")
    page.get_by_role("link", name="High-yield pharmacology: methadone and QTc", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("methadone")
    width = page_width(page)
    assert width <= 375, f"the thread page scrolls sideways on a phone ({width}px)"
    expect(page.get_by_label("Your post")).to_be_visible()
    page.screenshot(path=screenshots / "discussions-phone.png", full_page=True)
    context.close()
