"""The demo fellow finds a research mentor; the alumna accepts; both log a meeting; a goal is ticked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_join_flow import sign_in

pytestmark = pytest.mark.e2e


def test_research_mentorship_from_request_to_team(page: Page, browser, live_server, screenshots):
    assert live_server.app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url

    # The fellow asks for research mentoring and reads why each mentor is suggested.
    sign_in(page, base, "fellow@example.org", "demo-password-2026")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mentoring", exact=True).click()
    page.get_by_role("link", name="Find a mentor for research").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentors for research")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("link", name="Dr. Sofia Martins"))
    expect(card.locator(".recommendation-reason")).to_contain_text(re.compile(r"places free"))
    expect(card.locator(".mentor-facts")).to_contain_text("Alumni")  # who the mentor is, as far as shown
    page.screenshot(path=screenshots / "mentor-recommendations.png", full_page=True)
    # From her profile: "Ask to mentor" opens the request form for her.
    card.get_by_role("link", name="Dr. Sofia Martins", exact=True).click()
    page.get_by_role("link", name="Ask to mentor Dr. Sofia Martins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask Dr. Sofia Martins to mentor you")
    page.get_by_label("Kind of mentoring").select_option("research")
    page.get_by_label("Message").fill("I would like help turning our SCS outcomes data into a paper.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("Your request is on its way to Dr. Sofia Martins")).to_be_visible()
    page.get_by_role("link", name="Dr. Sofia Martins", exact=True).first.click()
    asked = re.compile(r"You asked Dr. Sofia Martins for research mentoring .* waiting")
    expect(page.get_by_text(asked)).to_be_visible()

    # The alumna accepts, lands in the workspace and logs a meeting and a goal.
    mentor_context = browser.new_context()
    mentor = mentor_context.new_page()
    sign_in(mentor, base, "alumni@example.org", "demo-password-2026")
    mentor.goto(f"{base}/mentorship/requests")
    mentor.get_by_role("button", name="Accept Dr. Kwame Asante").click()
    expect(mentor.get_by_text("You are now Dr. Kwame Asante's research mentor.")).to_be_visible()
    mentor.get_by_label("Topics").fill("Study design, data cleaning")
    mentor.get_by_role("button", name="Log meeting").click()
    expect(mentor.get_by_text("The meeting is logged.")).to_be_visible()
    mentor.get_by_label("Goal", exact=True).fill("Submit the SCS outcomes abstract")
    mentor.get_by_role("button", name="Add goal").click()
    expect(mentor.get_by_text("The goal is added.")).to_be_visible()
    workspace_url = mentor.url
    mentor_context.close()

    # The fellow logs their own meeting, ticks the goal and sees the research slot filled.
    page.goto(workspace_url)
    page.get_by_label("Notes", exact=True).fill("Agreed to draft the **methods** section first.")
    page.get_by_role("button", name="Log meeting").click()
    expect(page.get_by_text("The meeting is logged.")).to_be_visible()
    expect(page.locator(".meeting-notes strong")).to_have_text("methods")  # notes in markdown
    # The fellow corrects the meeting they logged (not the alumna's).
    expect(page.get_by_role("link", name=re.compile(r"^Edit the meeting of"))).to_have_count(1)
    page.get_by_role("link", name=re.compile(r"^Edit the meeting of")).click()
    page.get_by_label("Minutes").fill("50")
    page.get_by_role("button", name="Save the meeting").click()
    expect(page.get_by_text("The meeting is saved.")).to_be_visible()
    expect(page.get_by_text("50 min")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Done.*Submit the SCS outcomes abstract")).click()
    expect(page.get_by_text("Goal done. Well done!")).to_be_visible()
    page.screenshot(path=screenshots / "mentorship-workspace.png", full_page=True)
    # Deleting the meeting asks first on the shared confirmation page; the alumna's meeting stays.
    page.get_by_role("button", name=re.compile(r"^Delete the meeting of")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Delete the meeting of"))).to_be_visible()
    page.get_by_role("button", name="Delete the meeting", exact=True).click()
    expect(page.get_by_text("The meeting is deleted.")).to_be_visible()
    expect(page.get_by_text("50 min")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile(r"^Edit the meeting of"))).to_have_count(0)
    page.get_by_role("link", name="Your mentoring").click()
    research = page.get_by_role("heading", name="Research", exact=True).locator("..")
    expect(research.get_by_role("link", name="Dr. Sofia Martins")).to_be_visible()
    page.screenshot(path=screenshots / "mentoring-team.png", full_page=True)
