"""Reading discussions: a category's threads, a thread's posts (the page moves the member's
read mark), links to the first unread post and to one post, a post's earlier versions, watching or muting a
thread, and full-text search."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from network import permissions
from network.discussions import queries, thread_page
from network.discussions.forms import PostForm, SearchForm
from network.discussions.models import Category, SubscriptionLevel, Thread
from network.discussions.phi import marked_identifiers
from network.discussions.routes.blueprint import bp
from network.discussions.routes.drafts import draft_controls
from network.discussions.routes.loading import category_or_404, cursor_arg, post_or_404, thread_cursor, thread_or_404
from network.discussions.search import search_posts
from network.discussions.services.subscriptions import mark_read, set_subscription
from network.extensions import db
from network.integers import int_arg


@bp.route("/c/<slug>")
def category(slug: str):
    """A category's threads: pinned first, then latest activity; keyset pages."""
    category = category_or_404(slug)
    before = thread_cursor()
    rows, cursor = queries.thread_rows(current_user, category, before)
    next_url = url_for(".category", slug=slug, before=cursor_arg(cursor)) if cursor else None
    return render_template("discussions/category.html", category=category, rows=rows, next_url=next_url,
                           first_page=before is None)


@bp.route("/t/<int:thread_id>")
def thread(thread_id: int):
    """A page of a thread's posts; reading moves the member's read mark forward."""
    thread = thread_or_404(thread_id)
    after = int_arg("after")
    before = int_arg("before")
    page = queries.post_page(current_user, thread, after=after, before=before)
    if not page.posts and (after is not None or before is not None):
        return redirect(url_for(".thread", thread_id=thread.id))
    mark, level, draft, draft_saved_at = queries.reader_state(current_user.id, thread.id)
    form = PostForm() if permissions.can_reply(current_user, thread) and page.newer is None else None
    opening_shown = bool(page.posts) and page.posts[0].id == thread.first_post_id
    html = render_template("discussions/thread.html", thread=thread, page=page, last_read=mark, level=level,
                           form=form, draft=draft_controls(thread, form, draft, draft_saved_at),
                           moderator=permissions.can_moderate(current_user, thread.category),
                           helpful=thread_page.helpful_marks(current_user.id, [post.id for post in page.posts]),
                           answer=thread_page.accepted_answer(thread) if opening_shown else None,
                           participants=thread_page.participants(thread))
    # The read mark moves after the page is built: a commit expires every loaded post and author,
    # and reading them again would cost a query each.
    if page.posts and mark_read(current_user.id, thread.id, page.posts[-1].id, mark):
        db.session.commit()
    return html


@bp.route("/t/<int:thread_id>/unread")
def first_unread(thread_id: int):
    """Jump to the first post the member has not read yet."""
    thread = thread_or_404(thread_id)
    mark = queries.read_mark(current_user.id, thread.id)
    if mark is None:
        return redirect(url_for(".thread", thread_id=thread.id))
    if thread.last_post_id and mark >= thread.last_post_id:
        return redirect(url_for(".thread", thread_id=thread.id, before=thread.last_post_id + 1,
                                _anchor=f"post-{thread.last_post_id}"))
    return redirect(url_for(".thread", thread_id=thread.id, after=mark, _anchor="first-unread"))


@bp.route("/p/<int:post_id>")
def show_post(post_id: int):
    """A link to one post: the thread page that ends with it, so the posts it follows are read with it (a new
    reply lands in its conversation, not alone); the opening post's link is the thread's first page."""
    post = post_or_404(post_id)
    args = {"before": post.id + 1} if post.id != post.thread.first_post_id else {}
    return redirect(url_for(".thread", thread_id=post.thread_id, _anchor=f"post-{post.id}", **args))


@bp.route("/p/<int:post_id>/history")
def history(post_id: int):
    """Earlier versions of a post: for its author and moderators."""
    post = post_or_404(post_id)
    if not permissions.can_see_history(current_user, post):
        abort(403)
    revisions = queries.revisions(post)
    # version (0: the current text) -> the text with likely identifiers highlighted
    marked = marked_identifiers({0: post.body} | {revision.id: revision.body for revision in revisions})
    return render_template("discussions/history.html", post=post, revisions=revisions, marked=marked)


@bp.route("/t/<int:thread_id>/subscription", methods=["POST"])
def subscription(thread_id: int):
    """Watch a thread (notify me of every reply), mute it, or go back to the default."""
    thread = thread_or_404(thread_id)
    level = request.form.get("level")
    if level not in ("watch", "mute", "default"):
        abort(400)
    set_subscription(current_user, thread, None if level == "default" else SubscriptionLevel(level))
    db.session.commit()
    flash({"watch": "You are watching this thread: every reply notifies you.",
           "mute": "You muted this thread: it will not notify you.",
           "default": "You will be notified when you are mentioned."}[level], "success")
    return redirect(url_for(".thread", thread_id=thread.id))


@bp.route("/search")
def search():
    """Full-text search over the threads and posts the member can see."""
    categories = queries.visible_categories(current_user)
    form = SearchForm(request.args)
    form.category.choices = [SelectChoice(0, "All categories")] + [SelectChoice(c.id, c.name) for c in categories]
    hits = None
    status = 200
    if form.q.data:
        if form.validate():
            hits = search_posts(permissions.visible_threads(current_user, Thread, Category), form.q.data,
                                category_id=form.category.data or None, author=form.author.data or None,
                                since=form.since.data, until=form.until.data, newest=form.sort.data == "newest")
        else:
            status = 400
    return render_template("discussions/search.html", form=form, hits=hits), status
