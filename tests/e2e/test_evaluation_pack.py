"""The demo director opens last academic year's evaluation pack from her program's page, reads it (axe-core
finds nothing serious, on a desk and on a phone) and downloads the workbook and the CSV file, whose numbers are
the page's; the demo fellow opens "My class" and finds classmates, their own mentor and the round's deadline."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from network.evaluation.years import default_year
from tests.e2e.test_accessibility import AXE, _run_axe
from tests.e2e.test_join_flow import page_width, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "demo-password-2026"
PHONE = {"width": 390, "height": 844}


def member_page(browser: Browser, base: str, email: str, **context):
    """A signed-in page with axe-core loaded (bypass_csp: the site allows only its own scripts)."""
    page_context = browser.new_context(bypass_csp=True, accept_downloads=True, **context)
    page_context.add_init_script(path=str(AXE))
    page = page_context.new_page()
    sign_in(page, base, email, PASSWORD)
    page.wait_for_load_state()
    return page


def table_rows(page, table_id: str) -> list[list[str]]:
    return page.locator(f"#{table_id} tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))")


def test_the_director_reads_and_downloads_the_annual_pack(browser: Browser, demo_site, tmp_path, screenshots):
    year = default_year(date.today())
    page = member_page(browser, demo_site.url, "faculty@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="Northbridge Pain Medicine Fellowship").click()
    page.get_by_role("link", name="Annual program evaluation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual program evaluation, {year.label}")
    expect(page.get_by_role("heading", name="Ratings of closed mentorships")).to_be_visible()
    coverage = table_rows(page, "table-coverage-1")
    assert coverage and all(len(row) == 5 for row in coverage)
    assert any(float(row[4]) > 0 for row in coverage)  # the demo's mentoring shows
    ratings = dict(table_rows(page, "table-ratings-2"))  # shown: the demo has more than 3 ratings
    assert int(ratings["Ratings"]) >= 3
    assert int(dict(table_rows(page, "table-opportunities-1"))["All kinds"]) > 0
    assert page.locator("img.chart").count() >= 4
    assert _run_axe(page) == []
    page.screenshot(path=screenshots / "evaluation-pack.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="workbook (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename == f"northbridge-pain-evaluation-{year.slug}.xlsx"
    download.save_as(tmp_path / "pack.xlsx")
    book = load_workbook(tmp_path / "pack.xlsx")
    sheet = [list(row) for row in book["Mentoring coverage by cohort"].iter_rows(values_only=True)]
    header = sheet.index(["Cohort", "Mentoring type", "Fellows", "With a mentor", "Share (%)"])
    assert [[str(c) for c in row[:4]] + [float(row[4])] for row in sheet[header + 1:]] == \
        [row[:4] + [float(row[4])] for row in coverage]
    ratings_sheet = [list(row) for row in book["Ratings of closed mentorships"].iter_rows(values_only=True)]
    assert ["Ratings", int(ratings["Ratings"])] in ratings_sheet

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download_info.value.save_as(tmp_path / "pack.csv")
    rows = list(csv.reader(io.StringIO((tmp_path / "pack.csv").read_text())))
    assert ["Average (1 to 5)", ratings["Average (1 to 5)"]] in rows

    # The year chooser opens the year before; on a phone nothing scrolls sideways.
    page.get_by_label("Academic year", exact=True).select_option(str(year.start_year - 1))
    page.get_by_role("button", name="Show the year").click()
    expect(page).to_have_url(re.compile(rf"/evaluation/{year.start_year - 1}$"))
    page.set_viewport_size(PHONE)
    assert page_width(page) <= PHONE["width"]
    assert _run_axe(page) == []
    page.context.close()


def test_the_fellow_opens_my_class(browser: Browser, demo_site, screenshots):
    page = member_page(browser, demo_site.url, "fellow@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My class").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My class: Class of 2027")
    classmates = page.locator("#classmates")
    expect(classmates).to_contain_text("Dr. Kwame Asante (you)")
    expect(classmates.get_by_role("link", name="Dr. Priya Raman")).to_be_visible()
    assert classmates.locator("tbody tr").count() >= 5
    expect(classmates).to_contain_text("Not shown")
    expect(page.locator("#deadlines")).to_contain_text("Ranking deadline: Research mentors, Class of 2027")
    assert _run_axe(page) == []
    page.screenshot(path=screenshots / "my-class.png", full_page=True)
    page.locator("#classmates tbody tr").nth(1).get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("My class: Class of 2027")
    page.context.close()
