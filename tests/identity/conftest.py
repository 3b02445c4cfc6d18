"""Fixtures for institutional sign-in: real OpenID providers on 127.0.0.1 (``oidc_provider.py``), and
stand-ins for the protocols where a test is about registering providers, not signing in."""

from __future__ import annotations

import pytest

from network import create_app
from network.identity import discovery, protocols
from tests.identity.oidc_provider import CA_BUNDLE, start_mock_provider, start_scripted_provider
from tests.identity.registration_standins import STANDIN_PROTOCOLS, add_identity_endpoints


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
    """An app whose ``identity.finish`` and ``identity.metadata`` endpoints exist (stand-ins when the sign-in
    blueprint is missing), for the IT office's values."""
    def factory(**config):
        app = make_app(**config)
        add_identity_endpoints(app)
        return app

    return factory

# -- end of registering providers --------------------------------------------------------------------
