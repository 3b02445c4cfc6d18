"""Searching thread titles and posts, with highlighted snippets.

The index is ``network.search``'s: ``Post`` declares its part in ``network.discussions.models``
(only the opening post carries the thread title; held and removed posts are left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from markupsafe import Markup, escape
from sqlalchemy import column, func, literal_column, select, table

from network import search
from network.discussions.models import Category, Post, Thread
from network.extensions import db
from network.members.models import User
from network.text.phi import find_phi, without_phi

# Control characters mark highlights in snippets; they are stripped from indexed text, so after
# escaping the snippet they can only be our marks.
START, STOP = "\x01", "\x02"


@dataclass
class Hit:
    post_id: int
    thread_id: int
    thread_title: str
    category_name: str
    author_id: int
    author_name: str
    created_at: datetime
    snippet: Markup


def highlight_snippet(raw: str) -> Markup:
    """Escape everything, then turn our marks into ``<mark>``. A snippet never shows a span the
    patient-identifier detector flags (a confirmed post may hold weaker ones)."""
    return escape(without_phi_marked(raw or "")).replace(START, Markup("<mark>")).replace(STOP, Markup("</mark>"))


def without_phi_marked(raw: str) -> str:
    """``raw`` (a snippet with our highlight marks) with each flagged span replaced by "[removed]"; the
    marks stay balanced (a mark inside a span is closed before it and reopened after)."""
    clean = raw.replace(START, "").replace(STOP, "")
    spans = find_phi(clean)
    if not spans:
        return raw
    out: list[str] = []
    position = index = 0  # in the clean text, in the raw one
    inside = False  # within a highlight
    for span in spans:
        while position < span.start:
            character = raw[index]
            out.append(character)
            if character in (START, STOP):
                inside = character == START
            else:
                position += 1
            index += 1
        out.append((STOP if inside else "") + "[removed]")
        while position < span.end:
            character = raw[index]
            if character in (START, STOP):
                inside = character == START
            else:
                position += 1
            index += 1
        if inside:
            out.append(START)
    out.append(raw[index:])
    return "".join(out)


def search_posts(visible, words: str, category_id: int | None = None, author: str | None = None,
                 since: date | None = None, until: date | None = None, newest: bool = False,
                 limit: int = 20) -> list[Hit]:
    """Posts matching ``words`` among those ``visible`` (a SQL condition on Category/Thread/Post), best first
    (or newest first: cheaper for common words, as no match needs a relevance score)."""
    index = search.index_of(Post)
    dialect = db.session.get_bind().dialect.name
    expression = search.expression(index, dialect, words)
    if expression is None:
        return []
    columns = [Post.id, Post.thread_id, Thread.title, Category.name, User.id, User.name, Post.created_at]
    filters = [visible, Post.removed_at.is_(None), Post.held.is_(False)]
    if category_id:
        filters.append(Thread.category_id == category_id)
    if author:
        filters.append(func.lower(User.name).contains(author.strip().lower(), autoescape=True))
    if since:
        filters.append(Post.created_at >= datetime.combine(since, time.min, UTC))
    if until:
        filters.append(Post.created_at < datetime.combine(until + timedelta(days=1), time.min, UTC))
    statement = (select(*columns)
                 .join(Thread, Thread.id == Post.thread_id).join(Category, Category.id == Thread.category_id)
                 .join(User, User.id == Post.author_id)
                 .where(*filters))
    statement, rank = search.match(statement, index, dialect, expression, ranked=not newest)
    # Two steps: the best ``limit`` matches, then snippets for those only (a snippet for every match of a
    # common word would cost more than the search itself).
    rows = db.session.execute(statement.order_by(*([Post.id.desc()] if newest else [rank, Post.id.desc()]))
                              .limit(limit)).all()
    snippets = _snippets(index, dialect, expression, [row[0] for row in rows]) if rows else {}
    return [Hit(post_id, thread_id, without_phi(title), category, author_id, author_name, created_at,
                highlight_snippet(snippets.get(post_id, "")))
            for post_id, thread_id, title, category, author_id, author_name, created_at in rows]


def _snippets(index, dialect: str, expression: str, post_ids: list[int]) -> dict[int, str]:
    """The marked snippet of each of these posts: where the words matched, our marks around them."""
    if dialect == "postgresql":
        snippet = func.ts_headline(
            "english", func.regexp_replace(Post.body, "[\x01\x02]", " ", "g"), search.tsquery(index, expression),
            f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter= … ")
        return dict(db.session.execute(select(Post.id, snippet).where(Post.id.in_(post_ids))).all())
    fts = table(index.fts_table, column("rowid"))
    snippet = func.snippet(literal_column(index.fts_table), -1, START, STOP, "…", 24)
    return dict(db.session.execute(select(fts.c.rowid, snippet).where(
        literal_column(index.fts_table).op("MATCH")(expression), fts.c.rowid.in_(post_ids))).all())
