"""Full-text search over thread titles and posts: SQLite FTS5 or a PostgreSQL tsvector.

The index is written by the app in the same transaction as the post (no triggers), so both
databases follow one code path: ``index_post`` on create, edit and approval, ``unindex_post``
on removal. Only the opening post carries the thread title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from markupsafe import Markup, escape
from sqlalchemy import bindparam, column, func, literal_column, select, table, text

from network.discussions.models import Category, Post, Thread
from network.extensions import db
from network.members.models import User
from network.text.markdown import markdown_to_text
from network.text.phi import find_phi, without_phi

# Control characters mark highlights in snippets; they are stripped from indexed text, so after
# escaping the snippet they can only be our marks.
START, STOP = "\x01", "\x02"
_MARKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WORD = re.compile(r"\w+", re.UNICODE)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def plain(markdown: str) -> str:
    return _MARKS.sub(" ", markdown_to_text(markdown))


_INDEX = {
    "postgresql": [text("UPDATE discussion_post SET search_vector = setweight(to_tsvector('english', :title), 'A') "
                        "|| to_tsvector('english', :body) WHERE id = :id")],
    "sqlite": [text("DELETE FROM post_fts WHERE rowid = :id"),
               text("INSERT INTO post_fts (rowid, title, body) VALUES (:id, :title, :body)")],
}


def index_post(post_id: int, body: str, title: str = "") -> None:
    """(Re)index a post's words (and its thread's title when it opens the thread), on the session's
    connection (in its transaction; every new post comes through here)."""
    params = {"title": _MARKS.sub(" ", title or ""), "body": plain(body), "id": post_id}
    connection = db.session.connection()
    for statement in _INDEX[connection.dialect.name]:
        connection.execute(statement, params)


def unindex_post(post_id: int) -> None:
    if _dialect() == "postgresql":
        db.session.execute(text("UPDATE discussion_post SET search_vector = NULL WHERE id = :id"), {"id": post_id})
    else:
        db.session.execute(text("DELETE FROM post_fts WHERE rowid = :id"), {"id": post_id})


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
    escaped = str(escape(without_phi_marked(raw or "")))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))


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


def fts5_query(words: str) -> str | None:
    """Every word must appear; each quoted, so no FTS5 syntax reaches the engine. Last word as a prefix."""
    tokens = _WORD.findall(words or "")[:12]
    if not tokens:
        return None
    quoted = ['"' + t.replace('"', '""') + '"' for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def search_posts(visible, words: str, category_id: int | None = None, author: str | None = None,
                 since: date | None = None, until: date | None = None, newest: bool = False,
                 limit: int = 20) -> list[Hit]:
    """Posts matching ``words`` among those ``visible`` (a SQL condition on Category/Thread/Post), best first
    (or newest first: cheaper for common words, as no match needs a relevance score)."""
    query_text = fts5_query(words)
    if query_text is None:
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
    # Two steps: the best ``limit`` matches, then snippets for those only (a snippet for every match of a
    # common word would cost more than the search itself).
    if _dialect() == "postgresql":
        tsquery = func.websearch_to_tsquery("english", bindparam("words", words))
        vector = literal_column("discussion_post.search_vector")
        stmt = (select(*columns)
                .join(Thread, Thread.id == Post.thread_id).join(Category, Category.id == Thread.category_id)
                .join(User, User.id == Post.author_id)
                .where(vector.op("@@")(tsquery), *filters)
                .order_by(*([Post.id.desc()] if newest else [func.ts_rank(vector, tsquery).desc(), Post.id.desc()]))
                .limit(limit))
        rows = db.session.execute(stmt).all()
        snippet = func.ts_headline(
            "english", func.regexp_replace(Post.body, "[\x01\x02]", " ", "g"), tsquery,
            f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter= … ")
        snippets = dict(db.session.execute(select(Post.id, snippet).where(Post.id.in_([r[0] for r in rows]))).all()) \
            if rows else {}
    else:
        fts = table("post_fts", column("rowid"), column("rank"))
        match = literal_column("post_fts").op("MATCH")(query_text)
        stmt = (select(*columns)
                .select_from(fts)
                .join(Post, Post.id == fts.c.rowid)
                .join(Thread, Thread.id == Post.thread_id).join(Category, Category.id == Thread.category_id)
                .join(User, User.id == Post.author_id)
                .where(match, *filters)
                .order_by(*([fts.c.rowid.desc()] if newest else [fts.c.rank, Post.id.desc()])).limit(limit))
        rows = db.session.execute(stmt).all()
        snippet = func.snippet(literal_column("post_fts"), -1, START, STOP, "…", 24)
        snippets = dict(db.session.execute(select(fts.c.rowid, snippet).where(
            match, fts.c.rowid.in_([r[0] for r in rows]))).all()) if rows else {}
    return [Hit(post_id, thread_id, without_phi(title), category, author_id, author_name, created_at,
                highlight_snippet(snippets.get(post_id, "")))
            for post_id, thread_id, title, category, author_id, author_name, created_at in rows]
