"""What the thread page shows around its posts: who found each post helpful, the accepted answer under the
question, and the summary line (the most active participants with their photos, how many took part). One
query each, however many posts or reactions the thread holds; reads only, like ``queries``."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from network.discussions.models import Post, Reaction, Thread
from network.extensions import db
from network.members.models import User
from network.profiles.models import Profile

#: How many participants the summary line shows by photo ("and N more" for the rest).
SHOWN_PARTICIPANTS = 5


@dataclass
class Helpful:
    """The "helpful" marks of one post: who gave them, oldest first, and whether the reader is one of them."""

    names: list[str] = field(default_factory=list)
    mine: bool = False

    @property
    def count(self) -> int:
        return len(self.names)


def helpful_marks(viewer_id: int, post_ids: list[int]) -> dict[int, Helpful]:
    """``{post id: Helpful}`` for the posts of a page (posts nobody marked are absent), in one query."""
    marks: dict[int, Helpful] = {}
    if not post_ids:
        return marks
    rows = db.session.connection().execute(
        select(Reaction.post_id, Reaction.user_id, User.name).join(User, User.id == Reaction.user_id)
        .where(Reaction.post_id.in_(post_ids)).order_by(Reaction.post_id, Reaction.created_at, Reaction.user_id))
    for post_id, user_id, name in rows:
        helpful = marks.setdefault(post_id, Helpful())
        helpful.names.append(name)
        helpful.mine = helpful.mine or user_id == viewer_id
    return marks


def accepted_answer(thread: Thread):
    """The thread's accepted answer while it is published: a row of ``id``, ``author_id``, ``author_name``
    (the box under the question needs no more), or None."""
    if thread.answer_post_id is None:
        return None
    return db.session.connection().execute(
        select(Post.id, Post.author_id, User.name.label("author_name")).join(User, User.id == Post.author_id)
        .where(Post.id == thread.answer_post_id, Post.thread_id == thread.id, Post.held.is_(False),
               Post.removed_at.is_(None))).first()


@dataclass
class Participants:
    """The thread's most active authors (rows of ``id``, ``name``, ``photo_version``) and how many took part."""

    shown: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


def participants(thread: Thread, limit: int = SHOWN_PARTICIPANTS) -> Participants:
    """Who wrote the thread's published posts, the most posts first (then the latest): the first ``limit``
    and the count of all, in one query."""
    authors = (select(Post.author_id, func.count().label("posts"), func.max(Post.id).label("latest"))
               .where(Post.thread_id == thread.id, Post.held.is_(False), Post.removed_at.is_(None))
               .group_by(Post.author_id).subquery())
    rows = db.session.connection().execute(
        select(User.id, User.name, Profile.photo_version, func.count().over().label("total"))
        .join(authors, authors.c.author_id == User.id).outerjoin(Profile, Profile.user_id == User.id)
        .order_by(authors.c.posts.desc(), authors.c.latest.desc()).limit(limit)).all()
    return Participants(shown=rows, total=rows[0].total if rows else 0)
