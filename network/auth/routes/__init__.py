"""Accounts, a module per page group: signing in and out, registration and the confirmation mail, password
reset, the member's account page and sessions, two-step sign-in."""

# Importing the view modules registers their views on ``bp`` (so F401, "unused", does not apply).
from network.auth.routes import account, password_reset, registration, sign_in, two_step  # noqa: F401
from network.auth.routes.blueprint import bp

__all__ = ["bp"]
