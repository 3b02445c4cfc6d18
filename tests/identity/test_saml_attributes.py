"""Reading a person from an assertion, whichever way the IdP names its attributes (no IdP needed)."""

from __future__ import annotations

import pytest
from saml2 import saml

from network.identity.protocol import SignInRefused
from network.identity.saml_attributes import assertion_from

CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"


def an_assertion(attributes: dict[str, list[str]], name_id="u-1", name_id_format=saml.NAMEID_FORMAT_PERSISTENT,
                 context=saml.AUTHN_PASSWORD_PROTECTED) -> saml.Assertion:
    """An assertion whose attributes have only a Name (no FriendlyName), as Entra ID and ADFS send them."""
    return saml.Assertion(
        subject=saml.Subject(name_id=saml.NameID(format=name_id_format, text=name_id)),
        attribute_statement=[saml.AttributeStatement(attribute=[
            saml.Attribute(name=name, attribute_value=[saml.AttributeValue(text=value) for value in values])
            for name, values in attributes.items()])],
        authn_statement=[saml.AuthnStatement(authn_context=saml.AuthnContext(
            authn_context_class_ref=saml.AuthnContextClassRef(text=context)))])


def test_microsoft_claim_names_give_the_email_and_name():
    person = assertion_from(an_assertion({
        CLAIMS + "emailaddress": ["Grace.Hopper@Northbridge.org"],
        CLAIMS + "givenname": ["Grace"], CLAIMS + "surname": ["Hopper"],
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/role": ["Faculty", "Staff"]},
        context="http://schemas.microsoft.com/claims/multipleauthn"))
    assert (person.subject, person.email, person.email_verified, person.name, person.mfa) == (
        "u-1", "grace.hopper@northbridge.org", True, "Grace Hopper", True)
    assert person.claims["http://schemas.microsoft.com/ws/2008/06/identity/claims/role"] == "Faculty Staff"


def test_oid_names_give_the_email_and_display_name():
    person = assertion_from(an_assertion({
        "urn:oid:0.9.2342.19200300.100.1.3": ["a@b.org"], "urn:oid:2.16.840.1.113730.3.1.241": ["Dr A B"],
        "urn:oid:2.5.4.42": ["Ann"]}))
    assert (person.email, person.name, person.mfa) == ("a@b.org", "Dr A B", False)


@pytest.mark.parametrize("name", ["email", "Email", "emailAddress", "MAIL"])
def test_plain_email_names_in_any_case(name):
    assert assertion_from(an_assertion({name: ["x@y.org"]})).email == "x@y.org"


@pytest.mark.parametrize(("context", "mfa"), [
    ("https://refeds.org/profile/mfa", True),
    ("urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract", True),
    ("http://id.incommon.org/assurance/mfa", True),
    ("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", False),
    ("http://schemas.microsoft.com/claims/wiaormultiauthn", False),  # Windows sign-in *or* MFA: not MFA
])
def test_mfa_is_read_from_the_authentication_context(context, mfa):
    assert assertion_from(an_assertion({}, context=context)).mfa is mfa


@pytest.mark.parametrize(("name_id", "name_id_format"), [("", saml.NAMEID_FORMAT_PERSISTENT),
                                                        ("t-9", saml.NAMEID_FORMAT_TRANSIENT)])
def test_no_stable_name_id_is_refused(name_id, name_id_format):
    with pytest.raises(SignInRefused) as refused:
        assertion_from(an_assertion({"mail": ["x@y.org"]}, name_id=name_id, name_id_format=name_id_format))
    assert refused.value.reason == "provider"
