"""The rate limit on posting opportunities: one allowance per member, shared by the page's form and the API, so
neither can be used to go round the other."""

from __future__ import annotations

from network.extensions import configured_limit, limiter, member_key

#: Posting is limited per member (colleagues share hospital networks), so a stolen session or token cannot flood
#: the board. It adds to the limits of the view's blueprint (the API's per-token allowance) instead of replacing them.
posting_limit = limiter.shared_limit(
    configured_limit("OPPORTUNITY_POST_RATE_LIMIT"), scope="opportunity-posting",
    key_func=member_key, methods=["POST"], override_defaults=False,
    error_message="You are posting faster than the network allows. Wait a minute, then send it again.")
