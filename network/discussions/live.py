"""Live updates of a thread page, by polling with ETags (plain requests: gunicorn's sync workers serve
them like any page, and no worker is held open).

Every change to a post (added, edited, held, approved, removed; through the ORM or Core alike) changes the
cache version ``POSTS`` at its commit: ``network.cache`` watches the writes, so no code path can forget it.
A poll's ETag seals the member, the thread, the last post the page shows and that version; while the
version holds, the same poll is answered ``304 Not Modified`` after one query (the version), besides the
signed-in member's own. The seal (HMAC with the app's secret key) means a 304 goes only to a member who had
this thread's answer from the server at that version, so it tells nobody anything they were not shown.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from network.cache import ALL, Version, current_versions

#: Any write to a post: the thread pages' live updates look again.
POSTS = Version("discussion-posts", {"discussion_post": ALL})
#: How often an open thread page asks for new posts (milliseconds), and the slowest after errors: the
#: script (static/js/app.js) reads both from the page.
POLL_INTERVAL_MS = 3000
POLL_MAX_INTERVAL_MS = 60000


def posts_version() -> str | None:
    """The current version of every thread's posts, in one query (None before its row exists)."""
    return current_versions(POSTS)[POSTS.name]


def etag(member_id: int, thread_id: int, after: int, version: str | None) -> str:
    """The sealed ETag of the answer to ``member_id``'s poll of ``thread_id`` for posts after ``after``."""
    message = f"{member_id}:{thread_id}:{after}:{version}".encode()
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"live-updates:" + message, hashlib.sha256).hexdigest()[:32]
