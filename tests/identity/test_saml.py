"""SAML sign-in against a real pysaml2 identity provider: what ``finish`` accepts, and each refusal's reason."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from sqlalchemy import func, select

from network.extensions import db
from network.identity import saml, saml_checks
from network.identity.models import IdentityProvider, ProviderKind, UsedAssertion
from network.identity.protocol import Assertion, SignInRefused
from tests.identity.saml_idp import VARIANTS

RETURN_URL = "https://network.example.org/auth/login/with/northbridge/return"
ENTITY_ID = "https://network.example.org/auth/login/with/northbridge/metadata"


@pytest.fixture
def provider_id(app, saml_idp):
    """Northbridge registered from the test IdP's metadata; the IdP knows our SP."""
    with app.app_context():
        provider = IdentityProvider(slug="northbridge", kind=ProviderKind.SAML, name="Northbridge Health",
                                    **saml.read_metadata(saml_idp.metadata_xml, require_https=True))
        db.session.add(provider)
        db.session.commit()
        saml_idp.learn_sp(saml.sp_metadata(provider, RETURN_URL))
        return provider.id


@pytest.fixture
def sign_in(app, saml_idp, provider_id):
    """``sign_in(person, variant)``: begin, the IdP's answer, finish (committed as the route would)."""

    def run(person="ada", variant="", change=None, kept=None) -> Assertion:
        with app.app_context():
            provider = db.session.get(IdentityProvider, provider_id)
            start = saml.begin(provider, RETURN_URL)
            form = saml_idp.answer(start.url, person, variant=variant)
            if change:
                form = change(form)
            try:
                return saml.finish(provider, RETURN_URL, form, start.kept if kept is None else kept)
            finally:
                db.session.commit()

    return run


def refusal(call, *args, **kwargs) -> SignInRefused:
    with pytest.raises(SignInRefused) as caught:
        call(*args, **kwargs)
    return caught.value


def finish_form(app, provider_id, form, kept):
    with app.app_context():
        try:
            return saml.finish(db.session.get(IdentityProvider, provider_id), RETURN_URL, form, kept)
        finally:
            db.session.commit()


# ------------------------------------------------------------------------------------------------ accepted ---

def test_a_signed_assertion_says_who_signed_in(sign_in):
    assertion = sign_in("ada")
    assert assertion.subject == "nb-7f3e21"
    assert assertion.email == "ada.lovelace@northbridge.org"
    assert assertion.email_verified is True
    assert assertion.name == "Ada Lovelace"
    assert assertion.mfa is False
    # Each attribute under its friendly name and its OID name; several values joined for the role mapping.
    assert assertion.claims["eduPersonAffiliation"] == "faculty member"
    assert assertion.claims["urn:oid:1.3.6.1.4.1.5923.1.1.1.1"] == "faculty member"
    assert assertion.claims["mail"] == "Ada.Lovelace@northbridge.org"


def test_the_name_is_made_from_given_name_and_surname_without_a_display_name(sign_in):
    assertion = sign_in("ben")
    assert (assertion.subject, assertion.name, assertion.claims["eduPersonAffiliation"]) == (
        "nb-1c09d4", "Ben Okafor", "student")


def test_without_an_email_none_is_vouched_for(sign_in):
    assertion = sign_in("cy")
    assert (assertion.email, assertion.email_verified, assertion.name) == ("", False, "Cy Tan")


def test_an_mfa_authentication_context_is_reported(sign_in):
    assert sign_in("ada", variant="mfa").mfa is True


# ------------------------------------------------------------------------------------------------ refused ---

@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_wrong_answer_is_refused_with_its_reason(sign_in, variant):
    refused = refusal(sign_in, "ada", variant=variant)
    assert refused.reason == VARIANTS[variant]
    assert refused.message and "Traceback" not in refused.message


def test_an_assertion_changed_after_signing_is_refused(sign_in):
    def forge(form):
        xml = base64.b64decode(form["SAMLResponse"]).decode()
        assert "nb-7f3e21" in xml
        return {**form, "SAMLResponse": base64.b64encode(xml.replace("nb-7f3e21", "nb-000001").encode()).decode()}

    assert refusal(sign_in, "ada", change=forge).reason == "signature"


