"""An institution's identity provider, and a member's identity at one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.types import LabelledEnum, enum_column, intpk, member_fk, utc_now


class ProviderKind(LabelledEnum):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class IdentityProvider(db.Model):
    """A hospital's or university's sign-in service, registered by an admin or an operator."""

    __tablename__ = "identity_provider"

    id: Mapped[intpk]
    #: The provider's part of its addresses: /auth/login/with/<slug>, and ?idp=<slug> deep links.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[ProviderKind] = mapped_column(enum_column(ProviderKind, "provider_kind", length=8))
    #: Shown on the button: "Sign in with Northbridge Health".
    name: Mapped[str] = mapped_column(String(120))
    #: OIDC: the discovery document's address (…/.well-known/openid-configuration).
    #: SAML: the address the IdP's metadata was read from, if it came from one.
    metadata_url: Mapped[str] = mapped_column(String(500), default="")
    #: SAML: the IdP's metadata XML, as read (from the address or an uploaded file).
    metadata_xml: Mapped[str] = mapped_column(Text, default="")
    #: SAML: the IdP's entity id, read from the metadata (one registration per IdP).
    entity_id: Mapped[str] = mapped_column(String(500), default="")
    #: OIDC: the client registered at the provider for us.
    client_id: Mapped[str] = mapped_column(String(255), default="")
    #: OIDC: the client secret, encrypted with a key derived from SECRET_KEY (network/auth/sealing.py);
    #: never shown, logged or audited. Read and written through ``network.identity.secrets``.
    client_secret_sealed: Mapped[str] = mapped_column(String(1000), default="")
    #: Lower-case domains a member's email must end in ("northbridge.org"), space separated; empty: any.
    email_domains: Mapped[str] = mapped_column(String(500), default="")
    #: Members who arrive through the provider join this program (optional).
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="SET NULL"), index=True)
    #: The institution vouches for the people it signs in: they are verified at once.
    verifies_members: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The claim (OIDC) or attribute (SAML) that carries a person's role, and its values mapped to
    #: our roles ({"faculty": "faculty", "staff": "faculty", "student": "fellow"}); empty: asked once.
    role_claim: Mapped[str] = mapped_column(String(120), default="")
    role_map: Mapped[dict] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[utc_now]

    program = relationship("Program")

    def __repr__(self) -> str:
        return f"<IdentityProvider {self.slug} {self.kind}>"

    def allows_email(self, email: str) -> bool:
        """Whether ``email`` is in one of the allowed domains (any email when none are set)."""
        domains = self.email_domains.split()
        if not domains:
            return True
        domain = email.rpartition("@")[2].lower()
        return any(domain == allowed for allowed in domains)


class LinkedIdentity(db.Model):
    """A member's identity at a provider: the provider's stable subject for them (OIDC ``sub``, SAML NameID)."""

    __tablename__ = "linked_identity"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[intpk]
    user_id: Mapped[member_fk]
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_provider.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    #: The email the provider gave when the identity was linked (shown on the account page).
    email: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[utc_now]
    last_used_at: Mapped[datetime | None]

    provider: Mapped[IdentityProvider] = relationship()


class UsedAssertion(db.Model):
    """A SAML assertion already accepted: the same assertion posted again is a replay and is refused.

    Kept until the assertion itself expires (its ``NotOnOrAfter``); each SAML sign-in clears the expired
    ones (``network/identity/replay.py``).
    """

    __tablename__ = "used_assertion"
    __table_args__ = (UniqueConstraint("provider_id", "assertion_id"),)

    id: Mapped[intpk]
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_provider.id", ondelete="CASCADE"), index=True)
    assertion_id: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(index=True)
