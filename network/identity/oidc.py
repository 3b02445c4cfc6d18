"""OpenID Connect: the authorization code flow with PKCE, and the ID token checked before anyone is trusted.

``begin`` sends the browser to the provider with a fresh ``state``, ``nonce`` and PKCE verifier (S256),
kept in the session. ``finish`` checks the ``state`` the browser brings back (and the ``iss`` of RFC 9207
when the provider sends one), exchanges the code at the
token endpoint (from our server, with the client secret and the verifier), and accepts the ID token only
if it is signed with an asymmetric algorithm by one of the provider's published keys, names the issuer
of the discovery document, is meant for our client id, is within its lifetime (clocks may differ by
``CLOCK_SKEW`` seconds at most) and carries the nonce we sent. Anything else is a ``SignInRefused``
with the reason for the audit log; the person sees its message, which never carries the secret, the
code or a token. The discovery document and keys come from ``network.identity.discovery``.

The claims come from the ID token alone (scope ``openid email profile``): the userinfo endpoint is not
asked, since every provider we expect (Entra ID, Okta, Google, Keycloak, Shibboleth OP) puts the
requested claims in the token, and a claim the token lacks is simply absent.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jws, jwt
from joserfc.errors import ClaimError, DecodeError, InvalidKeyIdError, JoseError

from network.identity import discovery
from network.identity.discovery import DiscoveryError
from network.identity.models import IdentityProvider
from network.identity.protocol import Assertion, SignInRefused, Start
from network.identity.secrets import client_secret

log = logging.getLogger(__name__)

SCOPE = "openid email profile"
#: The longest discovery address ``IdentityProvider.metadata_url`` holds.
MAX_ADDRESS = 500
#: Seconds by which our clock and the provider's may disagree about an ID token's "exp" and "iat".
CLOCK_SKEW = 120
#: Signatures only the provider can make (its private key); HS* (shared secret) and "none" are refused.
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "Ed25519")

#: RFC 8176 "amr" values: "mfa" says it outright; else a thing known together with a thing held or a
#: trait of the body counts as two factors.
MFA_AMR = "mfa"
KNOWLEDGE_AMR = frozenset({"pwd", "pin", "kba"})
OTHER_FACTOR_AMR = frozenset({"hwk", "swk", "otp", "sms", "tel", "sc", "fpt", "face", "iris", "retina", "vbm",
                              "user"})
#: "acr" values that promise multi-factor authentication: OpenID PAPE, the REFEDS MFA profile used by
#: research and education federations, Okta's two-factor level, and the OpenID EAP phishing-resistant
#: levels (Okta returns these too). Entra ID says it with "amr": ["pwd", "mfa"].
MFA_ACR = frozenset({
    "http://schemas.openid.net/pape/policies/2007/06/multi-factor",
    "http://schemas.openid.net/pape/policies/2007/06/multi-factor-physical",
    "https://refeds.org/profile/mfa",
    "urn:okta:loa:2fa:any",
    "phr",
    "phrh",
})


def begin(provider: IdentityProvider, return_url: str) -> Start:
    """Where to send the browser to sign in at ``provider``, and the state, nonce and verifier to keep."""
    document = _document(provider)
    kept = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        # RFC 7636: 43 to 128 characters from the unreserved set; token_urlsafe(48) gives 64.
        "code_verifier": secrets.token_urlsafe(48),
    }
    with _client(provider, return_url) as client:
        url, _state = client.create_authorization_url(document["authorization_endpoint"], state=kept["state"],
                                                      code_verifier=kept["code_verifier"], nonce=kept["nonce"])
    return Start(url=url, kept=kept)


def finish(provider: IdentityProvider, return_url: str, params: Mapping[str, str], kept: Mapping) -> Assertion:
    """Who ``provider`` says signed in, from the redirect's query ``params``; ``SignInRefused`` if untrusted.

    The provider's own error comes first, whatever its state: a refusal signs nobody in, and some
    providers leave the state out of it (oidc-provider-mock does).
    """
    if params.get("error"):
        log.info("provider %s refused a sign-in: %r", provider.slug, str(params["error"])[:60])
        raise SignInRefused("denied", f"{provider.name} did not sign you in. You can try again, or sign in "
                                      "with your email and password.")
    expected_state = str(kept.get("state") or "")
    if not expected_state or not hmac.compare_digest(str(params.get("state") or ""), expected_state):
        raise SignInRefused("state", "This sign-in link has expired or was not started here. Please start again.")
    code = params.get("code")
    if not code:
        raise SignInRefused("provider", f"{provider.name} sent you back without a sign-in. Please start again.")
    document = _document(provider)
    if "iss" in params and params["iss"] != document["issuer"]:
        # RFC 9207: the provider names itself in the redirect; another name means the browser was sent
        # back from a different provider than the one this sign-in began at (a mix-up attack).
        raise SignInRefused("issuer", f"The sign-in did not come from {provider.name}.")
    id_token = _exchange(provider, document, return_url, code, str(kept.get("code_verifier") or ""))
    claims = _verified_claims(provider, document, id_token, str(kept.get("nonce") or ""))
    return assertion_from_claims(claims)


def read_metadata(source: str, *, require_https: bool) -> dict:
    """Check the discovery document at ``source`` for the admin form; the provider's columns to store.

    Raises ``ValueError`` with a message for the admin. What is read is kept for sign-ins (``discovery``).
    """
    url = (source or "").strip()
    try:
        parts = urlsplit(url)
        is_address = parts.scheme in ("http", "https") and bool(parts.hostname) and len(url) <= MAX_ADDRESS
    except ValueError:  # a malformed address ("https://[::1")
        is_address = False
    if not is_address:
        raise ValueError("Give the address of the provider's discovery document, for example "
                         "https://login.example.org/.well-known/openid-configuration.")
    if require_https and parts.scheme != "https":
        raise ValueError(f"{url} is not an https:// address: the provider's answers would travel unprotected.")
    try:
        document = discovery.provider_document(url, fresh=True)
    except DiscoveryError as error:
        raise ValueError(error.message) from error
    plain = discovery.plain_http_endpoints(document) if require_https else []
    if plain:
        raise ValueError(f"The provider at {url} gives plain http:// addresses for its {', '.join(plain)}: "
                         "sign-ins through it would travel unprotected.")
    return {"metadata_url": url}


def assertion_from_claims(claims: Mapping) -> Assertion:
    """The ``Assertion`` for verified ID token ``claims``.

    ``email_verified`` is true only when the provider says so (JSON true, or the string "true" some
    providers send). ``Assertion.claims`` holds every claim that is a string, a number or a boolean as
    a string (booleans as "true"/"false"), and every list of those joined with spaces, so a role
    mapping can match "groups": ["faculty", "staff"] as "faculty staff"; nested objects are left out.
    """
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    if not name:
        name = " ".join(str(claims[part]) for part in ("given_name", "family_name")
                        if isinstance(claims.get(part), str) and claims[part])
    email = claims.get("email") if isinstance(claims.get("email"), str) else ""
    return Assertion(
        subject=str(claims["sub"]),
        email=email.strip(),
        email_verified=claims.get("email_verified") in (True, "true"),
        name=name.strip(),
        claims=flat_claims(claims),
        mfa=asserts_mfa(claims),
    )


def flat_claims(claims: Mapping) -> dict[str, str]:
    """Each claim as one string (see ``assertion_from_claims``)."""
    flat = {}
    for key, value in claims.items():
        if isinstance(value, list):
            if all(_is_scalar(item) for item in value):
                flat[key] = " ".join(_as_text(item) for item in value)
        elif _is_scalar(value):
            flat[key] = _as_text(value)
    return flat


def asserts_mfa(claims: Mapping) -> bool:
    """Whether the provider says the person passed multi-factor authentication.

    True when "amr" (RFC 8176) holds "mfa", or a knowledge factor ("pwd", "pin", "kba") together with a
    possession or biometric one ("otp", "hwk", "swk", "sms", "fpt", ...); or when "acr" is one of
    ``MFA_ACR``. Anything else, "amr": ["otp"] alone included, is one factor.
    """
    amr = claims.get("amr")
    methods = set(amr.split()) if isinstance(amr, str) else {str(m) for m in amr} if isinstance(amr, list) else set()
    if MFA_AMR in methods or (methods & KNOWLEDGE_AMR and methods & OTHER_FACTOR_AMR):
        return True
    return claims.get("acr") in MFA_ACR


# -- the steps --------------------------------------------------------------------------------------

def _client(provider: IdentityProvider, return_url: str, **settings) -> OAuth2Session:
    return OAuth2Session(client_id=provider.client_id, scope=SCOPE, redirect_uri=return_url,
                         code_challenge_method="S256", **settings)


def _document(provider: IdentityProvider) -> dict:
    try:
        return discovery.provider_document(provider.metadata_url)
    except DiscoveryError as error:
        log.warning("provider %s: discovery failed: %s", provider.slug, error.message)
        raise SignInRefused("provider", _unreachable(provider)) from error


def _unreachable(provider: IdentityProvider) -> str:
    return (f"{provider.name} cannot be reached just now. Please try again in a few minutes, or sign in with "
            "your email and password.")


def token_auth_method(document: Mapping, secret: str) -> str:
    """How we prove our client id at the token endpoint: the secret in a Basic header, unless the
    provider only takes it in the form (``client_secret_post``); without a secret, PKCE alone."""
    if not secret:
        return "none"
    # OpenID Connect Discovery: when the list is absent, client_secret_basic is the default.
    supported = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" not in supported and "client_secret_post" in supported:
        return "client_secret_post"
    return "client_secret_basic"


def _exchange(provider: IdentityProvider, document: Mapping, return_url: str, code: str, verifier: str) -> str:
    """The ID token the token endpoint gives for ``code`` (never logged, never in a message)."""
    secret = client_secret(provider)
    client = _client(provider, return_url, client_secret=secret,
                     token_endpoint_auth_method=token_auth_method(document, secret))
    try:
        with client:
            token = client.fetch_token(document["token_endpoint"], grant_type="authorization_code", code=code,
                                       code_verifier=verifier, timeout=discovery.TIMEOUT)
    except AuthlibBaseError as error:
        # The error code is the provider's ("invalid_grant"): safe to log; its description is not ours.
        log.warning("provider %s: token request refused: %r", provider.slug, str(error.error)[:60])
        raise SignInRefused("provider", f"{provider.name} did not confirm the sign-in. Please start again.") from None
    except (requests.RequestException, ValueError):
        log.warning("provider %s: token endpoint did not answer", provider.slug)
        raise SignInRefused("provider", _unreachable(provider)) from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise SignInRefused("unsigned", f"{provider.name} did not say who signed in (no ID token).")
    return id_token


def _verified_claims(provider: IdentityProvider, document: Mapping, id_token: str, nonce: str) -> dict:
    """The ID token's claims, once its signature, issuer, audience, lifetime and nonce are checked."""
    token = _signed_token(provider, document, id_token)
    claims = token.claims
    if claims.get("iss") != document["issuer"]:
        raise SignInRefused("issuer", f"The sign-in did not come from {provider.name}.")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    # OpenID Connect Core 3.1.3.7: our client id among the audiences; with several, "azp" must name us.
    if provider.client_id not in audiences or (
            ("azp" in claims or len(audiences) > 1) and claims.get("azp") != provider.client_id):
        raise SignInRefused("audience", f"The sign-in from {provider.name} was meant for another site.")
    times = {name: claims[name] for name in ("exp", "iat", "nbf") if name in claims}
    try:
        jwt.JWTClaimsRegistry(leeway=CLOCK_SKEW, exp={"essential": True}, iat={"essential": True}).validate(times)
    except ClaimError:
        raise SignInRefused("expired", f"The sign-in from {provider.name} has expired, or your device's clock "
                                       "is wrong. Please start again.") from None
    if not nonce or not hmac.compare_digest(str(claims.get("nonce") or ""), nonce):
        raise SignInRefused("nonce", "This sign-in answer belongs to another sign-in. Please start again.")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise SignInRefused("provider", f"{provider.name} did not say who signed in.")
    return claims


