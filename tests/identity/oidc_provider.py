"""Real OpenID providers on 127.0.0.1 for the tests: the oidc-provider-mock package, and one we script.

Plain Python (no pytest), like ``tests/servers.py``::

    mock = start_mock_provider()
    mock.add_person("ada", email="ada@northbridge.org", email_verified=True, name="Ada Lovelace")
    start = oidc.begin(provider, return_url)            # provider = mock.identity_provider(), in an app context
    params = mock.authorize(start.url, "ada")           # types "ada" on its page and clicks Authorize
    assertion = oidc.finish(provider, return_url, params, start.kept)
    mock.stop()

``start_mock_provider`` runs oidc-provider-mock: any client id and secret are accepted, its page
has an ``input[name=sub]`` and an Authorize button (a browser test fills one and clicks the other),
and it demands a nonce. ``start_scripted_provider`` runs ``ScriptedProvider``, ours: it approves at
once and can be told to get its ID token wrong on purpose (``provider.flaw = "nonce"``, see ``FLAWS``).
Each runs in a thread (werkzeug's server) on a free port; ``stop()`` is idempotent. With ``tls=True``
it serves https with a certificate for 127.0.0.1 from a test CA, which a client trusts with
``REQUESTS_CA_BUNDLE=CA_BUNDLE`` (the helpers here trust it already).
"""

from __future__ import annotations

import atexit
import base64
import datetime
import hashlib
import ipaddress
import itertools
import json
import os
import shutil
import ssl
import tempfile
import threading
import time
import warnings
from urllib.parse import parse_qsl, urlencode, urlsplit

import flask
import jinja2
import requests
from authlib.deprecate import AuthlibDeprecationWarning
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from werkzeug.serving import make_server

from network.identity.models import IdentityProvider, ProviderKind
from network.identity.secrets import set_client_secret
from tests.servers import HOST, free_port

with warnings.catch_warnings():
    # It imports Authlib's deprecated authlib.jose and httpx client, which warn once, at import.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    import oidc_provider_mock

CLIENT_ID = "fellowship-network"
CLIENT_SECRET = "a-client-secret-long-enough-for-hs256-0123456789"

#: What ``ScriptedProvider.flaw`` can make wrong.
FLAWS = {
    "": "nothing: a good ID token",
    "nonce": "the ID token carries another nonce",
    "expired": "the ID token expired ten minutes ago",
    "issued-in-future": "the ID token was issued ten minutes from now",
    "audience": "the ID token is for another client",
    "azp": "the ID token has two audiences and no azp",
    "issuer": "the ID token names another issuer",
    "other-key": "the ID token is signed by a key that is not the published one (same key id)",
    "unknown-kid": "the ID token is signed by an unpublished key with a key id the key set never has",
    "hs256": "the ID token is signed with HS256, keyed with the client secret",
    "none": "the ID token is not signed (alg none)",
    "no-id-token": "the token response has no ID token",
    "token-error": "the token endpoint answers invalid_grant",
    "slow": "the token endpoint answers after SLOW seconds",
}
SLOW = 1.5


class _ThreadedServer:
    """A WSGI app served by werkzeug in a thread on 127.0.0.1; over https with ``tls`` (see ``CA_BUNDLE``)."""

    def __init__(self, app, tls: bool = False):
        for attempt in range(3):
            port = free_port()
            try:
                self._server = make_server(HOST, port, app, threaded=True, ssl_context=_tls_context() if tls else None)
                break
            except OSError:
                if attempt == 2:
                    raise
        self.port = port
        self.url = f"{'https' if tls else 'http'}://{HOST}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True, name=f"oidc-provider-{port}")
        self._thread.start()
        self._stopped = False

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def identity_provider(self, slug: str = "northbridge", name: str = "Northbridge Health",
                          client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET, **fields) -> IdentityProvider:
        """An ``IdentityProvider`` for this server (not added to a session; needs an app context)."""
        provider = IdentityProvider(slug=slug, kind=ProviderKind.OIDC, name=name, metadata_url=self.discovery_url,
                                    client_id=client_id, enabled=True, **fields)
        set_client_secret(provider, secret)
        return provider

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def redirect_params(response: requests.Response) -> dict[str, str]:
    """The query of the redirect back to us (what the browser would bring to the return address)."""
    assert response.status_code in (302, 303), f"expected a redirect, got {response.status_code}: {response.text}"
    return dict(parse_qsl(urlsplit(response.headers["Location"]).query))


# -- oidc-provider-mock --------------------------------------------------------------------------------

