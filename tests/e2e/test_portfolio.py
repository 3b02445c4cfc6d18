"""The demo fellow imports a BibTeX file, links the abstract to their research mentorship and a demo conference and
names their mentor as co-author; the mentor confirms and sees it on her own profile and in their workspace; as the
program's director she finds it flagged in this year's ADS export (entered this year, dated the last); the fellow
downloads their CV, whose PDF holds its title. Every page on the way is checked by axe-core."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from network.extensions import db
from network.members.models import User
from network.mentorship.models import MentoringType, Mentorship
from tests.e2e.test_accessibility import _run_axe
from tests.e2e.test_join_flow import sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"  # nosec B105 (the published demo password)
TITLE = "Opioid-sparing analgesia after spinal cord stimulator implantation"
BIBTEX = f"""@inproceedings{{asante2026,
  author    = {{Asante, Kwame and Raman, Priya and Ñúñez, José M.}},
  title     = {{{TITLE}}},
  booktitle = {{Annual Pain Medicine Fellows' Research Day}},
  year      = {{2026}},
  month     = apr,
}}
""".encode()


def no_axe_violations(page) -> None:
    assert _run_axe(page) == [], page.url


def test_a_fellow_imports_links_and_the_co_author_confirms(browser: Browser, live_server, screenshots):
    app = live_server.app
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url
    with app.app_context():
        fellow, mentor = (db.session.scalar(select(User).where(User.email == email))
                          for email in ("fellow@example.org", "faculty@example.org"))
        mentorship = Mentorship(mentee_id=fellow.id, mentor_id=mentor.id, type=MentoringType.RESEARCH)
        db.session.add(mentorship)
        db.session.commit()
        workspace = f"{base}/mentorship/{mentorship.id}"
        mentor_profile, fellow_profile = f"{base}/members/{mentor.id}", f"{base}/members/{fellow.id}"

    # The fellow imports the file from their profile.
    context = browser.new_context(bypass_csp=True, reduced_motion="reduce")
    page = context.new_page()
    sign_in(page, base, "fellow@example.org", PASSWORD)
    page.goto(fellow_profile)
    page.get_by_role("link", name="Manage my scholarly activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My scholarly activity")
    no_axe_violations(page)
    page.get_by_role("link", name="Import citations").click()
    no_axe_violations(page)
    page.get_by_label("Or upload a file").set_input_files(
        {"name": "research-day.bib", "mimeType": "text/plain", "buffer": BIBTEX})
    page.get_by_role("button", name="Read and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose the items to save")
    expect(page.get_by_label(TITLE)).to_be_checked()
    no_axe_violations(page)
    page.get_by_role("button", name="Save the chosen items").click()
    expect(page.get_by_text("Saved 1 item.")).to_be_visible()

    # It links the abstract to the research mentorship and the conference.
    page.get_by_role("link", name=f"Edit “{TITLE}”").click()
    expect(page.get_by_label("Kind")).to_have_value("abstract")
    page.get_by_label("Kind").select_option("grand_rounds")  # fields a kind does not use are hidden
    expect(page.get_by_label("PMID")).to_be_hidden()
    expect(page.get_by_label("Presented at")).to_be_hidden()
    page.get_by_label("Kind").select_option("abstract")
    expect(page.get_by_label("PMID")).to_be_visible()
    no_axe_violations(page)
    mentorships = page.get_by_label("Research mentorship it came from")
    mentorships.select_option(mentorships.locator("option", has_text="Dr. Priya Raman").get_attribute("value"))
    presented = page.get_by_label("Presented at")
    presented.select_option(presented.locator("option", has_text="Annual Pain Medicine Fellows' Research Day")
                            .get_attribute("value"))
    page.get_by_role("button", name="Save item").click()

    # The co-authors: their own line is linked already; the mentor is named and asked.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Link the authors of “{TITLE}”")
    no_axe_violations(page)
    raman = page.get_by_label("Raman P")
    raman.select_option(raman.locator("option", has_text="Dr. Priya Raman").get_attribute("value"))
    page.get_by_role("button", name="Save links").click()
    expect(page.get_by_text("Asked to confirm: 1 co-author.")).to_be_visible()
    item = page.get_by_role("listitem").filter(has_text=TITLE)
    expect(item.get_by_text("awaiting confirmation")).to_be_visible()
    expect(item.get_by_role("link", name="Annual Pain Medicine Fellows' Research Day")).to_be_visible()
    page.screenshot(path=screenshots / "scholarly-mine.png", full_page=True)
    context.close()

    # The mentor confirms from the notification, and the abstract is on her profile and in their workspace.
    context = browser.new_context(bypass_csp=True, reduced_motion="reduce")
    page = context.new_page()
    sign_in(page, base, "faculty@example.org", PASSWORD)
    page.goto(mentor_profile)
    expect(page.get_by_text(TITLE)).to_have_count(0)
    page.goto(f"{base}/notifications/")
    expect(page.get_by_text(re.compile(r"Dr. Kwame Asante lists you as a co-author of")).first).to_be_visible()
    page.goto(f"{base}/scholarly/confirmations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Co-authorships to confirm")
    no_axe_violations(page)
    page.get_by_role("button", name=f"Confirm “{TITLE}”").click()
    expect(page.get_by_text(f"Confirmed: “{TITLE}” shows on your profile.")).to_be_visible()
    page.goto(mentor_profile)
    section = page.get_by_role("region", name="Scholarly activity")
    expect(section.get_by_text(TITLE)).to_be_visible()
    expect(section.get_by_role("link", name="Asante K")).to_be_visible()  # the fellow, a member: a link
    no_axe_violations(page)
    page.goto(workspace)
    expect(page.get_by_role("region", name="Scholarly work from this mentorship").get_by_text(TITLE)).to_be_visible()
    no_axe_violations(page)
    page.screenshot(path=screenshots / "scholarly-profile.png", full_page=True)

    # As the program's director, she finds it in this year's export for ADS: entered now, dated last April.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="Northbridge Pain Medicine Fellowship").click()
    page.get_by_role("link", name="Scholarly activity for ADS").click()
    rows = page.get_by_role("row").filter(has_text=TITLE)
    expect(rows).to_have_count(2)  # under the fellow, and under her as its confirmed co-author
    for n in range(2):
        expect(rows.nth(n)).to_contain_text("dated outside the year")
    no_axe_violations(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    assert TITLE in Path(download_info.value.path()).read_text(encoding="utf-8")
    context.close()

    # The fellow downloads their CV: the PDF's text holds the abstract's title.
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "fellow@example.org", PASSWORD)
    page.goto(f"{base}/auth/account")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF (your CV)").click()
    reader = pypdf.PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert TITLE in " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    context.close()
