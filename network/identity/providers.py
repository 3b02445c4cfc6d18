"""Reading the registered providers, and the addresses an institution's IT office registers for us."""

from __future__ import annotations

from sqlalchemy import select

from network.extensions import db
from network.identity.models import IdentityProvider
from network.urls import public_url


def enabled_providers() -> list[IdentityProvider]:
    """The providers shown as "Sign in with ..." buttons, by name."""
    return list(db.session.scalars(select(IdentityProvider).where(IdentityProvider.enabled)
                                   .order_by(IdentityProvider.name)))


def enabled_provider(slug: str) -> IdentityProvider | None:
    return db.session.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug,
                                                            IdentityProvider.enabled))


def return_url(slug: str) -> str:
    """Where the provider sends people back: the OIDC redirect URI, the SAML assertion consumer service."""
    return public_url("identity.finish", slug=slug)


def metadata_url(slug: str) -> str:
    """Our SAML service provider's metadata, and its entity id."""
    return public_url("identity.metadata", slug=slug)
