"""The protocol module for each kind of provider (each keeps ``network/identity/protocol.py``)."""

from __future__ import annotations

from network.identity import oidc, saml
from network.identity.models import IdentityProvider, ProviderKind

PROTOCOLS = {ProviderKind.OIDC: oidc, ProviderKind.SAML: saml}


def protocol_for(provider: IdentityProvider | ProviderKind):
    kind = provider.kind if isinstance(provider, IdentityProvider) else provider
    return PROTOCOLS[kind]
