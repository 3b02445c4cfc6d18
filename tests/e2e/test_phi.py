"""Patient identifiers in a real browser: a direct message cannot be sent with them (the draft comes back
highlighted); a discussion reply with them is held until a moderator redacts and publishes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.discussions.models import Post
from network.extensions import db
from tests.e2e.test_discussions import new_member_page
from tests.e2e.test_join_flow import sign_in
from tests.e2e.test_messages import PASSWORD, messages_link

pytestmark = pytest.mark.e2e

DRAFT = "Pt John Smith MRN 1234567 is on my list: could we review his fluoroscopy images?"


def test_a_message_with_patient_identifiers_is_highlighted_and_not_sent(page: Page, live_server, screenshots):
    assert live_server.app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    sign_in(page, live_server.url, "fellow@example.org", PASSWORD)
    messages_link(page).click()
    page.get_by_label("Write to one of your mentors, mentees or program people").select_option(label="Dr. Priya Raman")
    page.get_by_role("button", name="New message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conversation with Dr. Priya Raman")
    sent_before = page.locator(".message-body").count()

    body = page.get_by_role("textbox", name="Message")
    body.fill(DRAFT)
    page.get_by_role("button", name="Send reply").click()
    notice = page.locator("#phi-notice")
    expect(notice).to_contain_text("cannot be sent or saved")
    expect(notice.locator("mark")).to_have_count(2)
    expect(notice.locator('mark[title="medical record number"]')).to_have_text("1234567")
    expect(notice.locator('mark[title="name of a patient or relative"]')).to_have_text("John Smith")
    expect(page.get_by_label(re.compile("I checked"))).to_have_count(0)  # strong ones cannot be waved through
    expect(page.locator(".message-body")).to_have_count(sent_before)
    page.screenshot(path=screenshots / "phi-message-refused.png", full_page=True)

    # Sending the same draft again is refused again; without the identifiers it goes.
    expect(body).to_have_value(DRAFT)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#phi-notice")).to_be_visible()
    expect(page.locator(".message-body")).to_have_count(sent_before)
    body.fill("One of my patients is on my list: could we review the fluoroscopy images?")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#phi-notice")).to_have_count(0)
    expect(page.locator(".message-body").last).to_have_text(
        "One of my patients is on my list: could we review the fluoroscopy images?")
    expect(page.get_by_text("1234567")).to_have_count(0)


def test_a_held_reply_is_redacted_and_published_by_a_moderator(browser, live_server, screenshots):
    assert live_server.app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url
    fellow = new_member_page(browser, base, "fellow@example.org")
    fellow.get_by_role("link", name=re.compile("^Discussions")).click()
    fellow.get_by_role("link", name="Categories", exact=True).click()
    fellow.get_by_role("link", name=re.compile("^General")).click()
    fellow.get_by_role("link", name="New thread").click()
    fellow.get_by_label("Title").fill("Reading fluoroscopy after a medial branch block")
    fellow.get_by_label("Your post").fill("What do you look for on the lateral view?")
    fellow.get_by_role("button", name="Start thread").click()
    expect(fellow.get_by_role("heading", level=1)).to_contain_text("Reading fluoroscopy after a medial branch block")
    thread_url = fellow.url

    fellow.get_by_label("Your post").fill(DRAFT)
    fellow.get_by_role("button", name="Post reply").click()
    expect(fellow.get_by_text("so it is held: a moderator will review it")).to_be_visible()
    held = fellow.locator("article").filter(has_text="1234567")
    expect(held.get_by_text("Awaiting a moderator")).to_be_visible()
    fellow.screenshot(path=screenshots / "phi-reply-held.png", full_page=True)

    # Nobody else sees the held reply. The alumna watches the thread, so its release reaches her.
    alumna = new_member_page(browser, base, "alumni@example.org")
    alumna.goto(thread_url)
    expect(alumna.get_by_text("What do you look for on the lateral view?")).to_be_visible()
    alumna.get_by_role("button", name="Watch").first.click()
    expect(alumna.get_by_text("Watching", exact=True)).to_be_visible()
    expect(alumna.get_by_text("1234567")).to_have_count(0)

    # A moderator finds it in the queue with the identifiers highlighted, redacts and publishes it.
    admin = new_member_page(browser, base, "admin@example.org")
    admin.get_by_role("link", name=re.compile("^Discussions")).click()
    admin.get_by_role("link", name="Moderation queue").click()
    card = admin.locator("article").filter(has_text="Reading fluoroscopy after a medial branch block")
    expect(card.locator('mark[title="medical record number"]')).to_have_text("1234567")
    admin.screenshot(path=screenshots / "phi-queue.png", full_page=True)
    card.get_by_role("button", name=re.compile("^Redact and publish")).click()
    expect(admin.get_by_text("The patient identifiers are removed from the post and its history.")).to_be_visible()
    expect(admin.locator("article").filter(has_text="Reading fluoroscopy after a medial branch block")).to_have_count(0)

    # The thread shows the reply to everyone, with "[removed]" in place of the identifiers.
    alumna.goto(thread_url)
    reply = alumna.locator("article").filter(has_text="fluoroscopy images")
    expect(reply).to_contain_text("Pt [removed] MRN [removed] is on my list")
    expect(alumna.get_by_text("1234567")).to_have_count(0)
    expect(alumna.get_by_text("John Smith")).to_have_count(0)
    fellow.goto(thread_url)
    expect(fellow.get_by_text("Awaiting a moderator")).to_have_count(0)
    expect(fellow.locator("article").filter(has_text="fluoroscopy images")).to_contain_text("[removed]")
    alumna.screenshot(path=screenshots / "phi-reply-redacted.png", full_page=True)

    # Search, the stored revisions and the subscriber's notifications keep no identifier either.
    alumna.goto(f"{base}/discussions/search?q=fluoroscopy+images")
    expect(alumna.get_by_text("fluoroscopy images").first).to_be_visible()
    expect(alumna.get_by_text("1234567")).to_have_count(0)
    expect(alumna.get_by_text("John Smith")).to_have_count(0)
    with live_server.app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.body.contains("fluoroscopy images")))
    admin.goto(f"{base}/discussions/p/{post_id}/history")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("History of a post")
    expect(admin.get_by_text("1234567")).to_have_count(0)
    alumna.goto(f"{base}/notifications/")
    expect(alumna.get_by_text(re.compile("replied in"))).not_to_have_count(0)
    expect(alumna.get_by_text("1234567")).to_have_count(0)
    expect(alumna.get_by_text("John Smith")).to_have_count(0)
