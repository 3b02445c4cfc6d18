"""Rejecting a registration, on a phone and with the keyboard alone: the Reject link leads to a page that
says who and what will happen and asks for a reason; without one nothing happens; with one the person is
rejected and mailed the reason."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from network.auth.services import register_member
from network.extensions import db
from network.members.models import MemberStatus, Role, User

pytestmark = pytest.mark.e2e

ADMIN_EMAIL = "chief@example.org"
ADMIN_PASSWORD = "chief admin passphrase 2026"


def test_rejecting_asks_for_a_reason_on_a_phone(browser, live_server, smtp, screenshots):
    base = live_server.url
    app = live_server.app
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-admin", ADMIN_EMAIL, "--password", ADMIN_PASSWORD]).exit_code == 0
    with app.app_context():
        register_member("Dr. Unknown Applicant", "applicant@example.org", "nerve blocks before breakfast",
                        Role.ALUMNI, program_name="Somewhere Unheard Of", graduation_year=2015)
        db.session.commit()
    assert "sent 1" in runner.invoke(args=["outbox", "send"]).output  # the confirmation mail

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.goto(f"{base}/admin/members/pending")
    row = page.get_by_role("row", name=re.compile("Dr. Unknown Applicant"))
    expect(row).to_contain_text("Alumni, finished in 2015")
    expect(row).to_contain_text("Not listed: Somewhere Unheard Of")
    reject = page.get_by_role("link", name="Reject… Dr. Unknown Applicant")
    reject.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Reject the registration of Dr. Unknown Applicant?")
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    page.screenshot(path=screenshots / "reject-1-confirm.png", full_page=True)
    button = page.get_by_role("button", name="Reject the registration")
    button.focus()
    page.keyboard.press("Enter")  # no reason yet
    expect(page.get_by_text("Write why the registration is rejected")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(select(User.status).where(User.email == "applicant@example.org")) == \
            MemberStatus.PENDING

    reason = page.get_by_label("Reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    reason.fill("We could not find you on the roster of a program of the network.")
    # The button fits the phone's width: nothing to scroll sideways to reach it.
    box = page.get_by_role("button", name="Reject the registration").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.get_by_role("button", name="Reject the registration").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("was rejected; they were mailed your reason")).to_be_visible()
    page.screenshot(path=screenshots / "reject-2-done.png", full_page=True)
    context.close()

    assert "sent 1" in runner.invoke(args=["outbox", "send"]).output
    message = smtp.wait_for(lambda m: m["To"] == "applicant@example.org"
                            and m["Subject"] == "Your Fellowship Network registration")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "We could not find you on the roster of a program of the network." in text
