"""Fixtures for the institutional sign-in tests."""

from __future__ import annotations

import pytest

from network.identity import protocols
from tests.identity.registration_standins import STANDIN_PROTOCOLS, add_identity_endpoints

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
