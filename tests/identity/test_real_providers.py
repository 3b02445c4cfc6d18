"""Issue #21's journeys through our real routes with the real local providers (oidc-provider-mock, and
pysaml2's IdP served on 127.0.0.1): a first sign-in makes a member in the provider's program and a second
signs the same member in; a provider of the other kind links to that member only after proof; a member with
a password still gets in once the provider is turned off and removed; multi-factor authentication at the
provider stands in for our second step. The refusals are in ``test_real_refusals.py``."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import delete

from network.config import Config
from network.extensions import db
from network.identity.models import IdentityProvider, LinkedIdentity
from network.members.models import NO_PASSWORD, MemberStatus, Role, User
from tests.identity.real_sign_in import (
    add_oidc_provider,
    add_saml_provider,
    at_saml_idp,
    audit,
    count,
    identities,
    live_sessions,
    member,
    oidc_sign_in,
    our_path,
    saml_sign_in,
    served,
)
from tests.test_programs import make_program

FELLOWS = {"role_claim": "groups", "role_map": {"fellows": "fellow", "staff": "faculty"}}
AFFILIATION = {"role_claim": "eduPersonAffiliation", "role_map": {"faculty": "faculty", "student": "fellow"}}
SAML_ADA = "ada.lovelace@northbridge.org"  # the IdP releases "Ada.Lovelace@northbridge.org"


@pytest.fixture
def site(app):
    """The app served on 127.0.0.1 (the SAML IdP fetches our metadata from it), PUBLIC_URL its address."""
    with served(app):
        yield app


def signed_in_and_listed(client, user_id, app) -> None:
    """The client holds a normal member session: pages open, and the account page lists it as this device."""
    assert client.get("/").status_code == 200
    page = client.get("/auth/account")
    assert page.status_code == 200 and b"This device" in page.data
    assert live_sessions(app, user_id) == 1


# -- 1. a first sign-in makes a member; the second signs the same member in -----------------------------------

@pytest.mark.parametrize("vouches", [True, False], ids=["verified", "pending"])
def test_oidc_first_sign_in_makes_a_member_in_the_program_and_the_second_signs_them_in(
        site, make_user, oidc_mock_provider, vouches):
    app = site
    program = make_program(app, make_user)
    oidc_mock_provider.add_person("grace-1906", email="grace@northbridge.org", email_verified=True,
                                  name="Grace Hopper", groups=["fellows"])
    add_oidc_provider(app, oidc_mock_provider, program_id=program["program"], verifies_members=vouches, **FELLOWS)
    client = app.test_client()
    first = oidc_sign_in(app, client, oidc_mock_provider, "grace-1906")
    assert first.status_code == 302 and first.headers["Location"] == "/", first.get_data(as_text=True)
    grace = member(app, "grace@northbridge.org")
    assert grace.name == "Grace Hopper" and grace.role == Role.FELLOW and grace.email_confirmed
    assert grace.status == (MemberStatus.VERIFIED if vouches else MemberStatus.PENDING)
    assert grace.password_hash == NO_PASSWORD
    with app.app_context():
        assert db.session.get(User, grace.id).registration.program_id == program["program"]
    assert identities(app, grace.id) == [("northbridge", "grace-1906")]
    if vouches:
        signed_in_and_listed(client, grace.id, app)
    else:
        assert client.get("/").headers["Location"] == "/pending"
        assert client.get("/auth/account").status_code == 200 and live_sessions(app, grace.id) == 1
    # Signed out, then in again: the same member, no second account, a new session.
    client.post("/auth/logout")
    assert live_sessions(app, grace.id) == 0
    again = oidc_sign_in(app, client, oidc_mock_provider, "grace-1906")
    assert again.headers["Location"] == "/"
    assert count(app, User, email="grace@northbridge.org") == 1 and live_sessions(app, grace.id) == 1
    assert [e["provider"] for e in audit(app, "identity.join")] == ["northbridge"]


@pytest.mark.parametrize("vouches", [True, False], ids=["verified", "pending"])
def test_saml_first_sign_in_makes_a_member_in_the_program_and_the_second_signs_them_in(
        site, make_user, saml_idp_server, vouches):
    app = site
    program = make_program(app, make_user)
    add_saml_provider(app, saml_idp_server, program_id=program["program"], verifies_members=vouches, **AFFILIATION)
    client = app.test_client()
    first, _ = saml_sign_in(app, client, person="ben")
    assert first.status_code == 302 and first.headers["Location"] == "/", first.get_data(as_text=True)
    ben = member(app, "ben.okafor@northbridge.org")
    assert ben.name == "Ben Okafor" and ben.role == Role.FELLOW and ben.email_confirmed
    assert ben.status == (MemberStatus.VERIFIED if vouches else MemberStatus.PENDING)
    with app.app_context():
        assert db.session.get(User, ben.id).registration.program_id == program["program"]
    assert identities(app, ben.id) == [("northbridge-saml", "nb-1c09d4")]
    if vouches:
        signed_in_and_listed(client, ben.id, app)
    else:
        assert client.get("/").headers["Location"] == "/pending"
        assert live_sessions(app, ben.id) == 1
    client.post("/auth/logout")
    again, _ = saml_sign_in(app, client, person="ben")
    assert again.headers["Location"] == "/"
    assert count(app, User, email="ben.okafor@northbridge.org") == 1 and live_sessions(app, ben.id) == 1


# -- 2. a provider of the other kind links to the same member only after proof -----------------------------

def test_each_kind_links_to_an_existing_member_only_after_the_password(site, make_user, oidc_mock_provider,
                                                                      saml_idp_server):
    app = site
    ada = make_user(role="faculty", email=SAML_ADA)
    oidc_mock_provider.add_person("ada-oidc", email=SAML_ADA, email_verified=True, name="Ada Lovelace")
    add_oidc_provider(app, oidc_mock_provider)
    add_saml_provider(app, saml_idp_server)
    users = count(app, User)
    client = app.test_client()
    for sign_in, slug, subject in (
            (lambda: oidc_sign_in(app, client, oidc_mock_provider, "ada-oidc"), "northbridge", "ada-oidc"),
            (lambda: saml_sign_in(app, client, person="ada")[0], "northbridge-saml", "nb-7f3e21")):
        linked_before = identities(app, ada.id)
        answer = sign_in()
        # The email matches Ada's account: nothing is linked, nobody is made, nobody is signed in.
        assert answer.headers["Location"] == "/auth/login/link-account", answer.get_data(as_text=True)
        assert identities(app, ada.id) == linked_before and count(app, User) == users
        assert client.get("/auth/account").status_code == 302
        wrong = client.post("/auth/login/link-account", data={"password": "not her password"})
        assert wrong.status_code == 400 and identities(app, ada.id) == linked_before
        right = client.post("/auth/login/link-account", data={"password": ada.password})
        assert right.headers["Location"] == "/"
        assert (slug, subject) in identities(app, ada.id)
        assert client.get("/auth/account").status_code == 200
        client.post("/auth/logout")
    assert identities(app, ada.id) == [("northbridge", "ada-oidc"), ("northbridge-saml", "nb-7f3e21")]
    assert audit(app, "identity.link") == [{"provider": "northbridge", "how": "password"},
                                           {"provider": "northbridge-saml", "how": "password"}]
    # From now on each signs Ada in directly.
    assert oidc_sign_in(app, client, oidc_mock_provider, "ada-oidc").headers["Location"] == "/"
    client.post("/auth/logout")
    assert saml_sign_in(app, client, person="ada")[0].headers["Location"] == "/"
    assert count(app, User) == users


def test_a_signed_in_member_links_the_other_kind_from_the_account_page_then_unlinks_the_first(
        site, oidc_mock_provider, saml_idp_server):
    app = site
    oidc_mock_provider.add_person("ada-oidc", email=SAML_ADA, email_verified=True, name="Ada Lovelace",
                                  groups=["staff"])
    add_oidc_provider(app, oidc_mock_provider, verifies_members=True, **FELLOWS)
    add_saml_provider(app, saml_idp_server)
    client = app.test_client()
    assert oidc_sign_in(app, client, oidc_mock_provider, "ada-oidc").headers["Location"] == "/"
    ada = member(app, SAML_ADA)
    assert "Link Northbridge University" in client.get("/auth/account").get_data(as_text=True)
    # Signed in is the proof: the account page's button, the IdP, and back.
    off = client.post("/auth/account/sign-in-methods/northbridge-saml/link")
    assert off.status_code == 200  # our page that moves on to the IdP (a redirect would break form-action 'self')
    onward = html.unescape(re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', off.text).group(1))
    action, fields = at_saml_idp(onward, "ada")
    back = client.post(our_path(app, "northbridge-saml", action), data=fields)
    assert back.headers["Location"] == "/auth/account", back.get_data(as_text=True)
    assert identities(app, ada.id) == [("northbridge", "ada-oidc"), ("northbridge-saml", "nb-7f3e21")]
    assert audit(app, "identity.link")[-1] == {"provider": "northbridge-saml", "how": "signed-in"}
    # The SAML identity remains a way in, so the first may go; then SAML signs the same member in.
    with app.app_context():
        first = db.session.scalar(db.select(LinkedIdentity.id).where(LinkedIdentity.subject == "ada-oidc"))
    assert client.post(f"/auth/account/sign-in-methods/{first}/unlink").headers["Location"].startswith(
        "/auth/account")
    assert identities(app, ada.id) == [("northbridge-saml", "nb-7f3e21")]
    client.post("/auth/logout")
    assert saml_sign_in(app, client, person="ada")[0].headers["Location"] == "/"
    signed_in_and_listed(client, ada.id, app)


# -- 3. a member with a password gets in once the provider is turned off, then removed ------------------------

@pytest.mark.parametrize("kind", ["oidc", "saml"])
def test_a_member_with_a_password_signs_in_after_the_provider_is_turned_off_and_removed(
        site, make_user, login, oidc_mock_provider, saml_idp_server, kind):
    app = site
    admin = app.test_client()
    login(admin, make_user(role="admin"))
    if kind == "oidc":
        oidc_mock_provider.add_person("grace-1906", email="grace@northbridge.org", email_verified=True,
                                      name="Grace Hopper", groups=["fellows"])
        provider_id = add_oidc_provider(app, oidc_mock_provider, verifies_members=True, **FELLOWS)
        slug, name, email = "northbridge", "Northbridge Health", "grace@northbridge.org"
        assert oidc_sign_in(app, app.test_client(), oidc_mock_provider, "grace-1906").status_code == 302
    else:
        provider_id = add_saml_provider(app, saml_idp_server, verifies_members=True, **AFFILIATION)
        slug, name, email = "northbridge-saml", "Northbridge University", "ben.okafor@northbridge.org"
        assert saml_sign_in(app, app.test_client(), person="ben")[0].status_code == 302
    with app.app_context():
        db.session.scalar(db.select(User).where(User.email == email)).set_password("a long alumni password 2026")
        db.session.commit()
    client = app.test_client()
    assert f"Sign in with {name}" in client.get("/auth/login").get_data(as_text=True)
    # Turned off by an admin: the button goes, its start is gone, the password works.
    off = admin.post(f"/admin/identity-providers/{provider_id}/disable", data={"confirm": "yes"})
    assert off.status_code == 302
    assert name not in client.get("/auth/login").get_data(as_text=True)
    assert client.get(f"/auth/login/with/{slug}").status_code == 404
    signed = client.post("/auth/login", data={"email": email, "password": "a long alumni password 2026"})
    assert signed.headers["Location"] == "/" and client.get("/").status_code == 200
    client.post("/auth/logout")
    # Removed: its identities go with it, and the password still works.
    with app.app_context():
        db.session.execute(delete(IdentityProvider).where(IdentityProvider.id == provider_id))
        db.session.commit()
    assert count(app, LinkedIdentity) == 0
    assert name not in client.get("/auth/login").get_data(as_text=True)
    assert client.get(f"/auth/login/with/{slug}").status_code == 404
    signed = client.post("/auth/login", data={"email": email, "password": "a long alumni password 2026"})
    assert signed.headers["Location"] == "/" and client.get("/").status_code == 200


# -- 5. multi-factor authentication at the provider, for faculty in production's configuration ----------------

@pytest.fixture
def production_two_step(make_app):
    """Production's rule: faculty and administrators sign in with a second step."""
    app = make_app(TWO_FACTOR_REQUIRED_ROLES=Config.TWO_FACTOR_REQUIRED_ROLES)
    assert "faculty" in app.config["TWO_FACTOR_REQUIRED_ROLES"]
    with served(app):
        yield app