#: The package's page layout without its stylesheet from a CDN: tests never reach the internet.
_OFFLINE_BASE = """<!doctype html>
<html lang="en"><title>OpenID provider (test)</title>
<main class="container">{% block content %}{{ content }}{% endblock %}</main>
</html>"""


class MockProvider(_ThreadedServer):
    """oidc-provider-mock: a person signs in by typing any ``sub`` and clicking Authorize."""

    def __init__(self, tls: bool = False):
        app = oidc_provider_mock.app(require_nonce=True, issue_refresh_token=False)
        app.jinja_loader = jinja2.ChoiceLoader([jinja2.DictLoader({"_base.html": _OFFLINE_BASE}), app.jinja_loader])
        super().__init__(app, tls)

    def add_person(self, sub: str, **claims) -> None:
        """Give ``sub`` these claims (email, email_verified, name, amr, groups, ...) in later ID tokens."""
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5, verify=CA_BUNDLE)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url: str, sub: str) -> dict[str, str]:
        """Open the authorization page, type ``sub``, click Authorize: the redirect's query back to us."""
        page = requests.get(authorization_url, timeout=5, verify=CA_BUNDLE)
        assert page.status_code == 200 and 'name="sub"' in page.text, page.text
        return redirect_params(requests.post(authorization_url, data={"sub": sub}, allow_redirects=False,
                                             timeout=5, verify=CA_BUNDLE))

    def deny(self, authorization_url: str) -> dict[str, str]:
        """Click Deny on the authorization page."""
        return redirect_params(requests.post(authorization_url, data={"action": "deny"}, allow_redirects=False,
                                             timeout=5, verify=CA_BUNDLE))


def start_mock_provider(tls: bool = False) -> MockProvider:
    return MockProvider(tls)


