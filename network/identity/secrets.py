"""A provider's client secret, sealed at rest with a key derived from SECRET_KEY (network/auth/sealing.py)."""

from __future__ import annotations

from flask import current_app

from network.auth.sealing import seal, unseal
from network.identity.models import IdentityProvider

SEAL_PURPOSE = "identity-provider-client-secret"


def set_client_secret(provider: IdentityProvider, secret: str) -> None:
    provider.client_secret_sealed = seal(secret, current_app.config["SECRET_KEY"], SEAL_PURPOSE) if secret else ""


def client_secret(provider: IdentityProvider) -> str:
    """The plain secret, for the token request only: never shown, logged or audited."""
    if not provider.client_secret_sealed:
        return ""
    return unseal(provider.client_secret_sealed, current_app.config["SECRET_KEY"], SEAL_PURPOSE)
