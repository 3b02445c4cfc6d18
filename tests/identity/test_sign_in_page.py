"""The sign-in page's institution buttons and ``?idp=`` deep links; passwords for members who arrived
through a provider; a member whose provider is gone still gets in; our SAML metadata."""

from __future__ import annotations

import re

from sqlalchemy import delete, select, update

from network.extensions import db
from network.identity.models import IdentityProvider, ProviderKind
from network.members.models import User
from tests.conftest import outbox
from tests.identity.conftest import through_provider

FELLOWS = {"role_claim": "r", "role_map": {"f": "fellow"}, "verifies_members": True}


def buttons(page: str) -> list[str]:
    return re.findall(r'href="/auth/login/with/([\w-]+)[^"]*"[^>]*>Sign in with ([^<]+)<', page)


def test_the_page_has_a_button_per_enabled_provider(app, client, make_provider):
    make_provider(slug="stmary", name="St. Mary's University")
    make_provider()
    make_provider(slug="off", name="Closed Clinic", enabled=False)
    page = client.get("/auth/login").get_data(as_text=True)
    assert buttons(page) == [("northbridge", "Northbridge Health"), ("stmary", "St. Mary&#39;s University")]
    assert '<h2 id="institution-sign-in"' in page and "Or sign in with your institution" in page
    # The page to return to travels with the button.
    page = client.get("/auth/login?next=/opportunities/").get_data(as_text=True)
    assert 'href="/auth/login/with/northbridge?next=/opportunities/"' in page


def test_no_providers_no_section(app, client):
    assert "institution-sign-in" not in client.get("/auth/login").get_data(as_text=True)


def test_a_deep_link_puts_its_provider_first(app, client, make_provider):
    make_provider(slug="stmary", name="St. Mary's University")
    make_provider()
    page = client.get("/auth/login?idp=stmary").get_data(as_text=True)
    assert buttons(page)[0] == ("stmary", "St. Mary&#39;s University")
    assert "<h2 id=\"institution-sign-in\" class=\"h5\">Sign in with St. Mary&#39;s University</h2>" in page
    assert re.search(r'class="btn btn-primary w-100"\s+href="/auth/login/with/stmary"\s*data-autofocus', page)
    assert "Or with your email and password" in page
    # An unknown or turned-off provider in the link is the plain page.
    assert "Or sign in with your institution" in client.get("/auth/login?idp=nowhere").get_data(as_text=True)


def test_the_page_costs_the_same_queries_with_few_or_many_providers(app, client, make_provider, count_queries):
    def cost():
        client.get("/auth/login")
        with count_queries() as statements:
            assert client.get("/auth/login").status_code == 200
        return len(statements)

    for n in range(3):
        make_provider(slug=f"p{n}", name=f"Provider {n}")
    few = cost()
    for n in range(3, 40):
        make_provider(slug=f"p{n}", name=f"Provider {n}")
    assert cost() == few <= 2


def test_password_sign_in_for_a_member_without_one_points_to_the_institution(app, client, make_user, make_provider):
    make_provider(**FELLOWS)
    through_provider(app.test_client(), claims={"r": "f"})
    for password in ("!", "", "anything at all"):
        response = client.post("/auth/login", data={"email": "ada@northbridge.org", "password": password})
        assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "If your account came from your institution&#39;s sign-in, use its button" in text
    assert "set a password with a reset link" in text
    # The same words as for an address with no account: the form tells nobody who has one.
    unknown = client.post("/auth/login", data={"email": "nobody@northbridge.org", "password": "anything at all"})
    assert unknown.get_data(as_text=True).count("institution&#39;s sign-in") == 1


def test_a_member_whose_provider_is_gone_signs_in_with_a_password_or_a_mailed_link(app, client, make_user,
                                                                                   make_provider, login):
    provider_id = make_provider(**FELLOWS)
    make_provider(slug="alumni-idp", name="Old School")
    # Two members from the provider: one set a password later, one never did.
    through_provider(app.test_client(), claims={"r": "f"})
    through_provider(app.test_client(), sub="nb-2", email="bo@northbridge.org", claims={"r": "f"})
    with app.app_context():
        ada = db.session.scalar(select(User).where(User.email == "ada@northbridge.org"))
        ada.set_password("a long alumni password 2026")
        db.session.commit()
    # The institution disabled, then removed.
    with app.app_context():
        db.session.execute(update(IdentityProvider).where(IdentityProvider.id == provider_id).values(enabled=False))
        db.session.commit()
    assert client.get("/auth/login/with/northbridge").status_code == 404
    assert "Northbridge" not in client.get("/auth/login").get_data(as_text=True)
    with app.app_context():
        db.session.execute(delete(IdentityProvider).where(IdentityProvider.id == provider_id))
        db.session.commit()
    signed = client.post("/auth/login", data={"email": "ada@northbridge.org",
                                              "password": "a long alumni password 2026"})
    assert signed.headers["Location"] == "/" and client.get("/").status_code == 200
    # The member with no password asks for the mailed link and sets one.
    other = app.test_client()
    other.post("/auth/reset", data={"email": "bo@northbridge.org"})
    [mail] = [m for m in outbox(app, "password-reset") if m.recipient == "bo@northbridge.org"]
    path = re.search(r"http://[^/\s]+(/auth/reset/[\w.-]+)", mail.text_body).group(1)
    assert other.post(path, data={"password": "bo sets a password at last"}).headers["Location"] == "/auth/login"
    done = other.post("/auth/login", data={"email": "bo@northbridge.org", "password": "bo sets a password at last"})
    assert done.headers["Location"] == "/"
    page = other.get("/auth/account").get_data(as_text=True)
    assert "Change password" in page and "No institution is linked" in page


def test_saml_metadata_is_served_for_saml_providers_only(app, client, make_provider):
    make_provider(slug="school", name="A School", kind=ProviderKind.SAML, enabled=False)
    make_provider()
    response = client.get("/auth/login/with/school/metadata")
    assert response.status_code == 200 and response.mimetype == "application/samlmetadata+xml"
    assert b'Location="http://127.0.0.1:5000/auth/login/with/school/return"' in response.data
    assert client.get("/auth/login/with/northbridge/metadata").status_code == 404
    assert client.get("/auth/login/with/nowhere/metadata").status_code == 404
