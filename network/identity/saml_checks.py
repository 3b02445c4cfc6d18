"""The checks a SAML response must pass, each refusing with its own reason code.

pysaml2 makes the same checks when it parses the response (``saml.finish`` runs it afterwards, as a second
line), but it reports most of them as a log line and a ``None``, or a bare ``Exception``: these say which
one failed, for the audit log and for the person. They run on the assertion only after its signature has
been verified (``signature_ok``), except those that can only refuse: issuer, status, unsigned.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from defusedxml.ElementTree import fromstring
from saml2 import samlp, xmldsig
from saml2.saml import SCM_BEARER

from network.identity.protocol import SignInRefused

STRONG_ALGORITHMS = frozenset({
    xmldsig.SIG_RSA_SHA256, xmldsig.SIG_RSA_SHA384, xmldsig.SIG_RSA_SHA512,
    xmldsig.SIG_ECDSA_SHA256, xmldsig.SIG_ECDSA_SHA384, xmldsig.SIG_ECDSA_SHA512,
    xmldsig.DIGEST_SHA256, xmldsig.DIGEST_SHA384, xmldsig.DIGEST_SHA512,
})

ASSERTION_TAG = "{urn:oasis:names:tc:SAML:2.0:assertion}Assertion"

#: How far the IdP's clock may be from ours.
CLOCK_SKEW = timedelta(seconds=120)


def saml_time(value: str | None) -> datetime | None:
    """A SAML ``xs:dateTime`` (``2026-12-03T03:41:45Z``, maybe with fractions of a second) as aware UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def check_issuer(response: samlp.Response, entity_id: str) -> None:
    """The response (if it names one) and its assertions come from the provider registered (its entity id)."""
    issuers = [response.issuer] if response.issuer is not None else []
    issuers += [assertion.issuer for assertion in response.assertion]
    if any(issuer is None or (issuer.text or "").strip() != entity_id for issuer in issuers):
        raise SignInRefused("issuer", "The answer came from another identity provider than the one you chose.")


def check_status(response: samlp.Response) -> None:
    status = response.status
    code = status.status_code.value if status is not None and status.status_code is not None else None
    if code != samlp.STATUS_SUCCESS:
        raise SignInRefused("denied", "Your institution did not sign you in.")


def the_assertion(response: samlp.Response):
    """The response's one assertion, which must be signed (the response's own signature is not enough)."""
    if response.encrypted_assertion:
        # We publish no encryption key, so an IdP should not encrypt; if one does we cannot read it.
        raise SignInRefused("provider", "Your institution sent an encrypted answer we cannot read.")
    if len(response.assertion) != 1:
        raise SignInRefused("provider", "Your institution's answer did not say who signed in.")
    assertion = response.assertion[0]
    if assertion.signature is None:
        raise SignInRefused("unsigned", "Your institution's answer was not signed.")
    return assertion


def check_one_assertion(xml: str, assertion_id: str) -> None:
    """The document holds one Assertion element, and one element with its ID, wherever they are.

    An XML signature wrapping attack keeps the signed assertion somewhere the signature check finds it (an
    Extensions element, an Advice) and puts a forged one where the reader looks: refused outright.
    """
    root = fromstring(xml.encode("utf-8"))
    assertions = sum(1 for _ in root.iter(ASSERTION_TAG))
    same_id = sum(1 for element in root.iter() if element.get("ID") == assertion_id)
    if assertions != 1 or same_id != 1:
        raise SignInRefused("signature", "Your institution's answer has a signature we cannot verify.")


def check_signature(security, assertion, xml: str) -> None:
    """The assertion is signed with a key from the provider's metadata (pysaml2 runs xmlsec1), with SHA-2.

    SHA-1 and MD5 are refused: a collision lets a forger reuse a signature (Shibboleth, Entra ID and ADFS
    have signed with SHA-256 by default for years).
    """
    signed_info = assertion.signature.signed_info
    methods = [signed_info.signature_method.algorithm if signed_info and signed_info.signature_method else None]
    methods += [reference.digest_method.algorithm if reference.digest_method else None
                for reference in (signed_info.reference if signed_info else [])]
    if any(method not in STRONG_ALGORITHMS for method in methods):
        raise SignInRefused("signature", "Your institution signed its answer with an algorithm that is no "
                                         "longer safe (SHA-1). Please ask its IT office to use SHA-256.")
    try:
        security.check_signature(assertion, f"{assertion.c_namespace}:{assertion.c_tag}", xml)
    except Exception as error:  # SigverError, and whatever a malformed Signature element makes pysaml2 raise
        raise SignInRefused("signature", "Your institution's answer has a signature we cannot verify.") from error


def _bearer_data(assertion) -> list:
    subject = assertion.subject
    confirmations = subject.subject_confirmation if subject is not None else []
    return [confirmation.subject_confirmation_data for confirmation in confirmations
            if confirmation.method == SCM_BEARER and confirmation.subject_confirmation_data is not None]


def check_recipient(response: samlp.Response, assertion, return_url: str) -> None:
    """The response was addressed to our assertion consumer service (its Destination, the bearer Recipient)."""
    data = _bearer_data(assertion)
    addressed = [response.destination] if response.destination else []
    addressed += [item.recipient for item in data]
    if not data or any(address != return_url for address in addressed) or not all(item.recipient for item in data):
        raise SignInRefused("recipient", "Your institution's answer was meant for another site.")


def check_in_response_to(response: samlp.Response, assertion, request_id: str) -> None:
    """The answer is to the request this browser made (its id kept in the session at ``begin``)."""
    answers = [response.in_response_to] + [item.in_response_to for item in _bearer_data(assertion)]
    if not request_id or any(answer != request_id for answer in answers):
        raise SignInRefused("state", "This sign-in was not started here, or was started in another tab. "
                                     "Please start again.")


def check_audience(assertion, sp_entity_id: str) -> None:
    """The assertion names us in its AudienceRestriction (an assertion for another site is refused)."""
    conditions = assertion.conditions
    restrictions = conditions.audience_restriction if conditions is not None else []
    if not restrictions or any(sp_entity_id not in [(audience.text or "").strip() for audience in restriction.audience]
                               for restriction in restrictions):
        raise SignInRefused("audience", "Your institution's answer was meant for another site.")


def expires_at(assertion, now: datetime) -> datetime:
    """When the assertion stops being accepted; refuses one that has expired or is not valid yet.

    The earliest NotOnOrAfter of its conditions and bearer confirmations, plus the clock skew allowed:
    an assertion without one could be replayed for ever and is refused.
    """
    # Conditions and each bearer SubjectConfirmationData carry NotBefore and NotOnOrAfter alike.
    limits = ([assertion.conditions] if assertion.conditions is not None else []) + _bearer_data(assertion)
    starts = [saml_time(item.not_before) for item in limits if item.not_before]
    ends = [saml_time(item.not_on_or_after) for item in limits if item.not_on_or_after]
    if None in starts or None in ends or not ends:
        raise SignInRefused("expired", "Your institution's answer does not say how long it is valid.")
    if any(now + CLOCK_SKEW < start for start in starts) or any(now - CLOCK_SKEW >= end for end in ends):
        raise SignInRefused("expired", "Your institution's answer has expired. Please sign in again.")
    return min(ends) + CLOCK_SKEW
