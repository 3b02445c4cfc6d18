"""The mailed proof: a link to the account's address that shows the person holds it.

The token is signed and expires (``network.auth.tokens``, as a password reset link), and names the waiting
answer it proves (its random ``nonce``), so it works once, and only in the browser that signed in with the
provider: someone who signs in with a provider as another person's address cannot have that person link
it by clicking a mail in their own browser.
"""

from __future__ import annotations

from flask import current_app

from network.auth.tokens import TokenError, make_token, read_token
from network.identity.models import IdentityProvider
from network.mail.services import queue_email
from network.members.models import User
from network.urls import public_url

PURPOSE = "identity-link"


def send_link(user: User, provider: IdentityProvider, stage: dict) -> None:
    """Mail ``user`` the link that proves the account, for the waiting answer ``stage``."""
    token = make_token(PURPOSE, {"uid": user.id, "provider": provider.id, "nonce": stage["nonce"]})
    queue_email("identity-link", user.email, f"Link your {provider.name} sign-in to Fellowship Network",
                "identity_link", user=user, provider_name=provider.name,
                link=public_url("identity.mailed_link", token=token),
                reset_link=public_url("auth.forgot_password"), unsubscribe="")


def check_link(token: str, stage: dict | None) -> dict:
    """The token's payload when it proves the waiting answer ``stage``; TokenError otherwise."""
    payload = read_token(PURPOSE, token, current_app.config["PASSWORD_RESET_MAX_AGE"], "This sign-in link")
    if stage is None or stage.get("nonce") != payload.get("nonce") or stage.get("user") != payload.get("uid") \
            or stage.get("provider") != payload.get("provider"):
        raise TokenError("Open this link in the browser where you signed in with your institution, within the "
                         "hour; each link works once. Or sign in again to get a new one.")
    return payload
