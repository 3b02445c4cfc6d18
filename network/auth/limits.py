"""The rate limit on actions that check a signed-in member's password or a code again.

Changing the password, deleting the account, setting up or turning off two-step sign-in and replacing
recovery codes each check a secret, so each is a way to guess it for someone holding a session, round
the sign-in's own limit. They share one count of refused attempts (``REAUTH_RATE_LIMIT``), per member
and per address."""

from __future__ import annotations

from network.extensions import configured_limit, limiter, member_key

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
