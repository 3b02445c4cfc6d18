"""How fast a member may post in discussions (``POST_RATE_LIMIT``): one allowance for starting threads and one
for replies, each per member (colleagues share hospital networks, so not per address) and shared by the pages
and the API, so a script with a token posts no faster than its member could by hand. Previews are free."""

from __future__ import annotations

from flask import current_app, request
from limits import parse_many

from network.extensions import configured_limit, limiter, member_key, member_limit_key
from network.urls import is_api_request

PAGE_MESSAGE = ("you are posting faster than the network allows, a few posts a minute; nothing was posted: "
                "go back, your text is still in the form")
API_MESSAGE = "you are posting faster than the network allows, a few posts a minute; nothing was posted"


def _message() -> str:
    """The page's message goes into the designed 429 page, the API's into the problem's detail."""
    return API_MESSAGE if is_api_request() else PAGE_MESSAGE


def _previewing() -> bool:
    return "preview" in request.form


def _posting_limit(scope: str):
    # ``override_defaults=False``: on the API the token's own limit still counts as well.
    return limiter.shared_limit(configured_limit("POST_RATE_LIMIT"), scope=f"discussion-{scope}",
                                key_func=member_key, methods=["POST"], exempt_when=_previewing,
                                error_message=_message, override_defaults=False)


#: Starting a thread (the new-thread page, ``POST /api/v1/discussions/categories/{id}/threads``).
new_threads = _posting_limit("threads")
#: Replying (the reply page, ``POST /api/v1/discussions/threads/{id}/posts``).
replies = _posting_limit("replies")


def take_reply_by_mail(member_id: int) -> bool:
    """Count a reply by email against the member's allowance for replies, the one the reply page and the API
    use (same limits, same storage key); False, and nothing counted, when it is spent."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    keys = [*([prefix] if prefix else []), member_limit_key(member_id), "discussion-replies"]
    allowances = parse_many(current_app.config["POST_RATE_LIMIT"])
    if not all(limiter.limiter.test(allowance, *keys) for allowance in allowances):
        return False
    for allowance in allowances:
        limiter.limiter.hit(allowance, *keys)
    return True
