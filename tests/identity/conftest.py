"""Fixtures for institutional sign-in: real OpenID providers on 127.0.0.1 (``oidc_provider.py``), and
stand-ins for the protocols where a test is about registering providers, not signing in."""

from __future__ import annotations

import pytest

from network import create_app
from network.identity import discovery, protocols
from tests.identity.oidc_provider import CA_BUNDLE, start_mock_provider, start_scripted_provider
from tests.identity.registration_standins import STANDIN_PROTOCOLS
from tests.identity.saml_idp import SamlIdP, start_idp


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


# =====================================================================================================


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
