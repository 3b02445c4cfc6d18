"""Every refused sign-in shows a clear page with the right status and a way back, and leaves an audit entry
with the provider's slug and the reason code, never what the provider sent."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from network.audit.models import AuditLog
from network.extensions import db
from network.identity.models import IdentityProvider
from network.members.models import MemberDeactivation, MemberStatus, User
from tests.identity.conftest import at_provider, person, repost_fields, start, through_provider


def refusals(app):
    with app.app_context():
        return [(e.details, e.target_id) for e in db.session.scalars(
            select(AuditLog).where(AuditLog.action == "identity.refused").order_by(AuditLog.id))]


def assert_refused(app, response, status, reason, words):
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert words in text and 'href="/auth/login"' in text and "<h1" in text
    [(details, _)] = refusals(app)
    assert details == {"provider": "northbridge", "reason": reason}


def nobody(app):
    with app.app_context():
        return db.session.scalars(select(User)).all() == []


@pytest.mark.parametrize("reason", ["signature", "nonce", "audience", "expired", "replay"])
def test_a_refusal_from_the_protocol(app, client, make_provider, reason):
    make_provider(verifies_members=True, role_claim="r", role_map={"f": "fellow"})
    response = through_provider(client, refuse=reason, code="secret-code-123", claims={"r": "f"})
    assert_refused(app, response, 400, reason, "The stand-in provider refused this answer.")
    assert nobody(app)
    with app.app_context():
        # Nothing the provider sent reaches the audit log.
        assert "secret-code-123" not in str(db.session.scalars(select(AuditLog.details)).all())


def test_a_wrong_state(app, client, make_provider):
    make_provider()
    authorize = start(client).replace("state=", "state=x")
    method, path, _ = at_provider(authorize, person())
    assert_refused(app, client.get(path), 400, "state", "does not belong to a sign-in started here")


def test_an_answer_with_no_sign_in_started(app, client, make_provider):
    make_provider()
    response = client.get("/auth/login/with/northbridge/return?state=abc&sub=x")
    assert_refused(app, response, 400, "state-missing", "Please start again")


def test_an_answer_used_twice(app, client, make_provider):
    make_provider(verifies_members=True, role_claim="r", role_map={"f": "fellow"})
    method, path, _ = at_provider(start(client), person(claims={"r": "f"}))
    assert client.get(path).status_code == 302
    client.post("/auth/logout")
    assert_refused(app, client.get(path), 400, "state-missing", "Please start again")


def test_an_email_outside_the_providers_domains(app, client, make_provider):
    make_provider(email_domains="northbridge.org nbh.example", verifies_members=True, role_claim="r",
                  role_map={"f": "fellow"})
    response = through_provider(client, email="ada@gmail.example", claims={"r": "f"})
    text = response.get_data(as_text=True)
    assert response.status_code == 403 and "only addresses at northbridge.org, nbh.example" in text
    assert refusals(app)[0][0] == {"provider": "northbridge", "reason": "domain"}
    # The allowed domains work.
    assert through_provider(app.test_client(), sub="nb-2", email="bo@nbh.example", claims={"r": "f"}).status_code == 302


def test_a_deactivated_member(app, client, make_user, make_provider):
    make_provider(verifies_members=True, role_claim="r", role_map={"f": "fellow"})
    through_provider(client, claims={"r": "f"})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ada@northbridge.org"))
        db.session.add(MemberDeactivation(user_id=user.id, previous_status="verified"))
        user.status = MemberStatus.REJECTED
        db.session.commit()
    response = through_provider(app.test_client(), claims={"r": "f"})
    assert_refused(app, response, 403, "deactivated", "deactivated by the site administrators")


def test_a_provider_turned_off_while_the_person_was_away(app, client, make_provider):
    provider_id = make_provider(verifies_members=True, role_claim="r", role_map={"f": "fellow"})
    method, path, _ = at_provider(start(client), person(claims={"r": "f"}))
    with app.app_context():
        db.session.execute(update(IdentityProvider).where(IdentityProvider.id == provider_id).values(enabled=False))
        db.session.commit()
    response = client.get(path)
    assert_refused(app, response, 400, "disabled", "Sign-in through Northbridge Health is turned off")
    assert refusals(app)[0][1] == provider_id and nobody(app)


def test_a_provider_turned_off_before_the_role_was_chosen(app, client, make_provider):
    provider_id = make_provider(verifies_members=True)
    assert through_provider(client).headers["Location"] == "/auth/login/new-member"
    with app.app_context():
        db.session.execute(update(IdentityProvider).where(IdentityProvider.id == provider_id).values(enabled=False))
        db.session.commit()
    assert_refused(app, client.post("/auth/login/new-member", data={"role": "fellow"}), 400, "disabled",
                   "turned off")


def test_unknown_and_disabled_providers_have_no_start(app, client, make_provider):
    make_provider(slug="off", enabled=False)
    assert client.get("/auth/login/with/nowhere").status_code == 404
    assert client.get("/auth/login/with/off").status_code == 404
    assert client.get("/auth/login/with/nowhere/return").status_code == 404


# -- the answer posted across sites ---------------------------------------------------------------------------


def test_a_cross_site_post_is_posted_again_from_our_page(app, client, make_provider):
    make_provider(verifies_members=True, role_claim="r", role_map={"f": "fellow"})
    method, path, fields = at_provider(start(client), person(claims={"r": "f"}), post=True)
    assert method == "POST"
    # The browser does not send the SameSite=Lax cookie with the provider's POST: a client without it.
    bare = app.test_client()
    page = bare.post(path, data=fields)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Continue" in text and f'action="{path}"' in text
    assert 'src="/static/js/repost.js"' in text and "<script>" not in text  # no inline script (the CSP)
    assert "Set-Cookie" not in page.headers  # the browser's own session cookie is left alone
    again = repost_fields(text)
    assert again == {**fields, "_reposted": "1"}
    # Our page posts the same fields from our own origin, so the cookie comes along.
    done = client.post(path, data=again)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/auth/account").status_code == 200
    assert refusals(app) == []


def test_a_reposted_answer_that_still_has_no_state_is_refused(app, make_provider):
    make_provider()
    response = app.test_client().post("/auth/login/with/northbridge/return", data={"state": "x", "_reposted": "1"})
    assert_refused(app, response, 400, "state-missing", "Please start again")


# -- rate limits ------------------------------------------------------------------------------------------------


def test_only_refused_answers_count_against_the_limit(app, client, make_provider):
    make_provider(verifies_members=True, role_claim="r", role_map={"f": "fellow"})
    for n in range(12):  # more than LOGIN_RATE_LIMIT's 10 a minute: one hospital's people, one address
        assert through_provider(app.test_client(), sub=f"nb-{n}", email=f"p{n}@northbridge.org",
                                claims={"r": "f"}).status_code == 302
    for _ in range(10):
        assert client.get("/auth/login/with/northbridge/return?state=x").status_code == 400
    assert client.get("/auth/login/with/northbridge/return?state=x").status_code == 429


def test_password_guesses_at_the_proof_are_limited(app, client, make_user, make_provider):
    make_user(email="ada@northbridge.org")
    make_provider()
    through_provider(client)
    for _ in range(10):
        assert client.post("/auth/login/link-account", data={"password": "a guess"}).status_code == 400
    assert client.post("/auth/login/link-account", data={"password": "a guess"}).status_code == 429
