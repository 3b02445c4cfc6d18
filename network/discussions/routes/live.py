"""A thread page's live updates: the posts after the last one the page shows, as the page renders them for
this member (``discussions/_post.html``), or ``304 Not Modified`` while no post anywhere has changed
(``network.discussions.live``). The page's script (static/js/app.js) polls while the tab is visible."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from network import permissions
from network.discussions import live, queries, thread_page
from network.discussions.routes.blueprint import bp
from network.discussions.routes.loading import thread_or_404
from network.integers import int_arg


@bp.context_processor
def live_settings() -> dict:
    """How often the thread page polls, and the slowest it goes after errors (milliseconds)."""
    return {"live_poll": (live.POLL_INTERVAL_MS, live.POLL_MAX_INTERVAL_MS)}


def _private(response, tag: str):
    response.set_etag(tag, weak=True)
    # Each member's own answer: no shared cache keeps it, and the browser asks again every time.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response


@bp.route("/t/<int:thread_id>/updates")
def updates(thread_id: int):
    """The posts after ``after`` the member may see (held ones only to their author and moderators, removed
    ones as removed), at most a page of them; 304 while nothing changed since the member's last answer."""
    after = int_arg("after", 0, minimum=0)
    version = live.posts_version()
    unchanged = live.etag(current_user.id, thread_id, after, version)
    if version is not None and request.if_none_match.contains_weak(unchanged):
        return _private(current_app.response_class(status=304), unchanged)
    thread = thread_or_404(thread_id)
    page = queries.post_page(current_user, thread, after=after)
    posts = page.posts
    last = posts[-1].id if posts else after
    html = render_template("discussions/_live_posts.html", thread=thread, posts=posts, answer=None,
                           helpful=thread_page.helpful_marks(current_user.id, [post.id for post in posts]),
                           moderator=permissions.can_moderate(current_user, thread.category)) if posts else ""
    response = jsonify(count=len(posts), after=last, more=page.newer is not None, html=html,
                       show_url=url_for(".show_post", post_id=posts[0].id) if posts else None)
    return _private(response, live.etag(current_user.id, thread.id, last, version))
