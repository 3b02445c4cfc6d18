"""The demo program director runs a year: creates a class, imports a CSV roster with two bad rows
(explained), an invited fellow accepts the link, the dashboard shows the class's coverage chart, and
graduating last year's class grows the program's alumni count."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.extensions import db
from network.mail.models import EmailOutbox
from tests.e2e.test_join_flow import sign_in

pytestmark = pytest.mark.e2e

ROSTER = """name,email,role,training background,pager
Dr. Ines Carvalho,ines.carvalho@example.org,fellow,Anesthesiology,4411
Dr. Tomas Reyes,tomas.reyes@example.org,fellow,PM&R,
Dr. No Address,not-an-email,fellow,Neurology,
Dr. Unknown Path,unknown.path@example.org,fellow,Dermatology,
"""


def invitation_link(app, email: str) -> str:
    with app.app_context():
        body = db.session.scalars(select(EmailOutbox.text_body).where(
            EmailOutbox.recipient == email, EmailOutbox.kind == "cohort-invitation")
            .order_by(EmailOutbox.id.desc())).first()
    return re.search(r"https?://\S+/invitations/[\w-]+", body).group(0)


def test_director_imports_invites_sees_the_dashboard_and_graduates(page: Page, browser, live_server, screenshots):
    app = live_server.app
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url

    # The director opens her program and creates next year's class.
    sign_in(page, base, "faculty@example.org", "demo-password-2026")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="Northbridge Pain Medicine Fellowship").click()
    alumni_before = int(page.locator("#alumni-count").inner_text())
    page.get_by_label("Name").fill("Class of 2028")
    page.get_by_label("Starts").fill("2027-07-01")
    page.get_by_label("Ends").fill("2028-06-30")
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_text("Class of 2028 is created.")).to_be_visible()

    # She imports a roster; the preview explains the two bad rows before anything is written.
    page.get_by_role("link", name="Import a CSV roster").first.click()
    page.get_by_label("Roster file (CSV)").set_input_files(
        files=[{"name": "class-of-2028.csv", "mimeType": "text/csv", "buffer": ROSTER.encode()}])
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the roster before importing")
    rows = page.locator("#import-rows")
    expect(rows).to_contain_text("“not-an-email” is not a valid email address.")
    expect(rows).to_contain_text("The training background “Dermatology” is unknown.")
    expect(rows).to_contain_text("pager: 4411")
    page.screenshot(path=screenshots / "roster-preview.png", full_page=True)
    page.get_by_role("button", name="Import 2 valid rows").click()
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("2 invited")
    expect(summary).to_contain_text("2 skipped")

    # The invited fellow follows the link from her mail and registers; she is in at once.
    fellow_context = browser.new_context()
    fellow = fellow_context.new_page()
    fellow.goto(invitation_link(app, "ines.carvalho@example.org"))
    expect(fellow.get_by_role("heading", level=1)).to_contain_text("Join Class of 2028")
    expect(fellow.get_by_label("Full name")).to_have_value("Dr. Ines Carvalho")
    fellow.get_by_label("Password", exact=True).fill("a long enough passphrase 2026")
    fellow.get_by_role("button", name="Create my account and join").click()
    expect(fellow.get_by_text("Welcome to Fellowship Network and to Class of 2028!")).to_be_visible()
    fellow_context.close()

    # The roster shows her, the invitation list shows one accepted and one sent.
    page.get_by_role("link", name="Back to the roster and invitation status").click()
    expect(page.locator("#roster")).to_contain_text("Dr. Ines Carvalho")
    expect(page.get_by_text("1 sent · 1 accepted · 0 expired · 0 revoked")).to_be_visible()

    # The dashboard draws the class's coverage chart (an SVG image) with its table.
    page.get_by_role("link", name="Dashboard").click()
    chart = page.get_by_role("img", name=re.compile("fellows with and without a mentor"))
    expect(chart).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    expect(page.locator("#table-coverage")).to_contain_text("Research")
    expect(page.get_by_text("1 fellow · 1 without any mentor")).to_be_visible()
    page.screenshot(path=screenshots / "cohort-dashboard.png", full_page=True)

    # Last year's research-track class graduates; the program's alumni count grows by its three fellows.
    page.goto(f"{base}/programs/northbridge-pain")
    page.get_by_role("link", name="Research track 2025–26", exact=True).click()
    page.get_by_role("link", name="Graduate").click()
    expect(page.get_by_label(re.compile("Complete the fellows' active mentorships"))).to_be_checked()
    page.get_by_role("button", name="Graduate the class").click()
    expect(page.get_by_text("3 new alumni")).to_be_visible()
    page.goto(f"{base}/programs/northbridge-pain")
    expect(page.locator("#alumni-count")).to_have_text(str(alumni_before + 3))
