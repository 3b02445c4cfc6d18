"""A sign-in through a provider starts a session as a password sign-in does, and asks our own second step
unless the provider says the person passed multi-factor authentication."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import select

from network.auth import two_factor
from network.auth.sessions import TWO_FACTOR_DONE
from network.config import Config
from network.extensions import db
from network.identity.models import LinkedIdentity
from network.members.models import MemberSession, User
from tests.identity.conftest import through_provider

STAFF = {"role_claim": "groups", "role_map": {"staff": "faculty"}, "verifies_members": True}


@pytest.fixture
def app(make_app):
    # Production's rule: faculty and administrators sign in with a second step.
    return make_app(TWO_FACTOR_REQUIRED_ROLES=Config.TWO_FACTOR_REQUIRED_ROLES)


def linked_faculty(app, make_user, make_provider, with_two_factor=False):
    make_provider(**STAFF)
    faculty = make_user(role="faculty", email="ada@northbridge.org")
    with app.test_request_context():
        user = db.session.get(User, faculty.id)
        db.session.add(LinkedIdentity(user_id=user.id, provider_id=1, subject="nb-0001"))
        if with_two_factor:
            two_factor.start_enrolment(user)
            two_factor.enable(user, pyotp.TOTP(two_factor.pending_secret(user.id)).now())
        db.session.commit()
    return faculty


def test_the_session_is_new_revocable_and_listed(app, client, make_user, make_provider):
    faculty = linked_faculty(app, make_user, make_provider)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    assert through_provider(client, mfa=True).headers["Location"] == "/"
    with client.session_transaction() as session:
        assert "planted" not in session and session[TWO_FACTOR_DONE] is True
    page = client.get("/auth/account")
    assert page.status_code == 200 and b"This device" in page.data
    with app.app_context():
        [row] = db.session.scalars(select(MemberSession).where(MemberSession.user_id == faculty.id)).all()
        assert row.revoked_at is None
        assert db.session.get(User, faculty.id).last_login_at is not None
        assert db.session.scalar(select(LinkedIdentity.last_used_at)) is not None
    client.post("/auth/logout")
    with app.app_context():
        assert db.session.get(MemberSession, row.id).revoked_at is not None


def test_multi_factor_at_the_provider_skips_our_second_step(app, client, make_user, make_provider):
    linked_faculty(app, make_user, make_provider)
    through_provider(client, mfa=True)
    assert client.get("/").status_code == 200
    assert client.get("/auth/account").status_code == 200


def test_without_it_faculty_must_set_up_two_step_sign_in(app, client, make_user, make_provider):
    linked_faculty(app, make_user, make_provider)
    through_provider(client, mfa=False)
    for page in ("/", "/auth/account"):
        assert client.get(page).headers["Location"] == "/auth/account/two-factor"


def test_a_new_faculty_member_without_it_is_asked_to_set_it_up(app, client, make_provider):
    make_provider(**STAFF)
    through_provider(client, claims={"groups": "staff"})
    assert client.get("/").headers["Location"] == "/auth/account/two-factor"


def test_with_two_step_on_and_no_multi_factor_the_code_is_asked(app, client, make_user, make_provider):
    linked_faculty(app, make_user, make_provider, with_two_factor=True)
    response = through_provider(client, mfa=False, next_url="/auth/account")
    assert response.headers["Location"] == "/auth/login/code"
    assert client.get("/auth/account").headers["Location"].startswith("/auth/login")  # not signed in yet
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ada@northbridge.org"))
        secret = two_factor._secret(two_factor.setting(user.id))
    code = pyotp.TOTP(secret).at(time.time() + 30)
    done = client.post("/auth/login/code", data={"code": code})
    assert done.headers["Location"] == "/auth/account"
    assert client.get("/auth/account").status_code == 200


def test_with_two_step_on_multi_factor_at_the_provider_is_enough(app, client, make_user, make_provider):
    linked_faculty(app, make_user, make_provider, with_two_factor=True)
    assert through_provider(client, mfa=True).headers["Location"] == "/"
    assert client.get("/").status_code == 200
