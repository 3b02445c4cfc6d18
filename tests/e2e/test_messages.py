"""The demo fellow messages their mentor; the mentor sees the unread badge and replies; the fellow moves
message mails to the daily digest, and the digest carries the mentor's next reply."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_join_flow import sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"


def messages_link(page: Page):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Messages"))


def test_fellow_and_mentor_talk_and_the_digest_carries_the_next_reply(page: Page, browser, live_server, smtp,
                                                                      screenshots):
    runner = live_server.app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    base = live_server.url

    # The fellow writes to their mentor from the messages page.
    sign_in(page, base, "fellow@example.org", PASSWORD)
    messages_link(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages")
    page.get_by_label("Write to one of your mentors, mentees or program people").select_option(label="Dr. Priya Raman")
    page.get_by_role("button", name="New message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conversation with Dr. Priya Raman")
    page.get_by_role("textbox", name="Message").fill("Could we review my fluoroscopy log before Friday's list?")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".message-body").last).to_have_text("Could we review my fluoroscopy log before Friday's list?")

    # The mentor sees the unread badge, opens the conversation (the badge goes) and replies.
    mentor_context = browser.new_context()
    mentor = mentor_context.new_page()
    sign_in(mentor, base, "faculty@example.org", PASSWORD)
    expect(mentor.locator("#unread-messages")).to_have_text(re.compile(r"^1"))
    mentor.screenshot(path=screenshots / "messages-unread-badge.png")
    messages_link(mentor).click()
    mentor.get_by_role("link", name=re.compile("Dr. Kwame Asante")).click()
    expect(mentor.get_by_text("Could we review my fluoroscopy log before Friday's list?")).to_be_visible()
    expect(mentor.locator("#unread-messages")).to_have_count(0)
    mentor.get_by_role("textbox", name="Message").fill("Yes: Thursday at 4 pm in my office.")
    mentor.get_by_role("button", name="Send reply").click()
    expect(mentor.locator(".message-body").last).to_have_text("Yes: Thursday at 4 pm in my office.")

    # By default the reply is mailed right away.
    assert "sent" in runner.invoke(args=["outbox", "send"]).output
    right_away = smtp.wait_for(lambda m: m["To"] == "fellow@example.org")
    assert right_away["Subject"] == "New message from Dr. Priya Raman"
    assert "Thursday at 4 pm" in right_away.get_body(preferencelist=("plain",)).get_content()
    smtp.clear()

    # The fellow reads the reply, then asks for message mails in the daily digest.
    page.reload()
    expect(page.get_by_text("Yes: Thursday at 4 pm in my office.")).to_be_visible()
    page.goto(f"{base}/notifications/settings")
    page.get_by_role("group", name="Direct messages").get_by_label("On the site and in a daily digest email").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    page.screenshot(path=screenshots / "notification-settings.png", full_page=True)

    # The mentor's next reply is not mailed right away; the daily digest carries it.
    mentor.get_by_role("textbox", name="Message").fill("And bring the ultrasound log as well, please.")
    mentor.get_by_role("button", name="Send reply").click()
    expect(mentor.locator(".message-body").last).to_have_text("And bring the ultrasound log as well, please.")
    mentor_context.close()
    result = runner.invoke(args=["digest", "daily"])
    assert result.exit_code == 0 and "1 digest mail queued." in result.output, result.output
    assert "sent" in runner.invoke(args=["outbox", "send"]).output
    received = [m for m in smtp.messages if m["To"] == "fellow@example.org"]
    assert [m["Subject"] for m in received] == ["Your daily digest: 1 new on Fellowship Network"]
    digest = received[0].get_body(preferencelist=("plain",)).get_content()
    assert "Dr. Priya Raman sent you a message: “And bring the ultrasound log as well, please.”" in digest
    assert "Thursday at 4 pm" not in digest  # that one was mailed right away and read
    assert received[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
