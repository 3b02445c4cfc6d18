"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP (``saml2.server.Server``) with a key and
certificate made at start, in-process (``SamlIdP``) or served over HTTP on 127.0.0.1 (``start_idp``).

In-process::

    idp = SamlIdP("http://127.0.0.1:1/idp", tmp_dir)
    idp.learn_sp(sp_metadata_xml)
    form = idp.answer(start.url, "ada")               # {"action": ACS, "SAMLResponse": ..., "RelayState": ...}
    form = idp.answer(start.url, "ada", variant="expired")

Over HTTP (``start_idp(tmp_dir)``): ``/metadata``; ``/sso`` (HTTP-Redirect) shows a page to pick a person
(``<select name="person">``) and a "Sign in" button, which answers with a form to our assertion consumer
service and a "Continue" button (no script: the browser tests click it). An SP it has not met is learnt
from its metadata, fetched at the AuthnRequest's issuer (our entity id is our metadata's address).
``idp.variant`` makes the next answers wrong on purpose; every answer is kept in ``idp.issued``.

"expired" and "not_yet_valid" are made by moving the clock (time-machine) while the answer is built: for
that instant it moves for the whole process, so no other thread should be mid-request then.
"""

from __future__ import annotations

import base64
import html
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT, samlp, xmldsig
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.servers import free_port

XMLSEC = "/usr/bin/xmlsec1"
PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
MFA_CLASS = "https://refeds.org/profile/mfa"
OTHER_ISSUER = "https://other-idp.example.org/idp/metadata"

#: Answers made wrong on purpose, and the reason code ``saml.finish`` refuses each with.
VARIANTS = {
    "unsigned": "unsigned",              # neither the assertion nor the response signed
    "response_signed_only": "unsigned",  # the response signed, its assertion not
    "other_key": "signature",            # signed with a key that is not in the IdP's metadata
    "wrong_audience": "audience",        # an assertion for another SP
    "wrong_recipient": "recipient",      # addressed to another ACS
    "expired": "expired",                # issued an hour ago (lifetime 5 minutes)
    "not_yet_valid": "expired",          # issued ten minutes in the future
    "wrong_in_response_to": "state",     # an answer to another request
    "wrong_issuer": "issuer",            # from another IdP (signed with this one's key)
    "denied": "denied",                  # status Responder / AuthnFailed, no assertion
    "sha1": "signature",                 # signed with RSA-SHA1 and a SHA-1 digest
    "transient": "provider",             # a transient NameID: a new one at each sign-in, nothing to link
}


@dataclass(frozen=True)
class Person:
    key: str
    label: str
    name_id: str
    attributes: dict[str, list[str]] = field(default_factory=dict)


PEOPLE = {person.key: person for person in (
    Person("ada", "Ada Lovelace (faculty)", "nb-7f3e21", {
        "mail": ["Ada.Lovelace@northbridge.org"], "displayName": ["Ada Lovelace"], "givenName": ["Ada"],
        "sn": ["Lovelace"], "eduPersonAffiliation": ["faculty", "member"]}),
    Person("ben", "Ben Okafor (student)", "nb-1c09d4", {
        "mail": ["ben.okafor@northbridge.org"], "givenName": ["Ben"], "sn": ["Okafor"],
        "eduPersonAffiliation": ["student"]}),
    Person("cy", "Cy Tan (no email released)", "nb-55aa02", {"displayName": ["Cy Tan"]}),
)}


def make_key_pair(directory: Path, name: str, common_name: str) -> tuple[Path, Path]:
    """A 2048-bit RSA key and a self-signed certificate valid for a day, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def _server(entity_id: str, sso_url: str, key: tuple[Path, Path], sp_metadata: list[str]) -> Server:
    config = IdPConfig()
    config.load({
        "entityid": entity_id,
        "xmlsec_binary": XMLSEC,
        "key_file": str(key[0]),
        "cert_file": str(key[1]),
        "service": {"idp": {
            "endpoints": {"single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT)]},
            "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            "want_authn_requests_signed": False,
            "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI,
                                   "attribute_restrictions": None}},
        }},
        "metadata": {"inline": sp_metadata},
    })
    return Server(config=config)


