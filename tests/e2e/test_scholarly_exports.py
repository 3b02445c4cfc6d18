"""The yearly exports of scholarly work, in a real browser: the demo director opens the program's
scholarly activity for ADS (checked by axe), sees an item entered this year but dated last year flagged,
and downloads the CSV with the flag; the demo fellow downloads their CV as a PDF whose text holds the
item's title."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.extensions import db
from network.members.models import User
from network.scholarly.models import ScholarlyAuthor, ScholarlyItem, academic_year_of
from tests.e2e.test_accessibility import AXE, _run_axe
from tests.e2e.test_join_flow import page_width, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
YEAR = academic_year_of(date.today())
IN_YEAR_TITLE = "Pulsed radiofrequency of the greater occipital nerve: a case series"
OUT_OF_YEAR_TITLE = "Erector spinae plane block for rib fractures, entered late"


def add_items(app) -> None:
    """Two items of the demo fellow: one dated in this academic year, one entered now but dated the year before."""
    with app.app_context():
        fellow = db.session.scalars(select(User).where(User.email == "fellow@example.org")).one()
        for title, published_on in ((IN_YEAR_TITLE, date(YEAR, 10, 2)), (OUT_OF_YEAR_TITLE, date(YEAR - 1, 11, 20))):
            item = ScholarlyItem(owner_id=fellow.id, kind="case_report", status="published", title=title,
                                 venue="Pain Medicine Case Reports", published_on=published_on, pmid="39111222")
            db.session.add(item)
            db.session.flush()
            db.session.add(ScholarlyAuthor(item_id=item.id, position=1, name=fellow.name, member_id=fellow.id))
        db.session.commit()


def test_director_downloads_the_ads_export_and_the_fellow_their_cv(page: Page, browser, live_server, tmp_path):
    app = live_server.app
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    add_items(app)
    base = live_server.url

    # The director finds the export from the program's page; the out-of-year item is flagged, and axe passes.
    page.context.add_init_script(path=str(AXE))
    sign_in(page, base, "faculty@example.org", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="Northbridge Pain Medicine Fellowship").click()
    page.get_by_role("link", name="Scholarly activity for ADS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Scholarly activity, academic year {YEAR}–{YEAR + 1}")
    flagged = page.get_by_role("row").filter(has_text=OUT_OF_YEAR_TITLE)
    expect(flagged).to_contain_text("dated outside the year")
    expect(page.get_by_role("row").filter(has_text=IN_YEAR_TITLE)).to_contain_text("none")
    assert _run_axe(page) == []
    page.set_viewport_size(PHONE)
    assert _run_axe(page) == [] and page_width(page) <= PHONE["width"]
    page.set_viewport_size(DESKTOP)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"northbridge-pain-scholarly-activity-{YEAR}-{YEAR + 1}.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    by_title = {row["title"]: row for row in rows}
    assert by_title[OUT_OF_YEAR_TITLE]["flags"] == "dated outside the year"
    assert by_title[IN_YEAR_TITLE]["flags"] == "" and by_title[IN_YEAR_TITLE]["pmid"] == "39111222"

    # The class's dashboard counts the fellow among those with output this year, its tiles passing axe too.
    page.get_by_role("link", name="Northbridge Pain Medicine Fellowship").click()
    page.get_by_role("link", name="Dashboard of Class of 2027").click()
    expect(page.locator("#table-scholarly")).to_contain_text("Case reports")
    share = page.locator("#scholarly-share").inner_text()
    assert re.fullmatch(r"([1-9]\d*) of \d+ fellows?", share), share  # the demo fellow at least
    assert _run_axe(page) == []

    # The fellow downloads their CV from their account page; the PDF's text holds the item's title.
    fellow_context = browser.new_context()
    fellow = fellow_context.new_page()
    sign_in(fellow, base, "fellow@example.org", PASSWORD)
    fellow.goto(f"{base}/auth/account")
    with fellow.expect_download() as download_info:
        fellow.get_by_role("link", name="PDF (your CV)").click()
    cv = download_info.value
    assert cv.suggested_filename.endswith(" CV.pdf")
    reader = pypdf.PdfReader(io.BytesIO(Path(cv.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert IN_YEAR_TITLE in text and "Case reports".upper() in text.upper()
    fellow_context.close()
