"""Categories, threads, posts and what members do with them (subscriptions, read marks, flags)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from network import search
from network.extensions import db
from network.text.markdown import markdown_to_text
from network.types import LabelledEnum, enum_column, intpk, member_fk, member_pk, utc_now


def _enum(cls, name: str):
    return enum_column(cls, name, length=16)


class CategoryVisibility(LabelledEnum):
    MEMBERS = "members", "All verified members"
    COHORT = "cohort", "One cohort only"  # (and admins)
    FACULTY = "faculty", "Faculty only"  # (and admins)


class Category(db.Model):
    __tablename__ = "discussion_category"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0, index=True)
    visibility: Mapped[CategoryVisibility] = mapped_column(_enum(CategoryVisibility, "category_visibility"),
                                                           default=CategoryVisibility.MEMBERS)
    # Set for a cohort's private category; one per cohort.
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), unique=True)
    # "Case discussions": posts that look like they hold patient identifiers wait for a moderator.
    holds_phi_matches: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[utc_now]

    cohort: Mapped[Cohort | None] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class Thread(db.Model):
    __tablename__ = "discussion_thread"
    __table_args__ = (Index("ix_discussion_thread_listing", "category_id", "pinned", "last_post_at", "id"),
                      # The home page's "latest discussions" across categories, newest first.
                      Index("ix_discussion_thread_recent", "last_post_at", "id"),
                      # The Latest and Unread feeds filtered to one category (pinned threads in their place).
                      Index("ix_discussion_thread_category_recent", "category_id", "last_post_at", "id"))

    id: Mapped[intpk]
    category_id: Mapped[int] = mapped_column(ForeignKey("discussion_category.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[utc_now]
    # Denormalised so lists need no aggregate over posts: the last visible post and the count.
    last_post_at: Mapped[utc_now]
    first_post_id: Mapped[int | None] = mapped_column(Integer)
    last_post_id: Mapped[int | None] = mapped_column(Integer)
    post_count: Mapped[int] = mapped_column(default=0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # The opening post waits for a moderator: only its author and moderators see the thread.
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    # The opening post was removed while held: the thread stays hidden (``held``) and takes no replies.
    removed_at: Mapped[datetime | None]
    # The reply its author or a moderator accepted as the answer (``services.answers``).
    # (no foreign key, like ``first_post_id``: posts are only ever removed softly, and removal unmarks it)
    answer_post_id: Mapped[int | None] = mapped_column(Integer)

    category: Mapped[Category] = relationship()
    author: Mapped[User] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Thread {self.id}>"


class Post(db.Model):
    __tablename__ = "discussion_post"
    __table_args__ = (Index("ix_discussion_post_thread_id_id", "thread_id", "id"),
                      UniqueConstraint("author_id", "submission_key"))

    id: Mapped[intpk]
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_thread.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # The sanitised HTML, rendered once on save (mentions resolved then).
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[utc_now]
    edited_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    # Optimistic concurrency: every UPDATE checks and bumps it.
    version: Mapped[int] = mapped_column(default=1)
    # The reply form's one-time key: the same form sent twice (a double click) makes one post.
    submission_key: Mapped[str | None] = mapped_column(String(43))

    thread: Mapped[Thread] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])  # noqa: F821

    __mapper_args__ = {"version_id_col": version}  # (SQLAlchemy reads it once, at mapping)

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def __repr__(self) -> str:
        return f"<Post {self.id}>"


def search_document(post: Post) -> tuple[str, str]:
    """(title, body): the words of a post, and its thread's title when it opens the thread."""
    thread = object_session(post).get(Thread, post.thread_id)  # a post made with a thread_id has no thread yet
    title = thread.title if post.id == thread.first_post_id else ""
    return search.without_controls(title), search.without_controls(markdown_to_text(post.body))


search.register(search.Indexed(
    Post, fts_table="post_fts", document=search_document, fields=(("title", "A"), ("body", None)),
    watch=("body", "held", "removed_at"),
    listed=lambda post: not post.held and post.removed_at is None,
    # A retitled thread, or the opening post known at last, restates the opening post's title.
    depends_on=(search.Related(Thread, ("title", "first_post_id"),
                               lambda threads: [thread.first_post_id for thread in threads]),),
    load=("thread",), query="websearch"))


class PostRevision(db.Model):
    """The text a post had before an edit."""

    __tablename__ = "discussion_post_revision"

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(ForeignKey("discussion_post.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[utc_now]

    editor: Mapped[User | None] = relationship()  # noqa: F821


class SubscriptionLevel(enum.StrEnum):
    WATCH = "watch"
    MUTE = "mute"


class Subscription(db.Model):
    __tablename__ = "discussion_subscription"

    user_id: Mapped[member_pk]
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_thread.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    level: Mapped[SubscriptionLevel] = mapped_column(_enum(SubscriptionLevel, "subscription_level"))


class ReadMark(db.Model):
    """The last post a member has seen in a thread."""

    __tablename__ = "discussion_read_mark"

    user_id: Mapped[member_pk]
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_thread.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    last_read_post_id: Mapped[int] = mapped_column(Integer, default=0)


class Flag(db.Model):
    __tablename__ = "discussion_flag"

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(ForeignKey("discussion_post.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[member_fk]
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[utc_now]
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(32))

    post: Mapped[Post] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys="Flag.reporter_id")  # noqa: F821


class Draft(db.Model):
    """A reply a member has started and not posted yet, one per member and thread, so it can be finished on
    another device. Private to its member: it has not passed the patient-identifier guard (a post does, when
    it is posted), so nobody else ever sees it."""

    __tablename__ = "discussion_draft"

    user_id: Mapped[member_pk]
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_thread.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[utc_now]

    thread: Mapped[Thread] = relationship()


class Reaction(db.Model):
    """A member found a post helpful: one per member and post (``services.reactions``)."""

    __tablename__ = "discussion_reaction"

    post_id: Mapped[int] = mapped_column(ForeignKey("discussion_post.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[utc_now]
