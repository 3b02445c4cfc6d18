"""SAML 2.0 sign-in (pysaml2): our service provider for each registered identity provider.

For a provider registered with slug ``northbridge`` our SP is:

- entity id: ``…/auth/login/with/northbridge/metadata``, the address its metadata is served at;
- assertion consumer service: ``…/auth/login/with/northbridge/return`` (HTTP-POST binding);
- AuthnRequests sent with the HTTP-Redirect binding, asking for a persistent NameID.

The SP holds no key of its own: AuthnRequests are not signed (the IdP learns nothing from them it must
trust: where to answer is checked against our metadata) and assertions are not encrypted to us (they
reach us over HTTPS). What we require instead is that each **assertion** is signed with a key from the
IdP's metadata; a signed Response around an unsigned assertion is refused.

pysaml2 is configured in memory from the provider's stored metadata XML, for each request.
"""

from __future__ import annotations

import base64
import binascii

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError, samlp
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor, metadata_tostring_fix
from saml2.response import StatusError, UnsolicitedResponse
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.sigver import SigverError
from saml2.validate import ResponseLifetimeExceed, ToEarly, valid_instance

from network.identity import saml_checks
from network.identity.models import IdentityProvider
from network.identity.protocol import Assertion, SignInRefused, Start
from network.identity.replay import first_use
from network.identity.saml_attributes import assertion_from
from network.identity.saml_metadata import XMLSEC_BINARY, read_metadata
from network.types import utcnow

__all__ = ["begin", "finish", "read_metadata", "sp_entity_id", "sp_metadata"]

#: A SAMLResponse is a few kilobytes (tens with many attributes); anything far larger is not one.
MAX_RESPONSE_CHARS = 500_000


def sp_entity_id(return_url: str) -> str:
    """Our SP's entity id: the return address with its last part ``return`` replaced by ``metadata``."""
    base, _, _last = return_url.rstrip("/").rpartition("/")
    return f"{base}/metadata"


def _config(provider: IdentityProvider, return_url: str, *, with_idp: bool = True) -> SPConfig:
    """pysaml2's configuration of our SP for the provider (with the IdP's metadata unless told not to)."""
    config = SPConfig()
    config.load({
        "entityid": sp_entity_id(return_url),
        "xmlsec_binary": XMLSEC_BINARY,
        "service": {"sp": {
            "endpoints": {"assertion_consumer_service": [(return_url, BINDING_HTTP_POST)]},
            "want_assertions_signed": True,
            "want_response_signed": False,
            "allow_unsolicited": False,
            "authn_requests_signed": False,
            "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            "name_id_policy_format": NAMEID_FORMAT_PERSISTENT,
            "name_id_format_allow_create": True,
        }},
        "metadata": {"inline": [provider.metadata_xml]} if with_idp and provider.metadata_xml else {},
        "accepted_time_diff": int(saml_checks.CLOCK_SKEW.total_seconds()),
        "allow_unknown_attributes": True,
        "only_use_keys_in_metadata": True,
    })
    return config


def _client(provider: IdentityProvider, return_url: str) -> Saml2Client:
    try:
        return Saml2Client(config=_config(provider, return_url))
    except (SAMLError, ValueError, SyntaxError) as error:
        raise SignInRefused("provider", "This institution's sign-in is not set up correctly.") from error


def begin(provider: IdentityProvider, return_url: str) -> Start:
    """An AuthnRequest to the provider's single sign-on service (HTTP-Redirect); its id is kept."""
    client = _client(provider, return_url)
    try:
        request_id, info = client.prepare_for_authenticate(entityid=provider.entity_id,
                                                           binding=BINDING_HTTP_REDIRECT)
    except (SAMLError, KeyError, ValueError) as error:
        raise SignInRefused("provider", "This institution's sign-in is not set up correctly.") from error
    return Start(url=dict(info["headers"])["Location"], kept={"request_id": request_id})


