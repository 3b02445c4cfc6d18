"""What a SAML assertion says about the person: NameID, email, name, attributes, and whether MFA was used.

IdPs name the same attribute in three ways: by LDAP name (``mail``, usually as the ``FriendlyName``), by
OID URI (``urn:oid:0.9.2342.19200300.100.1.3``: Shibboleth, SimpleSAMLphp) and by claim URI
(``http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress``: Entra ID, ADFS). All three are
looked up, case-insensitively.
"""

from __future__ import annotations

from saml2.saml import NAMEID_FORMAT_TRANSIENT

from network.identity.protocol import Assertion, SignInRefused

_CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"

EMAIL_NAMES = ("mail", "email", "emailaddress", "urn:oid:0.9.2342.19200300.100.1.3", _CLAIMS + "emailaddress")
DISPLAY_NAMES = ("displayName", "urn:oid:2.16.840.1.113730.3.1.241",
                 "http://schemas.microsoft.com/identity/claims/displayname")
GIVEN_NAMES = ("givenName", "urn:oid:2.5.4.42", _CLAIMS + "givenname")
SURNAMES = ("sn", "surname", "urn:oid:2.5.4.4", _CLAIMS + "surname")

#: AuthnContextClassRef values that say the person passed multi-factor authentication: REFEDS MFA
#: (research and education federations), InCommon's older MFA profile, Entra ID / ADFS, the two SAML 2.0
#: classes that are two-factor by definition, and the non-standard names some products send.
MFA_CLASSES = frozenset({
    "https://refeds.org/profile/mfa",
    "http://id.incommon.org/assurance/mfa",
    "http://schemas.microsoft.com/claims/multipleauthn",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactorContract",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactorAuthentication",
})


def attribute_values(assertion) -> dict[str, list[str]]:
    """Each attribute's values, under its ``Name`` and under its ``FriendlyName`` when it has one."""
    values: dict[str, list[str]] = {}
    for statement in assertion.attribute_statement:
        for attribute in statement.attribute:
            texts = [value.text.strip() for value in attribute.attribute_value if value.text and value.text.strip()]
            for key in (attribute.name, attribute.friendly_name):
                if key:
                    values.setdefault(key, []).extend(texts)
    return values


def _first(values: dict[str, list[str]], names: tuple[str, ...]) -> str:
    lowered = {key.lower(): found for key, found in values.items() if found}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()][0]
    return ""


def mfa_used(assertion) -> bool:
    """The assertion's authentication context is one of the multi-factor classes."""
    for statement in assertion.authn_statement:
        context = statement.authn_context
        ref = context.authn_context_class_ref if context is not None else None
        if ref is not None and (ref.text or "").strip() in MFA_CLASSES:
            return True
    return False


def assertion_from(saml_assertion) -> Assertion:
    """Our ``Assertion`` from a verified SAML assertion.

    An email the IdP asserts counts as verified: the institution runs the mailbox and vouches for the
    person it signed in (a provider whose emails are not to be trusted should not be registered). A
    transient NameID changes at every sign-in, so an identity could never be linked with it: refused.
    """
    name_id = saml_assertion.subject.name_id if saml_assertion.subject is not None else None
    subject = (name_id.text or "").strip() if name_id is not None else ""
    if not subject or name_id.format == NAMEID_FORMAT_TRANSIENT:
        raise SignInRefused("provider", "Your institution did not tell us who you are in a way we can remember. "
                                        "Please ask its IT office to release a persistent NameID to this site.")
    values = attribute_values(saml_assertion)
    email = _first(values, EMAIL_NAMES).lower()
    name = _first(values, DISPLAY_NAMES) or " ".join(
        part for part in (_first(values, GIVEN_NAMES), _first(values, SURNAMES)) if part)
    claims = {key: " ".join(found) for key, found in values.items()}
    return Assertion(subject=subject, email=email, email_verified=bool(email), name=name, claims=claims,
                     mfa=mfa_used(saml_assertion))
