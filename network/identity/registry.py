"""Registering identity providers, changing them, turning them off and on: the writes behind the admin
pages and ``flask identity-provider``. Settings come checked (``settings.check_settings``); nothing here
commits. The audit log names the fields that changed, never a secret's value."""

from __future__ import annotations

import logging

from network.audit.models import record
from network.extensions import db
from network.identity import discovery
from network.identity.models import IdentityProvider
from network.identity.secrets import set_client_secret
from network.identity.settings import ProviderSettings
from network.members.models import User

log = logging.getLogger(__name__)

#: The columns a settings change may touch, in the order the audit entry lists them.
_PLAIN = ("name", "slug", "client_id", "email_domains", "program_id", "verifies_members", "role_claim", "role_map",
          "enabled")


class RegistryError(Exception):
    """The change does not apply (the provider is already in that state); the message is for the admin."""


def _actor_id(actor: User | None) -> int | None:
    """None for the operator at the command line, as the audit log has it."""
    return actor.id if actor is not None else None


def _apply(provider: IdentityProvider, settings: ProviderSettings) -> list[str]:
    """Write ``settings`` into ``provider``; the names of the fields that changed."""
    changed = []
    for name in _PLAIN:
        value = getattr(settings, name)
        if getattr(provider, name) != value:
            setattr(provider, name, value)
            changed.append(name)
    for name, value in (settings.metadata or {}).items():
        if getattr(provider, name) != value:
            setattr(provider, name, value)
            changed.append(name)
    if settings.client_secret is not None:
        set_client_secret(provider, settings.client_secret)
        changed.append("client_secret")  # that it changed, never to what
    return changed


def register(settings: ProviderSettings, actor: User | None) -> IdentityProvider:
    """A new provider with ``settings``, audited as done by ``actor`` (None: the operator)."""
    provider = IdentityProvider(kind=settings.kind, metadata_url="", metadata_xml="", entity_id="", client_id="",
                                client_secret_sealed="", email_domains="", role_claim="", role_map={},
                                verifies_members=False, enabled=True, name="", slug="")
    _apply(provider, settings)
    db.session.add(provider)
    db.session.flush()
    record(_actor_id(actor), "identity-provider.register", "identity_provider", provider.id,
           program_id=provider.program_id, slug=provider.slug, kind=provider.kind.value, name=provider.name,
           enabled=provider.enabled)
    log.info("identity provider %s (%s) registered by %s", provider.slug, provider.kind.value,
             _actor_id(actor) or "the operator")
    return provider


def update(provider: IdentityProvider, settings: ProviderSettings, actor: User | None) -> list[str]:
    """Change ``provider`` to ``settings``; the names of the fields that changed (audited when any did).
    This process reads the provider's discovery document afresh on its next sign-in (the others within
    the ten minutes they keep it, ``network/identity/discovery.py``)."""
    discovery.forget(provider.metadata_url)
    changed = _apply(provider, settings)
    if changed:
        record(_actor_id(actor), "identity-provider.update", "identity_provider", provider.id,
               program_id=provider.program_id, slug=provider.slug, changed=changed)
        log.info("identity provider %s changed by %s: %s", provider.slug, _actor_id(actor) or "the operator",
                 ", ".join(changed))
    return changed


def disable(provider: IdentityProvider, actor: User | None) -> None:
    """Take the provider's button away: no one signs in through it (a sign-in under way is refused at its return)."""
    if not provider.enabled:
        raise RegistryError(f"{provider.name} is turned off already.")
    provider.enabled = False
    record(_actor_id(actor), "identity-provider.disable", "identity_provider", provider.id,
           program_id=provider.program_id, slug=provider.slug)
    log.info("identity provider %s turned off by %s", provider.slug, _actor_id(actor) or "the operator")


def enable(provider: IdentityProvider, actor: User | None) -> None:
    """Show the provider's button again."""
    if provider.enabled:
        raise RegistryError(f"{provider.name} is turned on already.")
    provider.enabled = True
    record(_actor_id(actor), "identity-provider.enable", "identity_provider", provider.id,
           program_id=provider.program_id, slug=provider.slug)
    log.info("identity provider %s turned on by %s", provider.slug, _actor_id(actor) or "the operator")
