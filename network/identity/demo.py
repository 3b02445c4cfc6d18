"""Demo identity providers: a hospital's OpenID Connect sign-in and a medical college's SAML one, registered as
an admin would and left turned off, since the demo has no identity provider to send anyone to. The admin
pages show them with the values each IT office would copy.

Each is found by its address name before it is made, so seeding twice changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select

from network.extensions import db
from network.identity.models import IdentityProvider, ProviderKind
from network.identity.secrets import set_client_secret
from network.programs.models import Program

#: An example tenant id: a real registration uses the hospital's own (Entra ID, Overview, Directory (tenant) ID).
TENANT = "00000000-0000-4000-8000-000000000000"
COLLEGE_IDP = "https://idp.lakeshore.example.edu/idp/shibboleth"
COLLEGE_METADATA = (
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
    f'entityID="{COLLEGE_IDP}"><md:IDPSSODescriptor '
    'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
    'Location="https://idp.lakeshore.example.edu/idp/profile/SAML2/Redirect/SSO"/></md:IDPSSODescriptor>'
    '</md:EntityDescriptor>')


def seed_identity_providers() -> int:
    """Idempotent: the demo providers that are missing, turned off. Returns how many were made."""
    programs = dict(db.session.execute(select(Program.slug, Program.id)).all())
    made = 0
    if db.session.scalar(select(IdentityProvider.id).where(IdentityProvider.slug == "northbridge-health")) is None:
        hospital = IdentityProvider(
            slug="northbridge-health", kind=ProviderKind.OIDC, name="Northbridge Health",
            metadata_url=f"https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration",
            client_id="11111111-2222-4333-8444-555555555555", email_domains="northbridge.example.org",
            program_id=programs.get("northbridge-pain"), verifies_members=True, role_claim="roles",
            role_map={"Faculty": "faculty", "Fellow": "fellow"}, enabled=False)
        set_client_secret(hospital, "demo-client-secret-not-a-real-one")
        db.session.add(hospital)
        made += 1
    if db.session.scalar(select(IdentityProvider.id).where(IdentityProvider.slug == "lakeshore-college")) is None:
        db.session.add(IdentityProvider(
            slug="lakeshore-college", kind=ProviderKind.SAML, name="Lakeshore Medical College",
            metadata_xml=COLLEGE_METADATA, entity_id=COLLEGE_IDP, email_domains="lakeshore.example.edu",
            program_id=programs.get("lakeshore-pain"),
            role_claim="eduPersonAffiliation", role_map={"faculty": "faculty", "student": "fellow"}, enabled=False))
        made += 1
    db.session.flush()
    return made