# -- the scripted provider ---------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class ScriptedProvider(_ThreadedServer):
    """Our own provider: approves every authorization at once and signs what it is told to.

    Set ``flaw`` (a key of ``FLAWS``), ``person`` (the claims about who signs in), ``extra_claims``
    (set or replace any claim, "exp" included), ``auth_methods`` (its discovery document's
    ``token_endpoint_auth_methods_supported``; None leaves it out) or ``document`` (replace entries of
    the discovery document). ``hits`` counts requests by path, ``token_requests`` keeps what reached
    the token endpoint. ``rotate_keys()`` signs with a new key from then on and publishes only that.
    ``reset()`` puts it all back.
    """

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET, tls: bool = False):
        self.client_id = client_id
        self.client_secret = client_secret
        self._kids = itertools.count(1)
        self._codes: dict[str, dict] = {}
        self._lock = threading.Lock()
        self.reset()
        super().__init__(self._app(), tls)

    def reset(self) -> None:
        self.flaw = ""
        self.person = {"sub": "ada-1815", "email": "ada@northbridge.org", "email_verified": True,
                       "name": "Ada Lovelace"}
        self.extra_claims: dict = {}
        self.auth_methods: list[str] | None = ["client_secret_basic", "client_secret_post"]
        self.document: dict = {}
        self.hits: dict[str, int] = {}
        self.token_requests: list[dict] = []
        self.key = self._new_key()
        self.published = [self.key]

    def rotate_keys(self) -> None:
        self.key = self._new_key()
        self.published = [self.key]

    def authorize(self, authorization_url: str) -> dict[str, str]:
        """Follow the authorization address as a browser would: the redirect's query back to us."""
        return redirect_params(requests.get(authorization_url, allow_redirects=False, timeout=5,
                                            verify=CA_BUNDLE))

    def _new_key(self) -> RSAKey:
        return RSAKey.generate_key(2048, parameters={"kid": f"key-{next(self._kids)}", "use": "sig",
                                                     "alg": "RS256"})

    # -- its endpoints ---------------------------------------------------------------------------------

    def _app(self) -> flask.Flask:
        app = flask.Flask("scripted_oidc_provider")

        @app.before_request
        def count():
            with self._lock:
                self.hits[flask.request.path] = self.hits.get(flask.request.path, 0) + 1

        app.get("/.well-known/openid-configuration")(self._discovery)
        app.get("/jwks")(lambda: {"keys": [key.as_dict(private=False) for key in self.published]})
        app.get("/authorize")(self._authorize)
        app.post("/token")(self._token)
        return app

    def _discovery(self):
        document = {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
        }
        if self.auth_methods is not None:
            document["token_endpoint_auth_methods_supported"] = self.auth_methods
        document.update(self.document)
        return document

    def _authorize(self):
        args = flask.request.args
        problems = [name for name, good in (
            ("client_id", args.get("client_id") == self.client_id),
            ("response_type", args.get("response_type") == "code"),
            ("scope", "openid" in args.get("scope", "").split()),
            ("code_challenge_method", args.get("code_challenge_method") == "S256"),
            ("code_challenge", bool(args.get("code_challenge"))),
            ("nonce", bool(args.get("nonce"))),
            ("state", bool(args.get("state"))),
        ) if not good]
        if problems:
            return f"bad authorization request: {', '.join(problems)}", 400
        code = _b64(hashlib.sha256(f"{time.time_ns()}{args['state']}".encode()).digest())
        with self._lock:
            self._codes[code] = dict(args)
        query = urlencode({"code": code, "state": args["state"], "iss": self.url})
        return flask.redirect(f"{args['redirect_uri']}?{query}")

    def _token(self):
        form = flask.request.form
        auth = flask.request.authorization
        used = "client_secret_basic" if auth else "client_secret_post" if "client_secret" in form else "none"
        client_id, secret = (auth.username, auth.password) if auth else (form.get("client_id"),
                                                                         form.get("client_secret"))
        self.token_requests.append({"auth_method": used, "form": dict(form)})
        if self.flaw == "slow":
            time.sleep(SLOW)
        if client_id != self.client_id or secret != self.client_secret:
            return {"error": "invalid_client"}, 401
        with self._lock:
            request = self._codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        if (request is None or form.get("grant_type") != "authorization_code"
                or form.get("redirect_uri") != request["redirect_uri"]
                or _b64(hashlib.sha256(verifier.encode()).digest()) != request["code_challenge"]
                or self.flaw == "token-error"):
            return {"error": "invalid_grant"}, 400
        answer = {"access_token": "an-access-token", "token_type": "Bearer", "expires_in": 300}
        if self.flaw != "no-id-token":
            answer["id_token"] = self._id_token(request["nonce"])
        return answer

    def _id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300, "nonce": nonce,
                  **self.person}
        flaw = self.flaw
        if flaw == "nonce":
            claims["nonce"] = "a-nonce-from-another-sign-in"
        elif flaw == "expired":
            claims.update(iat=now - 900, exp=now - 600)
        elif flaw == "issued-in-future":
            claims.update(iat=now + 600, exp=now + 900)
        elif flaw == "audience":
            claims["aud"] = "another-client"
        elif flaw == "azp":
            claims["aud"] = [self.client_id, "another-client"]
        elif flaw == "issuer":
            claims["iss"] = "https://impostor.example.org"
        claims.update(self.extra_claims)
        if flaw == "none":
            return f"{_b64(json.dumps({'alg': 'none'}).encode())}.{_b64(json.dumps(claims).encode())}."
        if flaw == "hs256":
            return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(self.client_secret), algorithms=["HS256"])
        key = self.key
        if flaw == "other-key":
            key = RSAKey.generate_key(2048, parameters={"kid": self.key.kid, "use": "sig", "alg": "RS256"})
        elif flaw == "unknown-kid":
            key = RSAKey.generate_key(2048, parameters={"kid": "never-published", "use": "sig", "alg": "RS256"})
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def start_scripted_provider(**settings) -> ScriptedProvider:
    return ScriptedProvider(**settings)


# -- https -------------------------------------------------------------------------------------------------

#: The certificate authority that signed the https providers' certificate: a client trusts them with
#: ``REQUESTS_CA_BUNDLE=CA_BUNDLE`` (``monkeypatch.setenv``), as requests and Authlib's session read it.
_TLS_DIRECTORY = tempfile.mkdtemp(prefix="fn-oidc-tls-")
atexit.register(shutil.rmtree, _TLS_DIRECTORY, True)
CA_BUNDLE = os.path.join(_TLS_DIRECTORY, "ca.pem")
_tls_lock = threading.Lock()
_tls_files: tuple[str, str] | None = None


def _tls_context() -> ssl.SSLContext:
    """A server context for 127.0.0.1, its certificate signed by a CA made once per process."""
    global _tls_files
    with _tls_lock:
        if _tls_files is None:
            _tls_files = _make_certificates(_TLS_DIRECTORY)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_tls_files)
    return context


def _make_certificates(directory: str) -> tuple[str, str]:
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test OpenID providers CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, "server.pem"), os.path.join(directory, "server.key")
    with open(CA_BUNDLE, "wb") as out:
        out.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(cert_path, "wb") as out:
        out.write(leaf.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return cert_path, key_path
