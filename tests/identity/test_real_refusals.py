"""Each refused sign-in through our real routes and the real local providers: a clear page with the right
status and a way back, an audit entry with the provider's slug and the reason, nobody signed in or made, and
nothing the provider sent (code, state, ID token, SAMLResponse) nor the client secret in the audit log, the
page or our logs. Also our SAML service provider's metadata, served without a login."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.etree import ElementTree  # nosec B405: our own metadata, parsed to read two addresses

import pytest
import requests
from sqlalchemy import update

from network.extensions import db
from network.identity.models import IdentityProvider
from network.members.models import MemberSession, User
from tests.identity.conftest import repost_fields
from tests.identity.oidc_provider import CLIENT_SECRET
from tests.identity.real_sign_in import (
    add_oidc_provider,
    add_saml_provider,
    at_oidc_mock,
    at_saml_idp,
    at_scripted,
    audit,
    audit_text,
    count,
    our_path,
    return_url,
    saml_sign_in,
    served,
    start,
)

MD = "urn:oasis:names:tc:SAML:2.0:metadata"


@pytest.fixture
def site(app):
    with served(app):
        yield app


def assert_refused(app, response, status: int, slug: str, reason: str, words: str, *secrets: str) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert words in text and 'href="/auth/login"' in text and "<h1" in text
    assert audit(app, "identity.refused") == [{"provider": slug, "reason": reason}]
    assert count(app, User) == 0 and count(app, MemberSession) == 0
    for secret in (CLIENT_SECRET, *secrets):
        assert secret and secret not in text and secret not in audit_text(app)


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode({**query(url), **changes})}"


# -- OpenID Connect: what the scripted provider gets wrong on purpose -------------------------------------

@pytest.mark.parametrize(("flaw", "reason", "words"), [
    ("nonce", "nonce", "This sign-in answer belongs to another sign-in"),
    ("expired", "expired", "has expired"),
    ("other-key", "signature", "was not signed with its own key"),
    ("audience", "audience", "was meant for another site"),
])
def test_an_id_token_that_must_not_be_trusted_is_refused(site, client, scripted_oidc_provider, caplog, flaw, reason,
                                                         words):
    app = site
    add_oidc_provider(app, scripted_oidc_provider, verifies_members=True)
    scripted_oidc_provider.flaw = flaw
    back = at_scripted(start(client, "northbridge"))
    response = client.get(our_path(app, "northbridge", back))
    sent = query(back)
    assert_refused(app, response, 400, "northbridge", reason, words, sent["code"], sent["state"])
    assert sent["code"] not in caplog.text and CLIENT_SECRET not in caplog.text
    assert scripted_oidc_provider.token_requests, "the refusal came after the ID token was fetched"


def test_a_wrong_state_is_refused_before_the_code_is_used(site, client, scripted_oidc_provider):
    app = site
    add_oidc_provider(app, scripted_oidc_provider, verifies_members=True)
    back = at_scripted(start(client, "northbridge"))
    forged = with_query(back, state="a-state-from-another-browser")
    response = client.get(our_path(app, "northbridge", forged))
    assert_refused(app, response, 400, "northbridge", "state", "was not started here", query(back)["code"])
    assert scripted_oidc_provider.token_requests == []


def test_an_oidc_email_outside_the_allowed_domains_is_refused(site, client, oidc_mock_provider):
    app = site
    oidc_mock_provider.add_person("eve-1", email="eve@gmail.example", email_verified=True, name="Eve")
    add_oidc_provider(app, oidc_mock_provider, email_domains="northbridge.org", verifies_members=True,
                      role_claim="groups", role_map={"fellows": "fellow"})
    back = at_oidc_mock(start(client, "northbridge"), "eve-1")
    response = client.get(our_path(app, "northbridge", back))
    assert_refused(app, response, 403, "northbridge", "domain", "only addresses at northbridge.org",
                   query(back)["code"])


def test_an_oidc_provider_turned_off_mid_flow_is_refused(site, client, oidc_mock_provider):
    app = site
    oidc_mock_provider.add_person("grace-1906", email="grace@northbridge.org", email_verified=True)
    provider_id = add_oidc_provider(app, oidc_mock_provider, verifies_members=True, role_claim="groups")
    back = at_oidc_mock(start(client, "northbridge"), "grace-1906")
    turn_off(app, provider_id)
    response = client.get(our_path(app, "northbridge", back))
    assert_refused(app, response, 400, "northbridge", "disabled", "Sign-in through Northbridge Health is turned off",
                   query(back)["code"])


def test_a_person_who_clicks_deny_at_the_provider_is_refused(site, client, oidc_mock_provider):
    app = site
    add_oidc_provider(app, oidc_mock_provider, verifies_members=True)
    url = start(client, "northbridge")
    back = requests.post(url, data={"action": "deny"}, allow_redirects=False, timeout=10).headers["Location"]
    response = client.get(our_path(app, "northbridge", back))
    assert_refused(app, response, 400, "northbridge", "denied", "Northbridge Health did not sign you in",
                   query(url)["state"])


def turn_off(app, provider_id: int) -> None:
    with app.app_context():
        db.session.execute(update(IdentityProvider).where(IdentityProvider.id == provider_id).values(enabled=False))
        db.session.commit()


# -- SAML ------------------------------------------------------------------------------------------------

def test_an_unsigned_saml_assertion_is_refused(site, client, saml_idp_server, caplog):
    app = site
    add_saml_provider(app, saml_idp_server, verifies_members=True)
    saml_idp_server.variant = "unsigned"
    response, fields = saml_sign_in(app, client, person="ben")
    assert_refused(app, response, 400, "northbridge-saml", "unsigned", "answer was not signed",
                   fields["SAMLResponse"], assertion_id(fields))
    assert fields["SAMLResponse"] not in caplog.text and assertion_id(fields) not in caplog.text


def test_a_replayed_saml_assertion_is_refused(site, client, saml_idp_server):
    """The same SAMLResponse posted twice: in the same browser its sign-in is over; replayed together with the
    session cookie it was first posted with (captured with it), only the record of used assertions stops it."""
    app = site
    add_saml_provider(app, saml_idp_server, verifies_members=True, role_claim="eduPersonAffiliation",
                      role_map={"student": "fellow"})
    action, fields = at_saml_idp(start(client, "northbridge-saml"), "ben")
    path = our_path(app, "northbridge-saml", action)
    cookie = client.get_cookie("fn_session").value
    assert client.post(path, data=fields).headers["Location"] == "/"
    client.post("/auth/logout")
    again = client.post(path, data=fields)  # no sign-in started: our page posts it again, then it is refused
    assert again.status_code == 200 and b"Continue" in again.data
    again = client.post(path, data=repost_fields(again.get_data(as_text=True)))
    assert again.status_code == 400 and b"Please start again" in again.data
    assert audit(app, "identity.refused") == [{"provider": "northbridge-saml", "reason": "state-missing"}]
    replayer = app.test_client()
    replayer.set_cookie("fn_session", cookie)
    replayed = replayer.post(path, data=fields)
    text = replayed.get_data(as_text=True)
    assert replayed.status_code == 400 and "already used" in text and 'href="/auth/login"' in text
    assert audit(app, "identity.refused")[-1] == {"provider": "northbridge-saml", "reason": "replay"}
    assert replayer.get("/auth/account").status_code == 302  # nobody signed in
    assert fields["SAMLResponse"] not in text and assertion_id(fields) not in audit_text(app)


def test_a_saml_email_outside_the_allowed_domains_is_refused(site, client, saml_idp_server):
    app = site
    add_saml_provider(app, saml_idp_server, email_domains="northbridge.edu", verifies_members=True,
                      role_claim="eduPersonAffiliation", role_map={"student": "fellow"})
    response, fields = saml_sign_in(app, client, person="ben")
    assert_refused(app, response, 403, "northbridge-saml", "domain", "only addresses at northbridge.edu",
                   fields["SAMLResponse"], assertion_id(fields))


def test_a_saml_provider_turned_off_mid_flow_is_refused(site, client, saml_idp_server):
    app = site
    provider_id = add_saml_provider(app, saml_idp_server, verifies_members=True,
                                    role_claim="eduPersonAffiliation", role_map={"student": "fellow"})
    action, fields = at_saml_idp(start(client, "northbridge-saml"), "ben")
    turn_off(app, provider_id)
    response = client.post(our_path(app, "northbridge-saml", action), data=fields)
    assert_refused(app, response, 400, "northbridge-saml", "disabled",
                   "Sign-in through Northbridge University is turned off", fields["SAMLResponse"])


def test_a_new_person_whose_institution_releases_no_email_is_refused_before_any_question(site, client,
                                                                                         saml_idp_server):
    app = site
    add_saml_provider(app, saml_idp_server, verifies_members=True)  # no role mapping: a role would be asked
    response, fields = saml_sign_in(app, client, person="cy")
    assert_refused(app, response, 400, "northbridge-saml", "no-email", "did not tell us your email address",
                   fields["SAMLResponse"], assertion_id(fields))
    assert client.get("/auth/login/new-member").headers["Location"] == "/auth/login"  # nothing waits


def assertion_id(fields: dict) -> str:
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    return re.search(r'<(?:\w+:)?Assertion [^>]*ID="([^"]+)"', xml).group(1)


# -- 6. our SAML service provider's metadata -------------------------------------------------------------

def test_our_saml_metadata_is_served_without_a_login_and_names_our_addresses(site, saml_idp_server):
    app = site
    add_saml_provider(app, saml_idp_server)
    url = f"{app.config['PUBLIC_URL']}/auth/login/with/northbridge-saml/metadata"
    response = requests.get(url, timeout=10, allow_redirects=False)  # no cookie: nobody signed in
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/samlmetadata+xml")
    root = ElementTree.fromstring(response.text)  # noqa: S314  # nosec B314: our own metadata
    assert root.tag == f"{{{MD}}}EntityDescriptor" and root.get("entityID") == url
    [acs] = root.iter(f"{{{MD}}}AssertionConsumerService")
    assert acs.get("Location") == return_url(app, "northbridge-saml")
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
