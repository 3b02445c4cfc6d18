"""Who is calling the API: a personal access token in ``Authorization: Bearer``, and nothing else.

The session cookie is never read under ``/api/v1`` (the session hooks and ``enforce_access`` step aside there), so
a page's cookie cannot be used cross-site against the API and the API needs no CSRF token. ``authenticate`` runs
before every API view; ``scope`` marks (and documents) what each operation needs.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_limiter.util import get_remote_address
from flask_login import AnonymousUserMixin
from flask_smorest import Blueprint

from network.auth import api_tokens

NO_TOKEN = "Send a personal access token: Authorization: Bearer fn_... (create one on your account page)."  # noqa: S105  # nosec B105
BAD_TOKEN = "This token is not valid: it was revoked, it expired, or its account can no longer sign in."  # noqa: S105  # nosec B105
NOT_VERIFIED = "Your account is waiting for verification: the API opens once an administrator verifies it."


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _, secret = header.partition(" ")
    return secret.strip() if kind.lower() == "bearer" and secret.strip() else None


def authenticate():
    """``before_request`` of every API blueprint: the token's member becomes ``current_user`` for this request
    only (Flask-Login's per-request slot; no session is read or written), else a 401 problem."""
    secret = _bearer()
    found = api_tokens.authenticate(secret) if secret else None
    if found is None:
        g._login_user = AnonymousUserMixin()
        abort(401, BAD_TOKEN if secret else NO_TOKEN)
    g._login_user, g.api_token = found
    if not g._login_user.is_verified:
        abort(403, NOT_VERIFIED)
    return None


def scope(name: str):
    """The operation needs a token with scope ``name`` (403 otherwise), and the OpenAPI document says so.

    Put it right under ``@blp.route`` (on a ``MethodView``, first on the method): the scope is checked before the
    arguments are read, so a token without it learns nothing about what a valid request would be."""
    if name not in api_tokens.SCOPES:
        raise ValueError(f"unknown scope {name!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if name not in g.api_token.scope_list:
                abort(403, f"This token does not have the {name!r} scope this needs.")
            return view(*args, **kwargs)

        return Blueprint.doc(security=[{"token": [name]}])(wrapped)

    return decorator


def rate_limit_key() -> str:
    """Each token has its own allowance (a hash of it, never the token); a request without one counts against
    its address."""
    secret = _bearer()
    if secret:
        return "api-token:" + api_tokens.hash_token(secret)[:32]
    return "api-address:" + get_remote_address()
