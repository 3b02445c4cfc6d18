"""Discussions: posts in a thread (each marked helpful by three members, one the accepted answer), threads in a
category (and in the Latest and Unread feeds, a third of them read by the fellow, a third opened before their last
post), flags for moderators, a post's revisions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select, text, update

from network.extensions import db

ARGUMENTS = {"discussions.thread": {"thread_id": "thread_id"},
             "discussions.category": {"slug": "category_slug"},
             "discussions.history": {"post_id": "fellow_post_id"},
             "discussions.updates": {"thread_id": "thread_id"}}


def _category_and_thread(people, named):
    from network.discussions.models import Category, CategoryVisibility
    from network.discussions.services import categories, posting
    from network.members.models import User

    if "thread_id" not in named:
        category = categories.save_category(None, None, name="Budget talk", description="",
                                            visibility=CategoryVisibility.MEMBERS, cohort_id=None,
                                            holds_phi_matches=False)
        thread, first = posting.start_thread(db.session.get(User, people["fellow"].id),
                                             db.session.get(Category, category.id), "Budget thread", "Opening.")
        named.update(category_slug=category.slug, thread_id=thread.id, fellow_post_id=first.id)
    category_id = db.session.scalar(select(Category.id).where(Category.slug == named["category_slug"]))
    return category_id, named["thread_id"], named["fellow_post_id"]


def populate(app, people, named, count):
    from network.discussions.models import Flag, Post, PostRevision, Reaction, ReadMark, Thread
    from network.types import utcnow

    with app.test_request_context():
        category_id, thread_id, own_post = _category_and_thread(people, named)
        now = utcnow()
        authors = [people["fellow"].id, people["alumni"].id, people["faculty"].id]
        db.session.execute(insert(Post), [
            {"thread_id": thread_id, "author_id": authors[n % 3], "body": f"Budget reply {n}",
             "body_html": f"<p>Budget reply {n}</p>", "created_at": now + timedelta(seconds=n), "held": False,
             "version": 1} for n in range(count)])
        db.session.execute(insert(Thread), [
            {"category_id": category_id, "author_id": authors[n % 3], "title": f"Budget topic {n}",
             "created_at": now - timedelta(minutes=n), "last_post_at": now - timedelta(minutes=n), "post_count": 1,
             "pinned": False, "locked": False, "held": False} for n in range(count)])
        empty = db.session.scalars(select(Thread.id).where(Thread.first_post_id.is_(None))).all()
        db.session.execute(insert(Post), [
            {"thread_id": t, "author_id": authors[t % 3], "body": "Opening", "body_html": "<p>Opening</p>",
             "created_at": now, "held": False, "version": 1} for t in empty])
        for thread in (thread_id, *empty):
            last = select(func.max(Post.id)).where(Post.thread_id == thread).scalar_subquery()
            first = select(func.min(Post.id)).where(Post.thread_id == thread).scalar_subquery()
            count_ = select(func.count()).where(Post.thread_id == thread).scalar_subquery()
            db.session.execute(update(Thread).where(Thread.id == thread)
                               .values(first_post_id=first, last_post_id=last, post_count=count_))
        marks = [{"user_id": people["fellow"].id, "thread_id": t, "last_read_post_id": 0 if t % 3 else t * 1000}
                 for t in empty if t % 3 != 1]
        if marks:
            db.session.execute(insert(ReadMark), marks)
        posts = db.session.scalars(select(Post.id).where(Post.thread_id == thread_id).order_by(Post.id.desc())
                                   .limit(count)).all()
        db.session.execute(insert(Flag), [{"post_id": p, "reporter_id": people["fellow"].id, "reason": "Check",
                                           "created_at": now} for p in posts])
        db.session.execute(insert(Reaction), [{"post_id": p, "user_id": member, "created_at": now}
                                              for p in posts for member in authors])
        db.session.execute(update(Thread).where(Thread.id == thread_id).values(answer_post_id=posts[-1]))
        db.session.execute(insert(PostRevision), [{"post_id": own_post, "editor_id": people["fellow"].id,
                                                   "body": f"Earlier text {n}", "created_at": now}
                                                  for n in range(count)])
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("UPDATE discussion_post SET search_vector = to_tsvector('english', body) "
                                    "WHERE search_vector IS NULL"))
        else:
            db.session.execute(text("INSERT INTO post_fts (rowid, title, body) SELECT id, '', body "
                                    "FROM discussion_post WHERE id NOT IN (SELECT rowid FROM post_fts)"))
        db.session.commit()
