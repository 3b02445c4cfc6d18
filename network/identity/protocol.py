"""What each protocol module (``oidc``, ``saml``) offers, and what it hands back.

A protocol module has two functions::

    begin(provider, return_url) -> Start
        Where to send the browser, and what to keep in the session until it comes back.
    finish(provider, return_url, params, kept) -> Assertion
        ``params`` is the request's query string or form (a mapping), ``kept`` what ``begin`` asked
        to keep. Anything wrong (state, nonce, signature, issuer, audience, expiry, replay, the
        provider's own error) raises ``SignInRefused``; nothing else escapes for a bad response.
    read_metadata(source, *, require_https) -> dict
        For the admin form and ``flask identity-provider add``: ``source`` is an address, or (SAML) the
        metadata XML itself. Fetches and checks it and returns the provider's columns to store
        (OIDC: ``metadata_url``; SAML: ``metadata_url`` or "", ``metadata_xml``, ``entity_id``).
        Raises ``ValueError`` with a message for the admin (an http:// address when ``require_https``,
        an address that does not answer, a document that is not a provider's).

SAML adds ``sp_metadata(provider, return_url) -> str``: our service provider's metadata, served at
``/auth/login/with/<slug>/metadata`` for the institution's IT office and its identity provider.

Neither writes to the database, sends mail or touches the session: the routes do (``linking``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Start:
    #: Where the browser goes: the provider's authorization or single sign-on address.
    url: str
    #: What the return must be checked against (state, nonce, PKCE verifier, SAML request id).
    kept: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Assertion:
    """Who the provider says signed in."""

    #: The provider's stable id for the person (OIDC ``sub``, SAML persistent NameID).
    subject: str
    email: str = ""
    #: The provider vouches for the email (OIDC ``email_verified``; SAML: an email from the IdP counts).
    email_verified: bool = False
    name: str = ""
    #: Single-valued claims or attributes (a list joined with spaces), for the role mapping.
    claims: dict[str, str] = field(default_factory=dict)
    #: The provider says the person passed multi-factor authentication.
    mfa: bool = False


class SignInRefused(Exception):
    """The provider's answer cannot be trusted or is a refusal.

    ``reason`` is a short code for the audit log ("state", "nonce", "signature", "audience",
    "expired", "issuer", "replay", "unsigned", "denied", "provider"); ``message`` is shown to the
    person in plain words and never carries a secret.
    """

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
