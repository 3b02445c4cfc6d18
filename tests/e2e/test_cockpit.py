"""The demo program director lands on her cockpit, follows "fellows without a research mentor", reminds one
fellow with a note, and the fellow finds the reminder in their notifications (and the note in their mail); then
the director opens the annual evaluation pack from her program and downloads its workbook. axe-core checks the
cockpit and the list (the pack's own browser test checks the pack page)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.extensions import db
from network.mail.models import EmailOutbox
from tests.e2e.test_accessibility import AXE, _run_axe, _tool
from tests.e2e.test_evaluation_pack import member_page
from tests.e2e.test_join_flow import sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"
NOTE = "The research interest group meets Thursday at noon; come and meet the mentors."


def test_the_director_reminds_a_fellow_without_a_research_mentor(page: Page, browser, live_server, screenshots):
    _tool(AXE)
    app = live_server.app
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url
    context = browser.new_context(bypass_csp=True)  # axe is the test's script, not the site's
    context.add_init_script(path=str(AXE))
    director = context.new_page()

    # She signs in and lands on her program's cockpit.
    sign_in(director, base, "faculty@example.org", PASSWORD)
    expect(director.get_by_role("heading", level=1)).to_have_text("Northbridge Pain Medicine Fellowship: cockpit")
    assert _run_axe(director) == []
    director.screenshot(path=screenshots / "cockpit.png", full_page=True)

    # She follows the number of Class of 2027's fellows without a research mentor.
    director.get_by_role("link", name=re.compile(r"^\d+ fellows without a research mentor in Class of 2027$")).click()
    expect(director.get_by_role("heading", level=1)).to_have_text("Fellows without a research mentor")
    fellow_link = director.get_by_role("link", name="Dr. Kwame Asante", exact=True)
    expect(fellow_link).to_have_attribute("href", re.compile(r"^/members/\d+$"))
    assert _run_axe(director) == []

    # She reminds that one fellow, with a note.
    director.get_by_label("Note to add to the reminder (optional)").fill(NOTE)
    director.get_by_role("button", name="Remind Dr. Kwame Asante", exact=True).click()
    expect(director.get_by_text("Reminded 1 person: Dr. Kwame Asante.")).to_be_visible()
    expect(director.get_by_role("row", name=re.compile("Dr. Kwame Asante"))).to_contain_text("Reminded")
    director.screenshot(path=screenshots / "cockpit-reminded.png", full_page=True)
    context.close()

    # The fellow signs in and sees the reminder; the mail carries the note.
    sign_in(page, base, "fellow@example.org", PASSWORD)
    page.goto(f"{base}/notifications/")
    reminder = page.get_by_role("button", name=re.compile("Northbridge Pain Medicine Fellowship: please find a "
                                                          "research mentor"))
    expect(reminder).to_be_visible()
    reminder.click()
    expect(page).to_have_url(re.compile(r"/mentorship/recommendations\?type=research$"))
    with app.app_context():
        body = db.session.scalars(select(EmailOutbox.text_body).where(
            EmailOutbox.recipient == "fellow@example.org", EmailOutbox.kind == "nudge")).one()
    assert NOTE in body and "Dr. Priya Raman" in body

    # The director opens the annual program evaluation and downloads the workbook for the committee.
    director = member_page(browser, base, "faculty@example.org")
    director.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    director.get_by_role("link", name="Northbridge Pain Medicine Fellowship").click()
    director.get_by_role("link", name="Annual program evaluation").click()
    expect(director.get_by_role("heading", level=1)).to_contain_text("Annual program evaluation")
    with director.expect_download() as download_info:
        director.get_by_role("link", name="workbook (XLSX)").click()
    book = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert "Mentoring coverage by cohort" in book.sheetnames and "Alumni outcome surveys" in book.sheetnames
    coverage = list(book["Mentoring coverage by cohort"].iter_rows(values_only=True))
    assert any(row[1] == "Research" and row[3] > 0 for row in coverage[3:])  # the demo's research mentoring
    director.context.close()
