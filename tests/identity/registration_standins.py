"""Stand-ins for the registration tests (admin pages and ``flask identity-provider``): small protocol
modules whose ``read_metadata`` keeps the contract of ``network/identity/protocol.py`` without a network,
and the two ``identity`` endpoints the IT office's values are built from, for an app that has no sign-in
blueprint yet. They are not the OpenID Connect and SAML modules: those have their own tests against real
local providers."""

from __future__ import annotations

from types import SimpleNamespace
from xml.etree import ElementTree  # nosec B405: the tests' own XML

from network.identity.models import ProviderKind

MD = "urn:oasis:names:tc:SAML:2.0:metadata"


def saml_metadata(entity_id: str) -> str:
    """A minimal IdP metadata document for ``entity_id``."""
    return (f'<md:EntityDescriptor xmlns:md="{MD}" entityID="{entity_id}"><md:IDPSSODescriptor '
            'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:SingleSignOnService '
            f'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{entity_id}/sso"/>'
            '</md:IDPSSODescriptor></md:EntityDescriptor>')


#: The SAML metadata documents the stand-in "fetches", by address.
SAML_DOCUMENTS = {"https://idp.northbridge.example/metadata": saml_metadata("https://idp.northbridge.example/idp")}


def _check_address(source: str, require_https: bool) -> None:
    if not source.startswith(("https://", "http://")):
        raise ValueError("Enter an address starting with https://.")
    if require_https and source.startswith("http://"):
        raise ValueError("Use an https:// address: in production metadata is read over https only.")
    if ".invalid" in source:
        raise ValueError(f"{source} does not answer.")


def _oidc_read_metadata(source: str, *, require_https: bool) -> dict:
    _check_address(source, require_https)
    if not source.endswith("/.well-known/openid-configuration"):
        raise ValueError("That address is not an OpenID Connect discovery document.")
    return {"metadata_url": source}


def _saml_read_metadata(source: str, *, require_https: bool) -> dict:
    url = ""
    if not source.lstrip().startswith("<"):
        _check_address(source, require_https)
        if source not in SAML_DOCUMENTS:
            raise ValueError(f"{source} does not answer.")
        url, source = source, SAML_DOCUMENTS[source]
    try:
        root = ElementTree.fromstring(source)  # noqa: S314  # nosec B314: the tests' own XML
    except ElementTree.ParseError:
        raise ValueError("That is not XML: give the identity provider's metadata.") from None
    if root.tag != f"{{{MD}}}EntityDescriptor" or not root.get("entityID"):
        raise ValueError("That XML is not an identity provider's metadata (no EntityDescriptor).")
    return {"metadata_url": url, "metadata_xml": source, "entity_id": root.get("entityID")}


def _not_here(*args, **kwargs):
    raise AssertionError("the registration stand-ins do not sign anyone in")


STANDIN_PROTOCOLS = {
    ProviderKind.OIDC: SimpleNamespace(read_metadata=_oidc_read_metadata, begin=_not_here, finish=_not_here),
    ProviderKind.SAML: SimpleNamespace(read_metadata=_saml_read_metadata, begin=_not_here, finish=_not_here),
}

