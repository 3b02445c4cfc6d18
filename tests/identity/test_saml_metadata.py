"""SAML metadata: reading an IdP's for the admin form, publishing ours, and a sign-in over HTTP with the IdP
learning our SP from our metadata address."""

from __future__ import annotations

import base64
import html
import re
import threading
from types import SimpleNamespace

import pytest
import requests
from defusedxml.ElementTree import fromstring
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from network.identity import saml, saml_metadata
from network.identity.protocol import SignInRefused
from tests.servers import free_port

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
RETURN_URL = "https://network.example.org/auth/login/with/northbridge/return"


def provider_for(idp) -> SimpleNamespace:
    """The provider's columns as the admin form stores them (no database needed to read or publish)."""
    return SimpleNamespace(id=None, slug="northbridge", **saml.read_metadata(idp.metadata_xml, require_https=True))


# ------------------------------------------------------------------------------------------ read_metadata ---

def test_metadata_xml_pasted_gives_the_entity_id(saml_idp):
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + saml_idp.metadata_xml
    assert saml.read_metadata(xml, require_https=True) == {
        "metadata_url": "", "metadata_xml": xml, "entity_id": saml_idp.entity_id}


def test_metadata_is_fetched_from_its_address(saml_idp_server):
    columns = saml.read_metadata(saml_idp_server.metadata_url, require_https=False)
    assert columns["metadata_url"] == saml_idp_server.metadata_url
    assert columns["entity_id"] == saml_idp_server.entity_id
    assert "IDPSSODescriptor" in columns["metadata_xml"]


def test_an_http_address_is_refused_when_https_is_required(saml_idp_server):
    with pytest.raises(ValueError, match="https://"):
        saml.read_metadata(saml_idp_server.metadata_url, require_https=True)


def test_an_address_that_does_not_answer_is_refused():
    with pytest.raises(ValueError, match="could not be reached"):
        saml.read_metadata(f"http://127.0.0.1:{free_port()}/metadata", require_https=False)


def test_an_address_that_answers_with_an_error_is_refused(saml_idp_server):
    with pytest.raises(ValueError, match="HTTP 404"):
        saml.read_metadata(saml_idp_server.metadata_url.replace("/metadata", "/nothing"), require_https=False)


def test_a_service_providers_metadata_is_not_an_identity_providers(saml_idp):
    with pytest.raises(ValueError, match="service provider"):
        saml.read_metadata(saml.sp_metadata(provider_for(saml_idp), RETURN_URL), require_https=True)


def _without(xml: str, pattern: str) -> str:
    changed = re.sub(pattern, "", xml, flags=re.S)
    assert changed != xml
    return changed


@pytest.mark.parametrize(("change", "message"), [
    (lambda xml: _without(xml, r"<ns0:KeyDescriptor.*?</ns0:KeyDescriptor>"), "no signing certificate"),
    (lambda xml: xml.replace("HTTP-Redirect", "HTTP-Artifact"), "HTTP-Redirect"),
    (lambda xml: re.sub(r"<ns2:X509Certificate>[^<]+<", "<ns2:X509Certificate>bm90IGEgY2VydA==<", xml),
     "certificate cannot be read"),
    (lambda xml: xml.replace(' entityID="', ' data-entity="'), "no entityID"),
    (lambda xml: f'<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">{xml}'
                 f'</md:EntitiesDescriptor>', "several entities"),
    (lambda xml: xml.replace("<ns0:EntityDescriptor ", '<ns0:EntityDescriptor validUntil="2001-01-01T00:00:00Z" ', 1),
     "cannot be used"),
])
def test_metadata_an_idp_cannot_be_used_with_is_refused(saml_idp, change, message):
    with pytest.raises(ValueError, match=message):
        saml.read_metadata(change(saml_idp.metadata_xml), require_https=True)


@pytest.mark.parametrize("source", [
    "", "northbridge.org", "ftp://idp.example.org/metadata", "<not-closed", "<html><body>Hello</body></html>",
    '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>',
    '<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>',
])
def test_garbage_is_not_metadata(source):
    with pytest.raises(ValueError):
        saml.read_metadata(source, require_https=False)


# ------------------------------------------------------------------------------------------- sp_metadata ---

def test_our_metadata_names_our_entity_id_and_assertion_consumer_service(saml_idp):
    root = fromstring(saml.sp_metadata(provider_for(saml_idp), RETURN_URL).encode())
    assert root.get("entityID") == saml.sp_entity_id(RETURN_URL) == RETURN_URL.replace("/return", "/metadata")
    sp = root.find(f"{MD}SPSSODescriptor")
    assert (sp.get("WantAssertionsSigned"), sp.get("AuthnRequestsSigned")) == ("true", "false")
    [acs] = sp.findall(f"{MD}AssertionConsumerService")
    assert (acs.get("Location"), acs.get("Binding")) == (RETURN_URL, "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST")
    assert sp.findtext(f"{MD}NameIDFormat") == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    assert sp.find(f"{MD}KeyDescriptor") is None  # we hold no key


def test_our_metadata_is_served_while_the_idps_is_broken():
    broken = SimpleNamespace(id=None, slug="northbridge", metadata_xml="<nope/>", entity_id="https://idp.example/")
    assert fromstring(saml.sp_metadata(broken, RETURN_URL).encode()).get("entityID") == saml.sp_entity_id(RETURN_URL)


# ------------------------------------------------------------------------------------------ over HTTP ---

def _hidden(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page).group(1))


