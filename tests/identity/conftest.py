"""Fixtures for institutional sign-in: real OpenID providers on 127.0.0.1 (``oidc_provider.py``), and
stand-ins for the protocols where a test is about registering providers, not signing in."""

from __future__ import annotations

import html
import http.client
import re
from urllib.parse import urlencode, urlsplit

import pytest

from network import create_app
from network.extensions import db
from network.identity import discovery, protocols
from network.identity.models import IdentityProvider, ProviderKind
from tests.identity import stand_in
from tests.identity.oidc_provider import CA_BUNDLE, start_mock_provider, start_scripted_provider
from tests.identity.registration_standins import STANDIN_PROTOCOLS
from tests.identity.saml_idp import SamlIdP, start_idp
from tests.servers import free_port


@pytest.fixture(scope="session")
def oidc_mock_provider():
    """oidc-provider-mock, for the whole run: ``add_person(sub, **claims)``, ``authorize(url, sub)``,
    ``deny(url)``, ``identity_provider(**fields)``; its page has ``input[name=sub]`` and Authorize."""
    server = start_mock_provider()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _scripted_oidc_server():
    server = start_scripted_provider()
    yield server
    server.stop()


@pytest.fixture
def scripted_oidc_provider(_scripted_oidc_server):
    """Our scripted provider, with no flaw, its first person and fresh keys; nothing kept about it."""
    _scripted_oidc_server.reset()
    discovery.forget()
    yield _scripted_oidc_server
    discovery.forget()


@pytest.fixture(scope="session")
def _scripted_oidc_https_server():
    server = start_scripted_provider(tls=True)
    yield server
    server.stop()


@pytest.fixture
def scripted_oidc_https_provider(_scripted_oidc_https_server, monkeypatch):
    """The scripted provider over https (a test CA's certificate for 127.0.0.1), the CA trusted by
    requests (``REQUESTS_CA_BUNDLE``) for this test."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", CA_BUNDLE)
    _scripted_oidc_https_server.reset()
    discovery.forget()
    yield _scripted_oidc_https_server
    discovery.forget()


@pytest.fixture(scope="module")
def protocol_app():
    """An app for the protocol modules, which read only its configuration (the secret key that seals
    a provider's client secret): no database is touched, so none is migrated."""
    return create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


# -- registering providers (tests/identity/test_admin_providers.py, test_cli.py) -------------------------
# Stand-ins, not the real protocol modules: the registration rules are tested on their own.


@pytest.fixture
def standin_protocols(monkeypatch):
    """``protocols.PROTOCOLS`` holding the registration stand-ins (their ``read_metadata`` only)."""
    monkeypatch.setattr(protocols, "PROTOCOLS", dict(STANDIN_PROTOCOLS))


@pytest.fixture
def registering_app(make_app, standin_protocols):
    """An app whose protocols are the registration stand-ins."""
    return make_app

# -- end of registering providers --------------------------------------------------------------------


# ============================================================================================================
# Member-facing sign-in (routes, linking, sessions, account page): a stand-in provider protocol
# ============================================================================================================


@pytest.fixture(scope="session")
def stand_in_idp():
    """The tiny identity provider the stand-in protocol sends browsers to (tests/identity/stand_in.py)."""
    idp = stand_in.StandInIdP("127.0.0.1", free_port())
    yield idp
    idp.stop()


@pytest.fixture
def stand_in_protocol(monkeypatch, stand_in_idp):
    """Every kind of provider answered by the STAND-IN protocol (not the real OpenID Connect or SAML module)."""
    monkeypatch.setattr(stand_in, "AUTHORIZE_URL", stand_in_idp.url + "/authorize")
    monkeypatch.setitem(protocols.PROTOCOLS, ProviderKind.OIDC, stand_in)
    monkeypatch.setitem(protocols.PROTOCOLS, ProviderKind.SAML, stand_in)
    return stand_in


@pytest.fixture
def make_provider(app, stand_in_protocol):
    """``make_provider(slug="northbridge", **columns)``: a registered provider; returns its id."""

    def factory(slug="northbridge", name="Northbridge Health", kind=ProviderKind.OIDC, **fields):
        with app.app_context():
            provider = IdentityProvider(slug=slug, name=name, kind=kind, **fields)
            db.session.add(provider)
            db.session.commit()
            return provider.id

    return factory


def person(sub="nb-0001", email="ada@northbridge.org", name="Dr. Ada Quinn", email_verified=True, mfa=False,
           claims=None, **extra) -> dict:
    """The parameters the stand-in provider answers with for one person."""
    answer = {"sub": sub, "email": email, "name": name, "email_verified": "true" if email_verified else "false",
              "mfa": "true" if mfa else "false", **extra}
    answer.update({f"{stand_in.CLAIM}{key}": value for key, value in (claims or {}).items()})
    return answer


def at_provider(authorize_url: str, answer: dict, post: bool = False):
    """The browser at the stand-in provider: (method, our path with its query, form fields) it is sent back with."""
    url = urlsplit(authorize_url + "&" + urlencode({**answer, **({"post": "1"} if post else {})}))
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request("GET", f"{url.path}?{url.query}")
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        connection.close()
    if not post:
        assert response.status == 302, body
        back = urlsplit(response.getheader("Location"))
        return "GET", f"{back.path}?{back.query}", None
    action = re.search(r'action="([^"]+)"', body).group(1)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', body))
    return "POST", urlsplit(action).path, fields


def start(client, slug="northbridge", **query):
    response = client.get(f"/auth/login/with/{slug}" + (f"?{urlencode(query)}" if query else ""))
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def through_provider(client, slug="northbridge", *, post=False, next_url=None, **who):
    """Sign in on ``client`` through the provider ``slug`` as ``person(**who)``; our answer to the return."""
    authorize = start(client, slug, **({"next": next_url} if next_url else {}))
    method, path, fields = at_provider(authorize, person(**who), post=post)
    return client.get(path) if method == "GET" else client.post(path, data=fields)


def repost_fields(page: str) -> dict:
    """The hidden fields of our re-post page."""
    return {html.unescape(k): html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}


# ------------------------------------------------------------------------------------------- saml_idp ---
# A real pysaml2 identity provider (tests/identity/saml_idp.py), with its own key made for the test.


@pytest.fixture
def saml_idp(tmp_path):
    """The IdP in-process (no port): give it our SP's metadata with ``learn_sp``, answer with ``answer``."""
    return SamlIdP("http://127.0.0.1:9/idp", tmp_path / "saml-idp")


@pytest.fixture
def saml_idp_server(tmp_path):
    """The IdP served on 127.0.0.1 (``.metadata_url``, ``.sso_url``); it fetches an SP's metadata itself."""
    server = start_idp(tmp_path / "saml-idp-server")
    yield server
    server.stop()

# ------------------------------------------------------------------------------------ end of saml_idp ---
