"""The demo alumna answers her program's outcome survey from her notification, on a phone; the demo director
then reads the results: her class merged with the class before it (each under 3 answers alone would be hidden),
and what alumni wrote, which only the director sees."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_accessibility import _run_axe
from tests.e2e.test_confirmations import PHONE, phone_page
from tests.e2e.test_join_flow import page_width, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"


def test_an_alumna_answers_from_her_notification_and_the_director_sees_the_results(
        browser: Browser, live_server, screenshots):
    assert live_server.app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url

    context, page = phone_page(browser)
    sign_in(page, base, "alumni@example.org", PASSWORD)
    page.goto(f"{base}/notifications/")
    page.get_by_role("button", name=re.compile("asks how your career is going")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northbridge alumni outcomes 2026")
    assert _run_axe(page) == []
    page.get_by_label("Practice setting").select_option(label="Academic")
    page.get_by_label("Position").select_option(label="Attending or staff physician")
    page.get_by_role("radio", name="Board certified", exact=True).check()
    page.get_by_label("Board", exact=True).select_option(label="ABA Pain Medicine")
    page.get_by_label("Year certified").fill("2026")
    page.get_by_label("Academic rank").select_option(label="Assistant professor")
    page.get_by_label("Peer-reviewed publications since graduation").fill("2")
    page.get_by_role("radio", name="5 (very)").check()
    page.get_by_label("Anything else you would tell the program?").fill("The cancer-pain service was superb.")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    expect(page.get_by_label("Year certified")).to_have_value("2026")
    assert page_width(page) <= PHONE["width"]
    assert _run_axe(page) == []
    page.screenshot(path=screenshots / "survey-answered-phone.png", full_page=True)
    context.close()

    context, page = phone_page(browser)
    sign_in(page, base, "faculty@example.org", PASSWORD)
    page.goto(f"{base}/programs/")
    page.get_by_role("link", name="Northbridge Pain Medicine Fellowship").first.click()
    page.get_by_role("link", name="Alumni outcome surveys").click()
    assert _run_axe(page) == []
    page.locator("#survey-table").get_by_role("link", name="Northbridge alumni outcomes 2026", exact=True).click()
    assert _run_axe(page) == []
    page.get_by_role("link", name="Results", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results")
    summary = page.locator("#results-summary")
    expect(summary).to_contain_text("Classes of 2025–2026")
    expect(summary.locator("tbody tr")).to_have_count(1)
    expect(summary.locator("tbody td").first).to_have_text("7")
    expect(page.locator("#survey-comments")).to_contain_text("The cancer-pain service was superb.")
    expect(page.locator("img.chart")).to_have_count(2)
    assert page_width(page) <= PHONE["width"]
    assert _run_axe(page) == []
    page.screenshot(path=screenshots / "survey-results-phone.png", full_page=True)
    context.close()