@pytest.fixture
def our_metadata_served():
    """A stand-in for our metadata route (served without a login): {path: xml}, on 127.0.0.1."""
    documents: dict[str, str] = {}

    @Request.application
    def serve(request):
        if request.path in documents:
            return Response(documents[request.path], mimetype="application/samlmetadata+xml")
        return Response("not found", status=404)

    port = free_port()
    server = make_server("127.0.0.1", port, serve, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(base=f"http://127.0.0.1:{port}", documents=documents)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_person_picks_who_they_are_at_the_idp_and_comes_back(saml_idp_server, our_metadata_served, monkeypatch):
    """Over HTTP: the IdP fetches our metadata at our entity id, shows its page, and posts back to our ACS."""
    monkeypatch.setattr(saml, "first_use", lambda *args: True)  # no database here: replay is tested elsewhere
    return_url = our_metadata_served.base + "/auth/login/with/northbridge/return"
    provider = SimpleNamespace(id=None, slug="northbridge",
                               **saml.read_metadata(saml_idp_server.metadata_url, require_https=False))
    our_metadata_served.documents["/auth/login/with/northbridge/metadata"] = saml.sp_metadata(provider, return_url)
    start = saml.begin(provider, return_url)
    assert not saml_idp_server.knows_sp(saml.sp_entity_id(return_url))

    page = requests.get(start.url, timeout=10).text
    assert saml_idp_server.knows_sp(saml.sp_entity_id(return_url))
    assert '<select id="person" name="person">' in page and ">Sign in</button>" in page
    back = requests.post(saml_idp_server.sso_url, timeout=10, data={
        "SAMLRequest": _hidden(page, "SAMLRequest"), "RelayState": _hidden(page, "RelayState"), "person": "ben"}).text
    assert f'action="{return_url}"' in back and ">Continue</button>" in back

    assertion = saml.finish(provider, return_url, {"SAMLResponse": _hidden(back, "SAMLResponse")}, start.kept)
    assert (assertion.subject, assertion.email, assertion.name) == ("nb-1c09d4", "ben.okafor@northbridge.org",
                                                                   "Ben Okafor")
    assert saml_idp_server.issued[-1]["SAMLResponse"] == _hidden(back, "SAMLResponse")


def test_the_served_idp_answers_wrongly_on_request(saml_idp_server, our_metadata_served):
    return_url = our_metadata_served.base + "/auth/login/with/northbridge/return"
    provider = SimpleNamespace(id=None, slug="northbridge",
                               **saml.read_metadata(saml_idp_server.metadata_url, require_https=False))
    saml_idp_server.learn_sp(saml.sp_metadata(provider, return_url))
    saml_idp_server.variant = "wrong_audience"
    start = saml.begin(provider, return_url)
    page = requests.get(start.url, timeout=10).text
    back = requests.post(saml_idp_server.sso_url, timeout=10, data={
        "SAMLRequest": _hidden(page, "SAMLRequest"), "RelayState": "", "person": "ada"}).text
    with pytest.raises(SignInRefused) as refused:
        saml.finish(provider, return_url, {"SAMLResponse": _hidden(back, "SAMLResponse")}, start.kept)
    assert refused.value.reason == "audience"


def _damaged(xml: str):
    """The response with each element removed, each attribute removed, and each text changed, in turn."""
    for match in re.finditer(r"<(ns\d:\w+)[ >/]", xml):
        tag_end = xml.index(">", match.start())
        if xml[tag_end - 1] == "/":
            yield xml[:match.start()] + xml[tag_end + 1:]
        elif (close := xml.find(f"</{match.group(1)}>", match.start())) != -1:
            yield xml[:match.start()] + xml[close + len(match.group(1)) + 3:]
    for match in re.finditer(r' [\w:]+="[^"]*"', xml):
        yield xml[:match.start()] + xml[match.end():]
    for match in re.finditer(r">([^<]+)<", xml):
        yield xml[:match.start(1)] + "x" + xml[match.end(1):]


def test_a_damaged_response_is_refused_with_a_reason_or_means_the_same(saml_idp, monkeypatch):
    """Nothing but SignInRefused escapes ``finish``; what is still accepted (an unsigned part removed: the
    response's Issuer or Destination, the signature's KeyInfo) says exactly what the original said."""
    monkeypatch.setattr(saml, "first_use", lambda *args: True)  # no database here: replay is tested elsewhere
    provider = provider_for(saml_idp)
    saml_idp.learn_sp(saml.sp_metadata(provider, RETURN_URL))
    start = saml.begin(provider, RETURN_URL)
    form = saml_idp.answer(start.url, "ada")
    original = saml.finish(provider, RETURN_URL, form, start.kept)
    xml = base64.b64decode(form["SAMLResponse"]).decode()
    reasons = set()
    for damaged in _damaged(xml):
        posted = {"SAMLResponse": base64.b64encode(damaged.encode()).decode()}
        try:
            accepted = saml.finish(provider, RETURN_URL, posted, start.kept)
        except SignInRefused as refused:
            reasons.add(refused.reason)
        else:
            assert accepted == original
    assert {"signature", "denied", "issuer", "unsigned", "state"} <= reasons


def test_without_xmlsec1_the_admin_is_told_what_to_install(monkeypatch, saml_idp):
    """pysaml2 checks signatures with the xmlsec1 program: a server without it cannot take a SAML provider."""
    monkeypatch.setattr(saml_metadata, "XMLSEC_BINARY", "/nonexistent/xmlsec1")
    with pytest.raises(ValueError, match="Debian package xmlsec1"):
        saml.read_metadata(saml_idp.metadata_xml, require_https=False)
