"""Fixtures for institutional sign-in tests."""

from __future__ import annotations

import pytest

from tests.identity.saml_idp import SamlIdP, start_idp

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
