"""In Chromium: an administrator who must have two-step sign-in is sent to set it up, scans (reads) the
locally drawn QR code's key, turns it on, saves the recovery codes and signs in again with a code."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import served_copy

ADMIN_EMAIL = "director@northbridge.example.org"
ADMIN_PASSWORD = "lumbar plexus at sunrise 7"

pytestmark = pytest.mark.e2e


@pytest.fixture
def strict_server(sqlite_template, smtp_server, tmp_path):
    """The app with production's rule: admins and faculty need two-step sign-in."""
    with served_copy(sqlite_template, tmp_path / "live.db", smtp_server,
                     TWO_FACTOR_REQUIRED_ROLES=("admin", "faculty")) as server:
        server.start()
        yield server


def sign_in_with_password(page: Page, base: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_required_set_up_then_sign_in_with_a_code(page: Page, browser, strict_server, screenshots):
    base = strict_server.url
    runner = strict_server.app.test_cli_runner()
    assert runner.invoke(args=["create-admin", ADMIN_EMAIL, "--password", ADMIN_PASSWORD]).exit_code == 0
    policy_violations = []
    page.on("console", lambda message: policy_violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    # Signed in with the password only, the admin can reach nothing but the set-up.
    sign_in_with_password(page, base)
    expect(page).to_have_url(f"{base}/auth/account/two-factor")
    expect(page.get_by_role("alert").filter(has_text="you need two-step")).to_be_visible()
    page.goto(f"{base}/admin/")
    expect(page).to_have_url(f"{base}/auth/account/two-factor")

    page.get_by_role("button", name="Set up two-step sign-in").click()
    expect(page).to_have_url(f"{base}/auth/account/two-factor/setup")
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 100 and box["height"] >= 100
    page.screenshot(path=screenshots / "two-factor-1-setup.png", full_page=True)
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)

    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.screenshot(path=screenshots / "two-factor-2-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_role("status")).to_contain_text("is on")
    page.goto(f"{base}/admin/")
    expect(page).to_have_url(f"{base}/admin/")

    # Another browser: password, then a code (the next time step's, as the set-up used this one).
    context = browser.new_context()
    other = context.new_page()
    sign_in_with_password(other, base)
    expect(other).to_have_url(f"{base}/auth/login/code")
    other.get_by_label("Code").fill(totp.at(time.time() + 30))
    other.get_by_role("button", name="Continue").click()
    expect(other).to_have_url(f"{base}/")
    other.goto(f"{base}/admin/")
    expect(other).to_have_url(f"{base}/admin/")
    context.close()

    assert policy_violations == []
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
