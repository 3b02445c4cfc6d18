"""Who may reach which view: deny by default.

Every view needs a verified member unless it says otherwise with ``@public``
(visitors too) or ``@account_view`` (any signed-in member, pending included), so a
new route cannot be left open by forgetting a decorator.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from network.extensions import login_manager

PUBLIC = "public"
ACCOUNT = "account"
MEMBER = "member"


def public(view):
    """Anyone, signed in or not."""
    view.access = PUBLIC
    return view


def account_view(view):
    """Any signed-in member, including one still pending verification."""
    view.access = ACCOUNT
    return view


def role_required(*roles):
    """A verified member with one of ``roles`` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def enforce_access():
    """``before_request``: apply the view's access level."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static" or endpoint.endswith(".static"):
        return None
    view = current_app.view_functions.get(endpoint)
    level = getattr(view, "access", MEMBER)
    if level == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if level == ACCOUNT or current_user.is_verified:
        return None
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("main.pending"))
    abort(403)
