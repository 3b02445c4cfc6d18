"""A member makes a personal access token on the account page of a phone, copies it, uses it from a script (a real
HTTP request to the live server's API) and revokes it: the next request is refused."""

from __future__ import annotations

import http.client
import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect
from werkzeug.security import generate_password_hash

from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.types import utcnow
from tests.e2e.test_accessibility import AXE, _run_axe
from tests.e2e.test_join_flow import page_width, sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
EMAIL = "dr.okafor@example.org"
PASSWORD = "a long walk on the river path"  # nosec B105 (a test member's)


def call_me(base: str, secret: str) -> tuple[int, dict]:
    """GET /api/v1/me as a script would: over HTTP, with the token and nothing else (no cookie)."""
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=10)
    try:
        connection.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_member_makes_copies_uses_and_revokes_a_token_on_a_phone(browser: Browser, live_server, screenshots):
    base = live_server.url
    with live_server.app.app_context():
        member = User(email=EMAIL, name="Dr. Amara Okafor", role=Role.FELLOW, status=MemberStatus.VERIFIED,
                      password_hash=generate_password_hash(PASSWORD), email_confirmed_at=utcnow(),
                      verified_at=utcnow())
        db.session.add(member)
        db.session.commit()
        member_id = member.id
    # Reduced motion: axe reads the Copy button's colours as they are, not halfway through its hover transition.
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True,
                                  permissions=["clipboard-read", "clipboard-write"], reduced_motion="reduce")
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    sign_in(page, base, EMAIL, PASSWORD)
    page.goto(f"{base}/auth/account")

    section = page.locator("#api-tokens")
    expect(section.get_by_text("You have no API tokens.")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("^roster"))).to_have_count(0)  # not program staff
    section.get_by_label("Name").fill("Calendar sync")
    page.get_by_role("checkbox", name=re.compile("^read")).check()
    section.get_by_label("Expires after").select_option("30")
    section.get_by_role("button", name="Create the token").click()

    # Shown once, in a read-only field with a Copy button, the page fitting the phone.
    field = page.get_by_label(re.compile("you will not see it again"))
    expect(field).to_be_visible()
    expect(field).to_have_attribute("readonly", "")
    expect(field).to_be_focused()
    secret = field.input_value()
    assert re.fullmatch(r"fn_[A-Za-z0-9_-]{43}", secret)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == secret
    assert page_width(page) <= PHONE["width"]
    assert _run_axe(page) == []
    page.screenshot(path=screenshots / "api-token-created-phone.png", full_page=True)

    status, body = call_me(base, copied)
    assert status == 200 and body["id"] == member_id and body["token"]["name"] == "Calendar sync"
    assert body["token"]["scopes"] == ["read"]

    # The page never shows it again; the token is listed, used.
    page.reload()
    expect(page.locator("#new-api-token")).to_have_count(0)
    assert secret not in page.content()
    row = section.get_by_role("listitem").filter(has_text="Calendar sync")
    expect(row).to_contain_text("last used")

    row.get_by_role("button", name="Revoke Calendar sync").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke the token “Calendar sync”?")
    assert page_width(page) <= PHONE["width"]
    assert _run_axe(page) == []
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.get_by_text("The token “Calendar sync” is revoked.")).to_be_visible()
    expect(section.get_by_text("You have no API tokens.")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    assert _run_axe(page) == []

    status, body = call_me(base, copied)
    assert status == 401 and body["status"] == 401 and "revoked" in body["detail"]
    context.close()
