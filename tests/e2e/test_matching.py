"""A program director runs a wellness matching round for Northbridge's Class of 2027 in the demo network:
two mentors join the pool, two fellows rank them, the mentors accept, the director previews (coverage and
a reason per pair), pins one pair, runs again and publishes; each fellow sees their new mentor."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.extensions import db
from network.members.models import User
from tests.e2e.test_join_flow import sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "demo-password-2026"


def as_member(browser, base, email):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, email, PASSWORD)
    return context, page


def test_faculty_runs_a_round_from_opening_to_publishing(page: Page, browser, live_server, screenshots):
    app = live_server.app
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url
    with app.app_context():
        names = dict(db.session.execute(select(User.email, User.name).where(User.email.in_(
            ["faculty2.northbridge@example.org", "fellow22.northbridge@example.org"]))).all())
    colleague, other_fellow = names["faculty2.northbridge@example.org"], names["fellow22.northbridge@example.org"]

    # The director opens the round.
    sign_in(page, base, "faculty@example.org", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Matching", exact=True).click()
    page.get_by_role("link", name="Open a round").click()
    page.get_by_label("Title").fill("Wellness mentors, Class of 2027")
    page.get_by_label("Northbridge Pain Medicine Fellowship — Class of 2027").check()
    page.get_by_label("Kind of mentoring").select_option("wellness")
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_text("The round is open.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wellness mentors, Class of 2027")
    round_url = page.url.split("/preview")[0]

    # Two mentors join the pool with two places each.
    for email in ("alumni@example.org", "faculty2.northbridge@example.org"):
        context, mentor = as_member(browser, base, email)
        mentor.goto(round_url + ("?view=pool" if email.startswith("faculty") else ""))
        mentor.get_by_label("Fellows I can mentor in this round").fill("2")
        mentor.get_by_role("button", name="Join the pool").click()
        expect(mentor.get_by_text("You are in the pool with 2 places.")).to_be_visible()
        context.close()

    # Two fellows rank: both want Dr. Sofia Martins first; the demo fellow lists the colleague second.
    for email, ranks in (("fellow@example.org", {"Dr. Sofia Martins": "1", colleague: "2"}),
                         ("fellow22.northbridge@example.org", {"Dr. Sofia Martins": "1"})):
        context, fellow = as_member(browser, base, email)
        fellow.goto(round_url)
        expect(fellow.get_by_role("table")).to_contain_text("Dr. Sofia Martins")
        for name, rank in ranks.items():
            fellow.get_by_label(f"Your rank for {name}").select_option(rank)
        if email == "fellow@example.org":
            fellow.screenshot(path=screenshots / "matching-rank.png", full_page=True)
        fellow.get_by_role("button", name="Save my list").click()
        expect(fellow.get_by_text(f"Your list of {len(ranks)} mentor")).to_be_visible()
        context.close()

    # The mentors accept the fellows who listed them.
    context, alumna = as_member(browser, base, "alumni@example.org")
    alumna.goto(round_url)
    alumna.get_by_label("Your answer for Dr. Kwame Asante").select_option("1")
    alumna.get_by_label(f"Your answer for {other_fellow}").select_option("2")
    alumna.get_by_role("button", name="Save my answers").click()
    expect(alumna.get_by_text("Your answers are saved.")).to_be_visible()
    context.close()
    context, faculty = as_member(browser, base, "faculty2.northbridge@example.org")
    faculty.goto(round_url)
    faculty.get_by_label("Your answer for Dr. Kwame Asante").select_option("yes")
    faculty.get_by_role("button", name="Save my answers").click()
    expect(faculty.get_by_text("Your answers are saved.")).to_be_visible()
    context.close()

    # The director previews: coverage (two of the class ranked) and a reason per pair.
    page.goto(round_url + "/preview")
    page.get_by_role("button", name="Run the match").click()
    expect(page.locator("main dl")).to_contain_text(re.compile(r"\(2 of \d+ fellows matched\)"))
    pairs = page.get_by_role("table", name=re.compile("Pairs of run"))
    expect(pairs).to_contain_text("Dr. Sofia Martins was Dr. Kwame Asante's 1st choice")
    expect(pairs).to_contain_text("Dr. Sofia Martins ranked Dr. Kwame Asante 1st")

    # Pin the demo fellow to the colleague and run again; publish that run.
    page.get_by_label("Fellow", exact=True).select_option(label="Dr. Kwame Asante")
    page.get_by_label("Mentor", exact=True).select_option(label=colleague)
    page.get_by_label("Pin (always match this pair)").check()
    page.get_by_role("button", name="Add override").click()
    expect(page.get_by_text("Override added.")).to_be_visible()
    page.get_by_role("button", name="Run the match again").click()
    pairs = page.get_by_role("table", name=re.compile("Pairs of run"))
    expect(pairs).to_contain_text("Pinned by faculty")
    expect(page.locator("main dl")).to_contain_text(re.compile(r"\(2 of \d+ fellows matched\)"))
    page.screenshot(path=screenshots / "matching-preview.png", full_page=True)
    page.get_by_role("button", name=re.compile(r"Publish run \d+")).click()
    expect(page.get_by_text("Published: 2 mentorships created")).to_be_visible()

    # Each fellow sees their new mentor.
    for email, mentor_name in (("fellow@example.org", colleague),
                               ("fellow22.northbridge@example.org", "Dr. Sofia Martins")):
        context, fellow = as_member(browser, base, email)
        fellow.goto(round_url)
        expect(fellow.get_by_text(f"Your wellness mentor is {mentor_name}.")).to_be_visible()
        fellow.get_by_role("link", name="Go to your mentoring team").click()
        expect(fellow.locator("main")).to_contain_text(mentor_name)
        context.close()
