"""A new member joins in a real browser: register, confirm by email, get verified, sign in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

ADMIN_EMAIL = "chief@example.org"
ADMIN_PASSWORD = "chief admin passphrase 2026"


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def page_width(page: Page) -> int:
    """How wide the page lays out, read once its stylesheets are in: a page shown after a form's POST can pass a
    visibility check while Bootstrap is still loading, and the unstyled page is wider than the phone."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth")


def test_register_confirm_verify_and_sign_in(page: Page, browser, live_server, smtp, screenshots):
    base = live_server.url
    runner = live_server.app.test_cli_runner()
    assert runner.invoke(args=["create-admin", ADMIN_EMAIL, "--password", ADMIN_PASSWORD]).exit_code == 0

    # 1. The visitor reads the landing page and joins.
    page.goto(base)
    expect(page.get_by_role("heading", level=1)).to_contain_text("fellowship family")
    page.screenshot(path=screenshots / "1-landing.png", full_page=True)
    page.get_by_role("link", name="Join the network").first.click()
    page.get_by_label("Full name").fill("Dr. Rina Okoye")
    page.get_by_label("Email").fill("Rina.Okoye@Hospital.org")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("A current fellow").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Use at least 12 characters")).to_be_visible()
    page.screenshot(path=screenshots / "2-register-error.png", full_page=True)
    page.get_by_label("Password", exact=True).fill("nerve blocks before breakfast")
    # What the administrator who verifies her goes on: her program (not listed yet) and her training year.
    page.get_by_label("Program", exact=True).select_option(label="Other / not listed")
    page.get_by_label("Program name, if it is not listed").fill("Pain Medicine Fellowship, Lakeside Hospital")
    page.get_by_label("Year of training (current fellows)").select_option(label="PGY-5")
    page.get_by_role("button", name="Create account").click()
    # The same answer as for an address that is taken already: check your mail, then sign in.
    expect(page.get_by_text("We sent a mail to that address")).to_be_visible()

    # 2. The worker delivers the confirmation mail to the SMTP server; the link is followed.
    assert "sent 1" in runner.invoke(args=["outbox", "send"]).output
    message = smtp.wait_for(lambda m: m["To"] == "rina.okoye@hospital.org")
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:\d+/auth/confirm/\S+", text).group(0)
    page.goto(link)
    expect(page.get_by_text("your email address is confirmed")).to_be_visible()
    page.screenshot(path=screenshots / "4-confirmed.png", full_page=True)
    sign_in(page, base, "rina.okoye@hospital.org", "nerve blocks before breakfast")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is waiting for verification")
    page.screenshot(path=screenshots / "3-pending.png", full_page=True)

    # 3. An administrator verifies the new member in another browser session.
    admin_context = browser.new_context()
    admin = admin_context.new_page()
    sign_in(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.get_by_role("link", name="Review registrations").click()
    expect(admin.get_by_role("row", name=re.compile("Dr. Rina Okoye"))).to_be_visible()
    admin.screenshot(path=screenshots / "5-admin-pending.png", full_page=True)
    expect(admin.get_by_role("row", name=re.compile("Dr. Rina Okoye"))).to_contain_text("Fellow, PGY-5")
    admin.get_by_role("link", name="Verify… Dr. Rina Okoye").click()
    expect(admin.get_by_text("Not listed: Pain Medicine Fellowship, Lakeside Hospital")).to_be_visible()
    admin.get_by_role("button", name="Verify").click()
    expect(admin.get_by_text("Dr. Rina Okoye is verified")).to_be_visible()
    admin.screenshot(path=screenshots / "6-admin-verified.png", full_page=True)
    admin_context.close()

    # 4. The member signs out, signs in again and reaches the home page.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    sign_in(page, base, "rina.okoye@hospital.org", "nerve blocks before breakfast")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Dr. Rina Okoye")
    expect(page.get_by_role("heading", name="Mentoring")).to_be_visible()
    page.screenshot(path=screenshots / "7-home.png", full_page=True)


def test_landing_works_on_a_phone_and_with_the_keyboard(browser, live_server, screenshots):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server.url)
    width = page_width(page)
    assert width <= 375, f"the landing page scrolls sideways on a phone ({width}px)"
    # The menu collapses behind a button that opens it.
    page.get_by_role("button", name="Show navigation").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()
    page.screenshot(path=screenshots / "phone-landing.png", full_page=True)
    # On a fresh page the first Tab reaches the skip link.
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    context.close()
