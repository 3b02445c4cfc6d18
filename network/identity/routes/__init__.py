"""Institutional sign-in for members, a module per page group: the provider's round trip (start, return, SAML
metadata), what a first sign-in may need (proving an account, choosing a role), and the sign-in methods on
the account page (link another provider, unlink one)."""

# Importing the view modules registers their views on ``bp`` (so F401, "unused", does not apply).
from network.identity.routes import account, first_sign_in, round_trip  # noqa: F401
from network.identity.routes.blueprint import bp

__all__ = ["bp"]
