"""Reading an identity provider's SAML metadata, for the admin form and ``flask identity-provider add``."""

from __future__ import annotations

import base64
import binascii
import os
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

import requests
from cryptography import x509
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from saml2 import BINDING_HTTP_REDIRECT, SAMLError
from saml2.config import SPConfig

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
FETCH_TIMEOUT = 10
#: A single IdP's metadata is a few kilobytes; a federation's aggregate (tens of megabytes) is not one.
MAX_METADATA_BYTES = 1_000_000
#: What an admin is told of metadata over that size (a file, pasted XML or an address's answer).
TOO_LARGE = "Metadata can be at most 1 MB: an identity provider's own metadata is a few kilobytes."

#: The program pysaml2 checks signatures with (Debian package xmlsec1).
XMLSEC_BINARY = "/usr/bin/xmlsec1"


def _fetch(url: str, require_https: bool) -> str:
    if require_https and urlsplit(url).scheme != "https":
        raise ValueError("The metadata address must start with https://.")
    try:
        with requests.get(url, timeout=FETCH_TIMEOUT, stream=True, headers={"Accept": "application/xml"}) as answer:
            if require_https and urlsplit(answer.url).scheme != "https":
                raise ValueError("The metadata address redirects to an http:// address.")
            if answer.status_code != 200:
                raise ValueError(f"The metadata address answered with HTTP {answer.status_code}.")
            body = answer.raw.read(MAX_METADATA_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise ValueError(f"The metadata address could not be reached ({type(error).__name__}).") from error
    if len(body) > MAX_METADATA_BYTES:
        raise ValueError("The metadata is too large to be a single identity provider's.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError("The metadata is not UTF-8 text.") from error


def _parse(xml: str) -> Element:
    try:
        # defusedxml refuses DTDs' entities and external references instead of resolving them.
        return fromstring(xml.encode("utf-8"))
    except (ParseError, DefusedXmlException) as error:
        raise ValueError("This is not well-formed XML metadata.") from error


def _signing_certificates(idp: Element) -> list[str]:
    """The base64 certificates of the IdP's signing keys (a KeyDescriptor without ``use`` signs too)."""
    found = []
    for descriptor in idp.findall(f"{MD}KeyDescriptor"):
        if descriptor.get("use", "signing") != "signing":
            continue
        for certificate in descriptor.iter(f"{DS}X509Certificate"):
            text = "".join((certificate.text or "").split())
            try:
                x509.load_der_x509_certificate(base64.b64decode(text, validate=True))
            except (binascii.Error, ValueError) as error:
                raise ValueError("The metadata's signing certificate cannot be read.") from error
            found.append(text)
    return found


def _entity_id(root: Element) -> str:
    if root.tag == f"{MD}EntitiesDescriptor":
        raise ValueError("This metadata lists several entities (a federation's list?): give the metadata of "
                         "your institution's identity provider only.")
    if root.tag != f"{MD}EntityDescriptor":
        raise ValueError("This is not SAML metadata (no EntityDescriptor).")
    entity_id = (root.get("entityID") or "").strip()
    if not entity_id:
        raise ValueError("The metadata has no entityID.")
    idp = root.find(f"{MD}IDPSSODescriptor")
    if idp is None or SAML2_PROTOCOL not in (idp.get("protocolSupportEnumeration") or "").split():
        raise ValueError("This metadata does not describe a SAML 2.0 identity provider (no IDPSSODescriptor): "
                         "is it a service provider's?")
    if not any(service.get("Binding") == BINDING_HTTP_REDIRECT and service.get("Location")
               for service in idp.findall(f"{MD}SingleSignOnService")):
        raise ValueError("The identity provider has no single sign-on service with the HTTP-Redirect binding.")
    if not _signing_certificates(idp):
        raise ValueError("The identity provider's metadata has no signing certificate.")
    return entity_id


def _check_pysaml2_reads(xml: str) -> None:
    """pysaml2 accepts it too (it refuses, for one, metadata whose validUntil has passed)."""
    config = SPConfig()
    try:
        config.load({"entityid": "urn:check", "metadata": {"inline": [xml]}})
    except (SAMLError, ValueError, SyntaxError, KeyError) as error:
        raise ValueError(f"The metadata cannot be used: {error}") from error
    if not config.metadata.identity_providers():
        raise ValueError("The metadata cannot be used (expired, or not valid SAML metadata).")


def read_metadata(source: str, *, require_https: bool) -> dict:
    """An IdP's metadata from its address or the XML itself: the provider's columns, or ``ValueError``."""
    if not os.access(XMLSEC_BINARY, os.X_OK):
        raise ValueError(f"SAML sign-in needs the xmlsec1 program on this server ({XMLSEC_BINARY}, Debian package "
                         "xmlsec1) to check your institution's signatures: ask the operator to install it.")
    source = (source or "").strip().lstrip("\ufeff")
    if source.startswith("<"):
        url, xml = "", source
    elif urlsplit(source).scheme in ("http", "https") and urlsplit(source).hostname:
        url, xml = source, _fetch(source, require_https)
    else:
        raise ValueError("Give the metadata's https:// address or paste the metadata XML.")
    if len(xml.encode("utf-8")) > MAX_METADATA_BYTES:
        raise ValueError(TOO_LARGE)
    entity_id = _entity_id(_parse(xml))
    _check_pysaml2_reads(xml)
    return {"metadata_url": url, "metadata_xml": xml, "entity_id": entity_id}
