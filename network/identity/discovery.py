"""An OpenID provider's discovery document and signing keys, read over HTTP and kept a few minutes.

Both are kept in this process for ``LIFETIME`` seconds (ten minutes), keyed by their address: every
sign-in reads the document twice (to start, and to finish) and the keys once, and a provider changes
them rarely. A new signing key is noticed at once all the same: an ID token whose key id the kept set
lacks makes ``oidc`` ask for the set again (``signing_keys(..., fresh=True)``), once per token.
They are not in ``network/cache.py``: that store holds values the database decides, fresh by the
versions it holds; these come from another server, and only their age says when to read them again.
Each gunicorn worker keeps its own copy, which costs one request per worker every ten minutes.

Every failure is a ``DiscoveryError`` whose message, in plain words, names the address and never a
secret; the callers turn it into a refused sign-in or a message on the admin form.
"""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import urlsplit

import requests
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

#: Seconds an answer is kept.
LIFETIME = 600
#: Seconds to wait for a provider (connecting, and then between bytes of its answer).
TIMEOUT = 10
#: A discovery document or key set is a few kilobytes; anything past this is not one.
MAX_BYTES = 512 * 1024
#: What a discovery document must name for the authorization code flow.
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")

_kept: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


class DiscoveryError(Exception):
    """The address did not answer, or did not answer with what an OpenID provider publishes."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_json(url: str, *, fresh: bool = False) -> dict:
    """The JSON object at ``url``: the kept one if younger than ``LIFETIME`` (unless ``fresh``)."""
    now = time.monotonic()
    if not fresh:
        with _lock:
            kept = _kept.get(url)
        if kept and now - kept[0] < LIFETIME:
            return kept[1]
    value = _fetch_json(url)
    with _lock:
        _kept[url] = (now, value)
    return value


def forget(url: str | None = None) -> None:
    """Drop what is kept for ``url``, or everything (tests, and after an admin edits a provider)."""
    with _lock:
        if url is None:
            _kept.clear()
        else:
            _kept.pop(url, None)


def provider_document(url: str, *, fresh: bool = False) -> dict:
    """The discovery document at ``url``, checked to describe an authorization code flow."""
    document = read_json(url, fresh=fresh)
    missing = [name for name in REQUIRED if not isinstance(document.get(name), str) or not document[name]]
    if missing:
        raise DiscoveryError(f"The document at {url} is not an OpenID provider's: it does not name its "
                             f"{', '.join(missing)}.")
    response_types = document.get("response_types_supported")
    if not isinstance(response_types, list) or "code" not in response_types:
        raise DiscoveryError(f"The provider at {url} does not offer the authorization code flow "
                             "(its response_types_supported lacks \"code\").")
    return document


def plain_http_endpoints(document: dict) -> list[str]:
    """The document's issuer and endpoints that are not https:// addresses."""
    names = ("issuer", *ENDPOINTS)
    return [name for name in names if document.get(name) and urlsplit(str(document[name])).scheme != "https"]


def signing_keys(jwks_uri: str, *, fresh: bool = False) -> KeySet:
    """The provider's published public keys (its JSON Web Key Set)."""
    try:
        return KeySet.import_key_set(read_json(jwks_uri, fresh=fresh))
    except (JoseError, KeyError, TypeError, ValueError) as error:
        raise DiscoveryError(f"The provider's key set at {jwks_uri} holds no key we can read.") from error


def _fetch_json(url: str) -> dict:
    try:
        with requests.get(url, timeout=TIMEOUT, stream=True, headers={"Accept": "application/json"}) as response:
            if response.status_code != 200:
                raise DiscoveryError(f"{url} answered with HTTP status {response.status_code}.")
            body = b""
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_BYTES:
                    raise DiscoveryError(f"{url} answered with more than {MAX_BYTES // 1024} KB: not a provider's "
                                         "document.")
    except requests.exceptions.SSLError as error:
        raise DiscoveryError(f"{url} did not show a certificate we can trust.") from error
    except requests.Timeout as error:
        raise DiscoveryError(f"{url} did not answer within {TIMEOUT} seconds.") from error
    except requests.RequestException as error:
        raise DiscoveryError(f"{url} could not be reached.") from error
    try:
        value = json.loads(body)
    except ValueError as error:
        raise DiscoveryError(f"{url} did not answer with a JSON document.") from error
    if not isinstance(value, dict):
        raise DiscoveryError(f"{url} did not answer with a JSON object.")
    return value