@pytest.mark.parametrize("mfa", [True, False], ids=["mfa", "one-factor"])
def test_oidc_amr_mfa_skips_our_second_step_for_faculty(production_two_step, oidc_mock_provider, mfa):
    app = production_two_step
    sub = "prof-mfa" if mfa else "prof-pwd"
    oidc_mock_provider.add_person(sub, email=f"{sub}@northbridge.org", email_verified=True, name="Prof. Hall",
                                  groups=["staff"], amr=["pwd", "mfa"] if mfa else ["pwd"])
    add_oidc_provider(app, oidc_mock_provider, verifies_members=True, **FELLOWS)
    client = app.test_client()
    assert oidc_sign_in(app, client, oidc_mock_provider, sub).headers["Location"] == "/"
    assert member(app, f"{sub}@northbridge.org").role == Role.FACULTY
    for page in ("/", "/auth/account"):
        answer = client.get(page)
        if mfa:
            assert answer.status_code == 200
        else:
            assert answer.headers["Location"] == "/auth/account/two-factor"


@pytest.mark.parametrize("mfa", [True, False], ids=["mfa", "password-only"])
def test_saml_mfa_class_skips_our_second_step_for_faculty(production_two_step, saml_idp_server, mfa):
    app = production_two_step
    add_saml_provider(app, saml_idp_server, verifies_members=True, **AFFILIATION)
    saml_idp_server.variant = "mfa" if mfa else ""
    client = app.test_client()
    assert saml_sign_in(app, client, person="ada")[0].headers["Location"] == "/"
    assert member(app, SAML_ADA).role == Role.FACULTY
    for page in ("/", "/auth/account"):
        answer = client.get(page)
        if mfa:
            assert answer.status_code == 200
        else:
            assert answer.headers["Location"] == "/auth/account/two-factor"
