"""A member who signs in through their institution has no password: a recent sign-in confirms what a
password would (deleting the account, turning two-step sign-in off, new recovery codes)."""

from __future__ import annotations

import re

import pyotp
import time_machine
from sqlalchemy import func, select

from network.auth import two_factor
from network.auth.models import TwoFactor
from network.extensions import db
from network.identity.models import LinkedIdentity
from network.members.models import User
from network.types import utcnow
from tests.identity.conftest import through_provider

FELLOWS = {"role_claim": "r", "role_map": {"f": "fellow"}, "verifies_members": True}
EMAIL = "ada@northbridge.org"


def member(app) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == EMAIL))


def csrf(page: str) -> str:
    """The page's CSRF token (none where the test app has CSRF off)."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return found.group(1) if found else ""


def test_a_member_without_a_password_deletes_their_account_after_a_recent_sign_in(app, client, make_provider):
    make_provider(**FELLOWS)
    through_provider(client, claims={"r": "f"})
    page = client.get("/members/me/delete").get_data(as_text=True)
    assert 'type="password"' not in page and "Delete my account" in page
    response = client.post("/members/me/delete", data={"csrf_token": csrf(page)})
    assert response.status_code == 302
    assert member(app) is None


def test_a_sign_in_too_old_does_not_confirm_and_says_how_to(app, client, make_provider):
    make_provider(**FELLOWS)
    with time_machine.travel(utcnow().timestamp() - 11 * 60):
        through_provider(client, claims={"r": "f"})
    page = client.get("/members/me/delete").get_data(as_text=True)
    response = client.post("/members/me/delete", data={"csrf_token": csrf(page)})
    assert response.status_code == 400
    assert "sign in again with your institution" in response.get_data(as_text=True)
    assert member(app) is not None


def test_a_member_without_a_password_turns_two_step_off_with_a_code_after_a_recent_sign_in(app, client,
                                                                                          make_provider):
    make_provider(**FELLOWS)
    through_provider(client, claims={"r": "f"})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        two_factor.start_enrolment(user)
        secret = two_factor.pending_secret(user.id)
        db.session.get(TwoFactor, user.id).enabled_at = utcnow()
        db.session.commit()
    client.post("/auth/logout")
    with time_machine.travel(utcnow().timestamp() - 11 * 60):  # the institution's second step stands for ours
        through_provider(client, claims={"r": "f"}, mfa=True)
    page = client.get("/auth/account/two-factor").get_data(as_text=True)
    assert 'name="disable-password"' not in page and 'name="disable-code"' in page
    late = client.post("/auth/account/two-factor/disable",
                       data={"csrf_token": csrf(page), "disable-code": pyotp.TOTP(secret).now()})
    assert late.status_code == 400 and "sign in again with your institution" in late.get_data(as_text=True)
    client.post("/auth/logout")
    through_provider(client, claims={"r": "f"}, mfa=True)
    page = client.get("/auth/account/two-factor").get_data(as_text=True)
    response = client.post("/auth/account/two-factor/disable",
                           data={"csrf_token": csrf(page), "disable-code": pyotp.TOTP(secret).now()})
    assert response.status_code in (200, 302)
    with app.app_context():
        assert not two_factor.is_enabled(member(app).id)


def test_a_deleted_account_takes_its_linked_identities_with_it(app, client, make_provider):
    make_provider(**FELLOWS)
    through_provider(client, claims={"r": "f"})
    with app.app_context():
        user_id = member(app).id
        assert db.session.scalar(select(func.count()).select_from(LinkedIdentity)
                                 .where(LinkedIdentity.user_id == user_id)) == 1
    page = client.get("/members/me/delete").get_data(as_text=True)
    assert client.post("/members/me/delete", data={"csrf_token": csrf(page)}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LinkedIdentity)) == 0
        assert db.session.get(User, user_id).deleted_at is not None