def _signed_token(provider: IdentityProvider, document: Mapping, id_token: str) -> jwt.Token:
    """The token decoded with the provider's key; its key set read again once if the key id is new."""
    try:
        algorithm = jws.extract_compact(id_token.encode()).headers().get("alg")
    except (JoseError, ValueError):
        raise SignInRefused("signature", f"The sign-in from {provider.name} could not be read.") from None
    if not algorithm or algorithm == "none":
        raise SignInRefused("unsigned", f"The sign-in from {provider.name} was not signed.")
    if algorithm not in ASYMMETRIC:
        log.warning("provider %s: ID token signed with %s, refused", provider.slug, str(algorithm)[:20])
        raise SignInRefused("signature", f"The sign-in from {provider.name} was not signed with its own key.")
    for fresh in (False, True):
        try:
            keys = discovery.signing_keys(document["jwks_uri"], fresh=fresh)
        except DiscoveryError as error:
            log.warning("provider %s: %s", provider.slug, error.message)
            raise SignInRefused("provider", _unreachable(provider)) from None
        try:
            return jwt.decode(id_token, keys, algorithms=[algorithm])
        except InvalidKeyIdError:
            continue  # a key id the kept set lacks: the provider may have rotated its keys
        except (DecodeError, JoseError, ValueError):
            break
    raise SignInRefused("signature", f"The sign-in from {provider.name} was not signed with its own key.")


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, int, float, bool))


def _as_text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
