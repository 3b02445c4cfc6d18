"""Who may reach which view: deny by default.

Every view needs a verified member unless it says otherwise with ``@public``
(visitors too) or ``@account_view`` (any signed-in member, pending included), so a
new route cannot be left open by forgetting a decorator. Finer checks name a rule of
``network.permissions`` (``@permission_required(can_moderate_anything)``) or a role list
(``@role_required``); the rules themselves live there, not here.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from network.extensions import login_manager
from network.permissions import has_role
from network.urls import is_api_request

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


def permission_required(predicate):
    """A verified member for whom ``predicate(current_user)`` (a rule of ``network.permissions``) holds,
    403 otherwise: the same function the templates ask before showing the link or button."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def role_required(*roles):
    """A verified member with one of ``roles`` (403 otherwise): ``permissions.has_role``."""
    return permission_required(lambda user: has_role(user, *roles))


def enforce_access():
    """``before_request``: apply the view's access level."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static" or endpoint.endswith(".static"):
        return None
    if is_api_request():
        return None  # a token, never the session, opens the JSON API: network/api/auth.py checks it
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
