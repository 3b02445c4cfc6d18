"""The registered providers as the admin list and ``flask identity-provider list`` show them, and the values
an institution's IT office copies into its own system to register this site."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Select, func, select

from network.identity import providers
from network.identity.models import IdentityProvider, LinkedIdentity, ProviderKind
from network.programs.models import Program


class CopyValue(NamedTuple):
    """One value for the IT office: what their form calls it, the value, and a word on where it goes."""

    label: str
    value: str
    hint: str


def listing() -> Select:
    """Each provider with its program's name (or None) and how many members linked an identity through it,
    by name: one query, whatever the number of identities."""
    linked = (select(LinkedIdentity.provider_id, func.count(func.distinct(LinkedIdentity.user_id)).label("members"))
              .group_by(LinkedIdentity.provider_id).subquery())
    return (select(IdentityProvider, Program.name, func.coalesce(linked.c.members, 0))
            .outerjoin(Program, Program.id == IdentityProvider.program_id)
            .outerjoin(linked, linked.c.provider_id == IdentityProvider.id)
            .order_by(IdentityProvider.name, IdentityProvider.id))


def by_slug(slug: str) -> Select:
    """A ``select`` of the provider whose address name is ``slug``, enabled or not."""
    return select(IdentityProvider).where(IdentityProvider.slug == slug)


def it_office_values(provider: IdentityProvider) -> list[CopyValue]:
    """What the institution registers for us: the redirect URI (OpenID Connect); our entity id, metadata
    and assertion consumer service (SAML). They use ``PUBLIC_URL``, never the request's host."""
    if provider.kind == ProviderKind.OIDC:
        return [CopyValue("Redirect URI", providers.return_url(provider.slug),
                          "Register it as a web redirect URI of the application (Entra ID: Authentication, "
                          "platform “Web”; Okta: Sign-in redirect URIs).")]
    metadata = providers.metadata_url(provider.slug)
    return [CopyValue("Entity ID (our service provider)", metadata,
                      "The audience of the assertions (Entra ID: Identifier; Okta: Audience URI)."),
            CopyValue("Metadata URL", metadata,
                      "Our service provider metadata, for an IdP or a federation that reads it."),
            CopyValue("Assertion consumer service (ACS) URL", providers.return_url(provider.slug),
                      "HTTP-POST binding (Entra ID: Reply URL; Okta: Single sign-on URL).")]