class SamlIdP:
    """The IdP at ``base_url`` (``…/metadata`` is its entity id and metadata, ``…/sso`` its SSO service)."""

    def __init__(self, base_url: str, directory: Path):
        self.base_url = base_url.rstrip("/")
        self.entity_id = self.metadata_url = f"{self.base_url}/metadata"
        self.sso_url = f"{self.base_url}/sso"
        directory.mkdir(parents=True, exist_ok=True)
        self._keys = make_key_pair(directory, "idp", "Test IdP")
        self._other_keys = make_key_pair(directory, "other", "Not the Test IdP")
        self._sp_metadata: list[str] = []
        self._build()
        self.metadata_xml = create_metadata_string(None, config=self.server.config).decode("utf-8")
        self.variant = ""
        self.issued: list[dict] = []

    def _build(self) -> None:
        self.server = _server(self.entity_id, self.sso_url, self._keys, self._sp_metadata)
        # The same IdP as far as the XML says, but signing with a key its metadata does not list.
        self.other_key_server = _server(self.entity_id, self.sso_url, self._other_keys, self._sp_metadata)

    def learn_sp(self, sp_metadata_xml: str) -> None:
        """Trust a service provider from its metadata (its ACS, its entity id as audience)."""
        self._sp_metadata.append(sp_metadata_xml)
        self._build()

    def knows_sp(self, entity_id: str) -> bool:
        return entity_id in self.server.metadata.service_providers()

    def read_request(self, redirect_url: str) -> tuple[samlp.AuthnRequest, str]:
        """The AuthnRequest and RelayState carried by an HTTP-Redirect address (as ``begin`` makes it)."""
        query = parse_qs(urlsplit(redirect_url).query)
        return self.parse_request(query["SAMLRequest"][0]), query.get("RelayState", [""])[0]

    def parse_request(self, encoded: str) -> samlp.AuthnRequest:
        return self.server.parse_authn_request(encoded, BINDING_HTTP_REDIRECT).message

    def answer(self, redirect_url: str, person: str, variant: str | None = None) -> dict:
        """Sign ``person`` in for the request in ``redirect_url``: the form the browser would post."""
        request, relay_state = self.read_request(redirect_url)
        return self.answer_request(request, relay_state, person, self.variant if variant is None else variant)

    def answer_request(self, request: samlp.AuthnRequest, relay_state: str, person: str, variant: str = "") -> dict:
        if variant and variant not in VARIANTS and variant != "mfa":
            raise ValueError(f"unknown variant {variant!r}")
        chosen = PEOPLE[person]
        sp = request.issuer.text
        acs = self.server.response_args(request)["destination"]
        destination = "https://elsewhere.example.org/saml/acs" if variant == "wrong_recipient" else acs
        in_response_to = "_someone-elses-request" if variant == "wrong_in_response_to" else request.id
        if variant == "denied":
            response = self.server.create_error_response(
                in_response_to, destination, (samlp.STATUS_AUTHN_FAILED, "The person cancelled"), sign=False)
        else:
            response = self._authn_response(chosen, sp, destination, in_response_to, variant)
        encoded = self._post_form(str(response), destination, relay_state)
        self.issued.append(encoded)
        return encoded

    def _authn_response(self, person: Person, sp: str, destination: str, in_response_to: str, variant: str):
        server = self.other_key_server if variant == "other_key" else self.server
        shift = {"expired": timedelta(hours=-1), "not_yet_valid": timedelta(minutes=10)}.get(variant)
        args = {
            "identity": person.attributes,
            "in_response_to": in_response_to,
            "destination": destination,
            "sp_entity_id": "https://elsewhere.example.org/saml/metadata" if variant == "wrong_audience" else sp,
            "name_id": NameID(format=NAMEID_FORMAT_TRANSIENT if variant == "transient" else NAMEID_FORMAT_PERSISTENT,
                              sp_name_qualifier=sp, text=person.name_id),
            "authn": {"class_ref": MFA_CLASS if variant == "mfa" else PASSWORD_CLASS,
                      "authn_auth": self.entity_id},
            "issuer": OTHER_ISSUER if variant == "wrong_issuer" else None,
            "sign_assertion": variant not in ("unsigned", "response_signed_only"),
            "sign_response": variant == "response_signed_only",
            "best_effort": True,
            "sign_alg": xmldsig.SIG_RSA_SHA1 if variant == "sha1" else xmldsig.SIG_RSA_SHA256,
            "digest_alg": xmldsig.DIGEST_SHA1 if variant == "sha1" else xmldsig.DIGEST_SHA256,
        }
        if shift is None:
            return server.create_authn_response(**args)
        with time_machine.travel(datetime.now(UTC) + shift, tick=False):
            return server.create_authn_response(**args)

    @staticmethod
    def _post_form(xml: str, destination: str, relay_state: str) -> dict:
        return {"action": destination, "SAMLResponse": base64.b64encode(xml.encode("utf-8")).decode("ascii"),
                "RelayState": relay_state}