def _decoded(params) -> str:
    encoded = params.get("SAMLResponse") or ""
    if len(encoded) > MAX_RESPONSE_CHARS:
        raise SignInRefused("provider", "Your institution's answer was too large.")
    try:
        xml = base64.b64decode(encoded, validate=False).decode("utf-8")
    except (binascii.Error, ValueError) as error:
        raise SignInRefused("provider", "Your institution's answer could not be read.") from error
    if not xml.lstrip().startswith("<"):
        raise SignInRefused("provider", "Your institution's answer could not be read.")
    return xml


def _response(xml: str) -> samlp.Response:
    try:
        # pysaml2 parses with defusedxml: no external entities, no entity expansion.
        response = samlp.response_from_string(xml)
    except Exception as error:  # any parser error: defusedxml's, ElementTree's, pysaml2's
        raise SignInRefused("provider", "Your institution's answer could not be read.") from error
    if response is None:
        raise SignInRefused("provider", "Your institution's answer could not be read.")
    return response


def _parsed_by_pysaml2(client: Saml2Client, encoded: str, request_id: str):
    """pysaml2's own checks, after ours: its refusals mapped to our reason codes."""
    try:
        parsed = client.parse_authn_request_response(encoded, BINDING_HTTP_POST, outstanding={request_id: ""})
    except StatusError as error:
        raise SignInRefused("denied", "Your institution did not sign you in.") from error
    except SigverError as error:
        raise SignInRefused("signature", "Your institution's answer has a signature we cannot verify.") from error
    except UnsolicitedResponse as error:
        raise SignInRefused("state", "This sign-in was not started here. Please start again.") from error
    except (ResponseLifetimeExceed, ToEarly) as error:
        raise SignInRefused("expired", "Your institution's answer has expired. Please sign in again.") from error
    except Exception as error:  # pysaml2 raises bare Exception and ValueError for a bad response
        raise SignInRefused("provider", "Your institution's answer could not be accepted.") from error
    if parsed is None or parsed.assertion is None:
        raise SignInRefused("provider", "Your institution's answer could not be accepted.")
    return parsed


def finish(provider: IdentityProvider, return_url: str, params, kept: dict) -> Assertion:
    """Check the posted SAMLResponse and say who signed in; ``SignInRefused`` for anything wrong.

    Needs an app context: the assertion's id is recorded (``replay.first_use``) so it is accepted once.
    """
    xml = _decoded(params)
    response = _response(xml)
    saml_checks.check_issuer(response, provider.entity_id)
    saml_checks.check_status(response)
    saml_assertion = saml_checks.the_assertion(response)
    saml_checks.check_one_assertion(xml, saml_assertion.id)
    client = _client(provider, return_url)
    saml_checks.check_signature(client.sec, saml_assertion, xml)
    saml_checks.check_recipient(response, saml_assertion, return_url)
    request_id = str((kept or {}).get("request_id") or "")
    saml_checks.check_in_response_to(response, saml_assertion, request_id)
    saml_checks.check_audience(saml_assertion, sp_entity_id(return_url))
    expires_at = saml_checks.expires_at(saml_assertion, utcnow())
    parsed = _parsed_by_pysaml2(client, params["SAMLResponse"], request_id)
    assertion = assertion_from(parsed.assertion)
    if not first_use(provider.id, parsed.assertion.id, expires_at):
        raise SignInRefused("replay", "This sign-in answer was already used. Please sign in again.")
    return assertion


def sp_metadata(provider: IdentityProvider, return_url: str) -> str:
    """Our SP's metadata XML for the provider's IT office (served at ``sp_entity_id(return_url)``).

    It does not depend on the IdP's metadata, so it is served even while that is missing or broken.
    """
    config = _config(provider, return_url, with_idp=False)
    # Without xmlsec1's list of every algorithm it supports (MD5 and SHA-1 among them): we accept fewer.
    config.xmlsec_binary = None
    descriptor = entity_descriptor(config)
    valid_instance(descriptor)
    return metadata_tostring_fix(descriptor, {"xs": "http://www.w3.org/2001/XMLSchema"}).decode("utf-8")