def test_a_forged_assertion_wrapped_around_the_signed_one_is_refused(sign_in):
    """Signature wrapping: the signed assertion hidden in the response's Extensions, a forged copy (same ID,
    same signature, another NameID) where the assertion belongs."""
    def wrap(form):
        xml = base64.b64decode(form["SAMLResponse"]).decode()
        start, end = xml.index("<ns1:Assertion "), xml.index("</ns1:Assertion>") + len("</ns1:Assertion>")
        signed = xml[start:end]
        forged = signed.replace("nb-7f3e21", "nb-000001")
        wrapped = xml[:start] + forged + xml[end:]
        status = wrapped.index("<ns0:Status>")
        wrapped = wrapped[:status] + f"<ns0:Extensions>{signed}</ns0:Extensions>" + wrapped[status:]
        return {**form, "SAMLResponse": base64.b64encode(wrapped.encode()).decode()}

    assert refusal(sign_in, "ada", change=wrap).reason == "signature"


def test_an_answer_to_a_request_this_browser_did_not_make_is_refused(sign_in):
    assert refusal(sign_in, "ada", kept={}).reason == "state"
    assert refusal(sign_in, "ada", kept={"request_id": "id-another"}).reason == "state"


@pytest.mark.parametrize("form", [
    {},
    {"SAMLResponse": ""},
    {"SAMLResponse": "%%% not base64 %%%"},
    {"SAMLResponse": base64.b64encode(b"just words").decode()},
    {"SAMLResponse": base64.b64encode(b"<unclosed").decode()},
    {"SAMLResponse": base64.b64encode(b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>').decode()},
    {"SAMLResponse": base64.b64encode(b"<html><body>Sign-in failed</body></html>").decode()},
])
def test_an_unreadable_answer_is_refused(app, provider_id, form):
    assert refusal(finish_form, app, provider_id, form, {"request_id": "id-1"}).reason == "provider"


def test_an_assertion_is_accepted_once(app, saml_idp, provider_id):
    with app.app_context():
        provider = db.session.get(IdentityProvider, provider_id)
        start = saml.begin(provider, RETURN_URL)
        saml_idp.answer(start.url, "ada")
        captured = saml_idp.issued[-1]
        assert saml.finish(provider, RETURN_URL, captured, start.kept).subject == "nb-7f3e21"
        db.session.commit()
        assert refusal(saml.finish, provider, RETURN_URL, captured, start.kept).reason == "replay"
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(UsedAssertion)) == 1


def test_the_clock_skew_allowed_is_two_minutes(app, saml_idp, provider_id):
    """The IdP's assertions live five minutes: accepted 100 s after, refused 130 s after."""
    with app.app_context():
        provider = db.session.get(IdentityProvider, provider_id)
        late = datetime.now(UTC) + timedelta(minutes=5)
        for delay, accepted in ((100, True), (130, False)):
            start = saml.begin(provider, RETURN_URL)
            form = saml_idp.answer(start.url, "ada")
            with time_machine.travel(late + timedelta(seconds=delay), tick=False):
                if accepted:
                    assert saml.finish(provider, RETURN_URL, form, start.kept).subject == "nb-7f3e21"
                else:
                    assert refusal(saml.finish, provider, RETURN_URL, form, start.kept).reason == "expired"


# ------------------------------------------------------------------------------------------------- begin ---

def test_begin_sends_an_unsigned_authn_request_by_redirect(app, saml_idp, provider_id):
    with app.app_context():
        start = saml.begin(db.session.get(IdentityProvider, provider_id), RETURN_URL)
    assert start.url.startswith(saml_idp.sso_url + "?")
    assert "Signature" not in parse_qs(urlsplit(start.url).query)
    request, _relay = saml_idp.read_request(start.url)
    assert start.kept == {"request_id": request.id}
    assert request.issuer.text == ENTITY_ID == saml.sp_entity_id(RETURN_URL)
    assert request.assertion_consumer_service_url == RETURN_URL
    assert request.protocol_binding == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    assert request.name_id_policy.format == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    assert request.signature is None


def test_a_provider_without_usable_metadata_cannot_begin(app):
    provider = IdentityProvider(slug="broken", kind=ProviderKind.SAML, name="Broken", metadata_xml="<nope/>",
                                entity_id="https://idp.example.org/")
    with app.app_context():
        assert refusal(saml.begin, provider, RETURN_URL).reason == "provider"


def test_a_second_assertion_or_a_second_element_with_its_id_is_refused_before_xmlsec_runs():
    one = ('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
           'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">{}</samlp:Response>')
    saml_checks.check_one_assertion(one.format('<saml:Assertion ID="a1"/>'), "a1")
    for body in ('<saml:Assertion ID="a1"/><samlp:Extensions><saml:Assertion ID="a2"/></samlp:Extensions>',
                 '<saml:Assertion ID="a1"/><samlp:Extensions><x ID="a1"/></samlp:Extensions>'):
        assert refusal(saml_checks.check_one_assertion, one.format(body), "a1").reason == "signature"