# ---------------------------------------------------------------------------------------------- over HTTP ---

_PICK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test IdP: sign in</title></head><body>
<h1>Test identity provider</h1>
<form method="post" action="{action}">
<input type="hidden" name="SAMLRequest" value="{request}"><input type="hidden" name="RelayState" value="{relay}">
<label for="person">Who are you?</label>
<select id="person" name="person">{options}</select>
<button type="submit">Sign in</button>
</form></body></html>"""

_POST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test IdP: back to the site</title></head><body>
<form method="post" action="{action}">
<input type="hidden" name="SAMLResponse" value="{response}"><input type="hidden" name="RelayState" value="{relay}">
<button type="submit">Continue</button>
</form></body></html>"""


class SamlIdPServer:
    """``SamlIdP`` served by werkzeug in a thread on 127.0.0.1; its addresses name ``host`` (see ``start_idp``)."""

    def __init__(self, directory: Path, host: str = "127.0.0.1"):
        self.port = free_port()
        self.idp = SamlIdP(f"http://{host}:{self.port}", directory)
        self._http = make_server("127.0.0.1", self.port, self._wsgi, threaded=True)
        self._thread = threading.Thread(target=self._http.serve_forever, name="saml-idp", daemon=True)
        self._thread.start()

    def __getattr__(self, name):
        return getattr(self.idp, name)

    @property
    def variant(self) -> str:
        return self.idp.variant

    @variant.setter
    def variant(self, value: str) -> None:
        self.idp.variant = value

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=5)

    @Request.application
    def _wsgi(self, request: Request) -> Response:
        if request.path == "/metadata":
            return Response(self.idp.metadata_xml, mimetype="application/samlmetadata+xml")
        if request.path == "/sso" and request.method == "GET":
            return self._pick(request)
        if request.path == "/sso" and request.method == "POST":
            return self._signed_in(request)
        return Response("not found", status=404)

    def _pick(self, request: Request) -> Response:
        encoded = request.args.get("SAMLRequest", "")
        issuer = self.idp.server.parse_authn_request(encoded, BINDING_HTTP_REDIRECT).message.issuer.text
        if not self.idp.knows_sp(issuer):
            # Our entity id is the address of our metadata, served without a login.
            self.idp.learn_sp(requests.get(issuer, timeout=10).text)
        options = "".join(f'<option value="{html.escape(p.key)}">{html.escape(p.label)}</option>'
                          for p in PEOPLE.values())
        return Response(_PICK_PAGE.format(action=html.escape(self.idp.sso_url), request=html.escape(encoded),
                                          relay=html.escape(request.args.get("RelayState", "")), options=options),
                        mimetype="text/html")

    def _signed_in(self, request: Request) -> Response:
        saml_request = self.idp.parse_request(request.form["SAMLRequest"])
        form = self.idp.answer_request(saml_request, request.form.get("RelayState", ""), request.form["person"],
                                       self.idp.variant)
        return Response(_POST_PAGE.format(action=html.escape(form["action"]),
                                          response=html.escape(form["SAMLResponse"]),
                                          relay=html.escape(form["RelayState"])), mimetype="text/html")


def start_idp(directory: Path, host: str = "127.0.0.1") -> SamlIdPServer:
    """A test IdP listening on 127.0.0.1 at a free port; ``.stop()`` when done. Its metadata and addresses name
    ``host``: "localhost" makes it another site than an app on 127.0.0.1 for a browser (a SameSite cookie test)."""
    return SamlIdPServer(directory, host)


__all__ = ["MFA_CLASS", "PEOPLE", "VARIANTS", "SamlIdP", "SamlIdPServer", "start_idp"]
