"""A program director runs a wellness matching round for Northbridge's Class of 2027 in the demo network:
two mentors join the pool, two fellows rank them, the mentors accept, the director previews (coverage and
a reason per pair), pins one pair, runs again and publishes; each fellow sees their new mentor."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.extensions import db
from network.members.models import Role, User
from network.mentorship.models import MentoringType, Mentorship, MentorshipStatus
from network.programs.models import Cohort, CohortMembership
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
    answer = alumna.get_by_role("group", name="Your answer for Dr. Kwame Asante")
    expect(answer.get_by_label("No answer")).to_be_checked()
    answer.get_by_label("Acceptable", exact=True).check()
    alumna.get_by_label("Rank for Dr. Kwame Asante").select_option("1")
    alumna.get_by_role("group", name=f"Your answer for {other_fellow}").get_by_label("Acceptable", exact=True).check()
    alumna.get_by_label(f"Rank for {other_fellow}").select_option("2")
    alumna.get_by_role("button", name="Save my answers").click()
    expect(alumna.get_by_text("Your answers are saved.")).to_be_visible()
    context.close()
    context, faculty = as_member(browser, base, "faculty2.northbridge@example.org")
    faculty.goto(round_url)
    faculty.get_by_role("group", name="Your answer for Dr. Kwame Asante").get_by_label("Acceptable", exact=True).check()
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
    page.get_by_role("link", name=re.compile(r"Publish run \d+")).click()
    page.get_by_label("Publish early and close rankings now").check()
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


def test_at_phone_width_publishing_is_confirmed_and_a_fellow_already_mentored_is_told_the_truth(
        page: Page, browser, live_server, screenshots):
    """The demo fellow already has a clinical / procedural mentorship with the director. In a clinical round he
    ranks her first; another fellow ranks an alumna who never answers. At 390 px the director sees the kept pair and the
    silent mentor counted as acceptable, is warned that the deadline has not passed, confirms the early close
    with the keyboard, and the fellow reads that his mentorship continues and the round closed early."""
    app = live_server.app
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url
    phone = {"width": 390, "height": 844}
    with app.app_context():
        director = db.session.scalar(select(User.name).where(User.email == "faculty@example.org"))
        # A fellow of the class with no clinical mentor yet.
        mentored = select(Mentorship.mentee_id).where(Mentorship.type == MentoringType.CLINICAL,
                                                      Mentorship.status == MentorshipStatus.ACTIVE)
        other_email, other_fellow = db.session.execute(
            select(User.email, User.name).join(CohortMembership, CohortMembership.user_id == User.id)
            .join(Cohort, Cohort.id == CohortMembership.cohort_id)
            .where(Cohort.name == "Class of 2027", User.role == Role.FELLOW, User.id.not_in(mentored),
                   User.email.like("fellow%northbridge%")).order_by(User.id)).first()

    def member(email):
        context = browser.new_context(viewport=phone, is_mobile=True)
        other = context.new_page()
        sign_in(other, base, email, PASSWORD)
        return context, other

    page.set_viewport_size(phone)
    sign_in(page, base, "faculty@example.org", PASSWORD)
    page.goto(base + "/matching/new")
    page.get_by_label("Title").fill("Clinical mentors, Class of 2027")
    page.get_by_label("Northbridge Pain Medicine Fellowship — Class of 2027").check()
    page.get_by_label("Kind of mentoring").select_option("clinical")
    expect(page.get_by_label("Count it as acceptable (a silent mentor blocks nobody)")).to_be_checked()
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_text("The round is open.")).to_be_visible()
    round_url = page.url.split("/preview")[0]
    # The director and the alumna join the pool.
    page.get_by_role("link", name="Mentor in this round yourself").click()
    page.get_by_label("Fellows I can mentor in this round").fill("1")
    page.get_by_role("button", name="Join the pool").click()
    expect(page.get_by_text("You are in the pool with 1 place.")).to_be_visible()
    context, alumna = member("alumni@example.org")
    alumna.goto(round_url)
    alumna.get_by_label("Fellows I can mentor in this round").fill("1")
    alumna.get_by_role("button", name="Join the pool").click()
    expect(alumna.get_by_text("You are in the pool with 1 place.")).to_be_visible()
    context.close()

    # The demo fellow is told, before ranking, that his clinical mentorship is kept; he ranks the director.
    context, fellow = member("fellow@example.org")
    fellow.goto(round_url)
    already = f"You already have an active clinical / procedural mentorship with {director}"
    expect(fellow.get_by_text(already)).to_be_visible()
    expect(fellow.get_by_text(re.compile(r"You can change your ranking until \d\d \w{3} \d{4}, \d\d:\d\d UTC\."))
           ).to_be_visible()
    fellow.get_by_label(f"Your rank for {director}").select_option("1")
    fellow.get_by_role("button", name="Save my list").click()
    expect(fellow.get_by_text("Your list of 1 mentor is saved. You can change it until")).to_be_visible()
    context.close()
    context, second = member(other_email)
    second.goto(round_url)
    second.get_by_label("Your rank for Dr. Sofia Martins").select_option("1")
    second.get_by_role("button", name="Save my list").click()
    expect(second.get_by_text("Your list of 1 mentor is saved.")).to_be_visible()
    context.close()

    # The preview: the kept pair, counted apart; the alumna never answered, which counts as acceptable.
    page.goto(round_url + "/preview")
    page.get_by_role("button", name="Run the match").click()
    pairs = page.get_by_role("table", name=re.compile("Pairs of run"))
    expect(pairs).to_contain_text("Already mentoring — kept as is")
    expect(pairs).to_contain_text(
        f"Dr. Kwame Asante already has an active clinical / procedural mentorship with {director}")
    expect(pairs).to_contain_text(f"Dr. Sofia Martins did not answer for {other_fellow} (counts as acceptable)")
    expect(page.locator("main dl")).to_contain_text(
        re.compile(r"\(1 of \d+ fellows who need a clinical / procedural mentor matched\)"))
    expect(page.locator("main dl")).to_contain_text(re.compile(r"\d+ fellows? already ha(s|ve) one \(kept as is\)"))

    # Publishing asks first, and before the deadline it needs the early close.
    page.get_by_role("link", name=re.compile(r"Publish run \d+")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Publish run \d+\?"))).to_be_visible()
    expect(page.get_by_text("1 fellow newly matched")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ already mentored, kept as is"))).to_be_visible()
    expect(page.get_by_text("The ranking deadline has not passed")).to_be_visible()
    page.screenshot(path=screenshots / "matching-publish-confirm-phone.png", full_page=True)
    page.get_by_role("button", name=re.compile(r"Publish run \d+")).click()
    expect(page.get_by_role("alert")).to_contain_text("Choose “Publish early and close rankings now”")
    page.get_by_label("Publish early and close rankings now").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Publish early and close rankings now")).to_be_checked()
    page.get_by_role("button", name=re.compile(r"Publish run \d+")).focus()
    page.keyboard.press("Enter")
    published = re.compile(r"Published: 1 mentorship created, \d+ mentorships? kept as is")
    expect(page.get_by_text(published)).to_be_visible()
    expect(page.get_by_text("told that the round closed early")).to_be_visible()

    # The fellow reads the truth: his mentorship continues, and the round closed early.
    context, fellow = member("fellow@example.org")
    fellow.goto(round_url)
    result = fellow.get_by_role("region", name="Your result")
    expect(result).to_contain_text(f"Your clinical / procedural mentorship with {director} continues")
    expect(result).not_to_contain_text("not matched")
    expect(fellow.locator("main header")).to_contain_text("The round closed early")
    expect(fellow.get_by_role("button", name="Save my list")).to_have_count(0)
    fellow.screenshot(path=screenshots / "matching-result-phone.png", full_page=True)
    fellow.goto(base + "/notifications/")
    expect(fellow.locator("main")).to_contain_text(f"your clinical / procedural mentorship with {director} continues")
    context.close()
