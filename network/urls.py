"""Links that leave the request (mails, calendar feeds, exports) are built from one configured public
address, ``PUBLIC_URL``, never from the request's ``Host`` or ``X-Forwarded-Host``: a forged header
would otherwise put another site in front of a valid reset or invitation token."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app, request

#: Where the JSON API lives: requests under it are answered in JSON (RFC 9457 problems for errors) and are
#: authenticated by a personal access token only, never by the session cookie (``network/api``).
API_ROOT = "/api/v1"


def is_api_request() -> bool:
    return request.path == API_ROOT or request.path.startswith(API_ROOT + "/")


class PublicURL(NamedTuple):
    """``PUBLIC_URL`` taken apart: ``https``, ``network.example.org[:port]`` and a path prefix (or "")."""

    scheme: str
    host: str
    root: str

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def hostname(self) -> str:
        return urlsplit(self.origin).hostname or ""


class InvalidPublicURL(ValueError):
    """``PUBLIC_URL`` is missing or not an absolute http(s) address without query or fragment."""


def parse_public_url(value) -> PublicURL:
    """``PUBLIC_URL`` as parts; raises :class:`InvalidPublicURL` with a message for the operator."""
    if not value or not isinstance(value, str):
        raise InvalidPublicURL("PUBLIC_URL is not set: set FLASK_PUBLIC_URL to the address members use, "
                               "e.g. https://network.example.org")
    parts = urlsplit(value.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (parts.scheme not in ("http", "https") or not parts.hostname or port == -1 or parts.query
            or parts.fragment or parts.username or parts.password or any(c.isspace() for c in value.strip())):
        raise InvalidPublicURL(f"PUBLIC_URL {value!r} is not an absolute http(s) address such as "
                               "https://network.example.org (no user, query or fragment)")
    return PublicURL(parts.scheme, parts.netloc.lower(), parts.path.rstrip("/"))


def _public() -> PublicURL:
    return parse_public_url(current_app.config.get("PUBLIC_URL"))


def public_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` (full name, e.g. ``auth.reset_password``) under PUBLIC_URL."""
    base = _public()
    adapter = current_app.url_map.bind(base.host, script_name=base.root or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def absolute(path: str) -> str:
    """A site path (``/messages/4``, as ``url_for`` gives it) as an absolute address under PUBLIC_URL.

    An address that is already absolute is rebuilt on PUBLIC_URL from its path and query: a link made
    from the request's host must not leave with that host."""
    base = _public()
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/"):
        path = "/" + path
    if base.root and (path == base.root or path.startswith(base.root + "/")):
        return base.origin + path  # built in a request under the same prefix
    return base.origin + base.root + path


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
