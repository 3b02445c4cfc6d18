"""The rate limits of the accounts pages.

Signing in, the sign-in's second step and asking for a reset link are each limited per address and, with
the same limit, per account tried (``per_address_and``), so spreading guesses over many addresses does not
help. Registering and resending a confirmation are limited per address.

Changing the password, deleting the account, setting up or turning off two-step sign-in and replacing
recovery codes each check a secret, so each is a way to guess it for someone holding a session, round
the sign-in's own limit. They share one count of refused attempts (``REAUTH_RATE_LIMIT``), per member
and per address."""

from __future__ import annotations

from flask import request, session

from network.auth.sessions import PENDING_SIGN_IN
from network.extensions import configured_limit, limiter, member_key
from network.members.models import normalize_email

login_limit = configured_limit("LOGIN_RATE_LIMIT")
reset_limit = configured_limit("RESET_RATE_LIMIT")
register_limit = configured_limit("REGISTER_RATE_LIMIT")
code_limit = configured_limit("TWO_FACTOR_RATE_LIMIT")
_reauth_limit = configured_limit("REAUTH_RATE_LIMIT")


def _refused(response) -> bool:
    """Only a refused attempt counts: a member who gets it right is not slowed down by it."""
    return response.status_code >= 400


_per_address = limiter.shared_limit(_reauth_limit, scope="reauth", methods=["POST"], deduct_when=_refused)
_per_member = limiter.shared_limit(_reauth_limit, scope="reauth-member", methods=["POST"],
                                   key_func=member_key, deduct_when=_refused)


def reauth_limited(view):
    """Decorate a view whose POST checks the member's password or a code."""
    return _per_address(_per_member(view))


def submitted_email() -> str:
    """Rate-limit key: the address being tried, so spreading guesses over many IPs does not help."""
    return "email:" + normalize_email(request.form.get("email", ""))[:254]


def pending_member_key() -> str:
    """Rate-limit key for second steps: the member being signed in, whichever address tries."""
    pending = session.get(PENDING_SIGN_IN) or {}
    return "two-factor:" + str(pending.get("user", "none"))[:40]


def per_address_and(limit, key_func):
    """Decorate a view whose POSTs count against ``limit`` per address and, apart, per ``key_func``."""
    per_address = limiter.limit(limit, methods=["POST"])
    per_key = limiter.limit(limit, methods=["POST"], key_func=key_func)
    return lambda view: per_address(per_key(view))
