"""How fast a member may post in discussions (``POST_RATE_LIMIT``): one allowance for starting threads and one
for replies, each per member (colleagues share hospital networks, so not per address) and shared by the pages
and the API, so a script with a token posts no faster than its member could by hand. Previews are free."""

from __future__ import annotations

from flask import request

from network.extensions import configured_limit, limiter, member_key
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
