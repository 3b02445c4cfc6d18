"""A post is inserted through the ORM's unit of work, like every other model: its defaults come from the
model and session and mapper events see it (the search index and caches hang on them)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from network.discussions.models import Category, Post, Thread
from network.discussions.services import posting
from network.extensions import db
from network.members.models import User


@contextmanager
def watching_posts():
    """The posts each ORM hook saw, by hook name, while the block runs."""
    seen: dict[str, list] = {"before_flush": [], "before_insert": [], "after_insert": []}

    def before_flush(session, _context, _instances):
        seen["before_flush"] += [obj for obj in session.new if isinstance(obj, Post)]

    def before_insert(_mapper, _connection, post):
        seen["before_insert"].append((post.body, post.held, post.created_at))

    def after_insert(_mapper, _connection, post):
        seen["after_insert"].append(post.id)

    listeners = [(Session, "before_flush", before_flush), (Post, "before_insert", before_insert),
                 (Post, "after_insert", after_insert)]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        yield seen
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)


def test_a_new_thread_and_a_reply_pass_through_the_orm_hooks(app, make_user, make_category):
    author_id, replier_id = make_user(role="fellow").id, make_user(role="faculty").id
    category_id, _ = make_category()
    with app.test_request_context(), watching_posts() as seen:
        author, replier = db.session.get(User, author_id), db.session.get(User, replier_id)
        category = db.session.get(Category, category_id)
        thread, opening = posting.start_thread(author, category, "Dosing question", "What dose do you start with?")
        answer = posting.reply(replier, thread, "Low, and titrate.")
        db.session.flush()
        assert seen["after_insert"] == [opening.id, answer.id]
        assert [post.id for post in seen["before_flush"]] == [opening.id, answer.id]
        # The hooks saw the post as it is stored.
        assert [(body, held) for body, held, _ in seen["before_insert"]] == [
            ("What dose do you start with?", False), ("Low, and titrate.", False)]
        assert all(created is not None for *_, created in seen["before_insert"])
        assert (opening.version, answer.version) == (1, 1)  # the mapper's version counter, set at insert
        thread_id, opening_id, answer_id = thread.id, opening.id, answer.id
        db.session.commit()
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        assert (thread.post_count, thread.first_post_id, thread.last_post_id) == (2, opening_id, answer_id)
        stored = db.session.get(Post, answer_id)
        assert (stored.author_id, stored.held, stored.version, stored.edited_at) == (replier_id, False, 1, None)
