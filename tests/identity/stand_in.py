"""A STAND-IN for the real OpenID Connect and SAML modules, for the member-facing tests only.

It keeps the contract of ``network/identity/protocol.py`` (``begin``, ``finish``, ``sp_metadata``) with no
cryptography at all: ``begin`` sends the browser to a tiny identity provider on 127.0.0.1
(``StandInIdP`` below), which sends back whatever person the test asked for, and ``finish`` turns those
parameters into an ``Assertion`` (or raises ``SignInRefused`` when told to). The real modules' own tests
(signatures, nonce, audience, replay) run real providers; these tests are about what our side does with
an answer: linking, new members, sessions, refusals.
"""

from __future__ import annotations

import secrets
import threading
from urllib.parse import urlencode

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from network.identity.protocol import Assertion, SignInRefused, Start

#: Where ``begin`` sends the browser: set by the ``stand_in_protocol`` fixture to the running ``StandInIdP``.
AUTHORIZE_URL = "http://127.0.0.1:9/authorize"
#: The claims the stand-in reads from the parameters: ``claim.<name>=<value>``.
CLAIM = "claim."


def begin(provider, return_url: str) -> Start:
    state = secrets.token_urlsafe(12)
    query = urlencode({"state": state, "return_to": return_url, "idp": provider.slug})
    return Start(url=f"{AUTHORIZE_URL}?{query}", kept={"state": state})


def finish(provider, return_url: str, params, kept: dict) -> Assertion:
    if params.get("refuse"):
        raise SignInRefused(params["refuse"], "The stand-in provider refused this answer.")
    if not params.get("state") or params.get("state") != kept.get("state"):
        raise SignInRefused("state", "This answer does not belong to a sign-in started here.")
    return Assertion(subject=params["sub"], email=params.get("email", ""),
                     email_verified=params.get("email_verified", "true") == "true", name=params.get("name", ""),
                     claims={key[len(CLAIM):]: value for key, value in params.items() if key.startswith(CLAIM)},
                     mfa=params.get("mfa") == "true")


def sp_metadata(provider, return_url: str) -> str:
    return (f'<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="stand-in-{provider.slug}">'
            f'<SPSSODescriptor><AssertionConsumerService Location="{return_url}"/></SPSSODescriptor>'
            "</EntityDescriptor>")


class StandInIdP:
    """The tiny provider ``begin`` points at: ``GET /authorize?state=..&return_to=..&<person>`` answers with a
    redirect back (``return_to`` with the state and the person), or, with ``post=1``, with a page holding
    them as a form that posts back (as a SAML provider's HTTP-POST binding does)."""

    def __init__(self, host: str, port: int):
        self.url = f"http://{host}:{port}"
        self.server = make_server(host, port, self.wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)

    @Request.application
    def wsgi(self, request: Request) -> Response:
        if request.path != "/authorize":
            return Response("not found", status=404)
        answer = {key: value for key, value in request.args.items() if key not in ("return_to", "idp", "post")}
        target = request.args["return_to"]
        if request.args.get("post"):
            fields = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in answer.items())
            return Response(f'<form method="post" action="{target}">{fields}</form>', mimetype="text/html")
        return Response(status=302, headers={"Location": f"{target}?{urlencode(answer)}"})
