"""Discussion pages: the ``discussions`` blueprint, a module per page group. Each route loads what its URL
names (404 for what the member may not see), checks (403), validates, calls a service, commits once,
flashes and redirects.

- ``blueprint``: ``bp`` itself; ``loading``: the 404s and 403s every page starts with.
- ``feeds``: the Latest and Unread feeds (``/``, ``/unread``), "Mark all read", the Categories tab (``/c/``).
- ``reading``: a category's threads, a thread's posts, a post's history, watching, search.
- ``writing``: starting a thread, replying, editing a post (previews, the patient-identifier check).
- ``removal``: deleting or removing a post, and undoing it.
- ``moderation``: flags, the moderation queue, approving and redacting posts, pinning, locking, moving.
- ``categories``: the administrators' category pages.
- ``email_replies``: stopping replies by email (or turning them back on) from the account page.
- ``live``: a thread page's live updates (new posts, or 304); ``drafts``: saving and discarding a reply's draft.
- ``reactions``: marking a post helpful, accepting a reply as the thread's answer.
"""

# Importing the view modules registers their views on ``bp``.
from network.discussions.routes import (  # noqa: F401  (registers views)
    categories,
    drafts,
    email_replies,
    feeds,
    live,
    moderation,
    reactions,
    reading,
    removal,
    writing,
)
from network.discussions.routes.blueprint import bp

__all__ = ["bp"]
