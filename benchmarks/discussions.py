"""Discussion pages under many posts, next to a bare Flask endpoint and the bare profile page.

    .venv/bin/python benchmarks/discussions.py                 # 20,000 posts, about a minute
    .venv/bin/python benchmarks/discussions.py --posts 200000  # the issue's size

Seeds the demo network into a temporary SQLite database, then bulk-inserts posts (one thread of
5,000 posts, the rest in threads of 50, with realistic pain-medicine text, indexed for search),
and for each page runs requests through the WSGI app in one thread for a fixed time, like
benchmarks/run.py. "thread, page 100" starts after the 1,980th post: keyset pagination should make
it cost the same as page 1.

Figures from 2026-11-23 on the 2-core development machine (SQLite, in-process, one thread; the bare
endpoint varies between runs with the machine's load, so compare rows of the same run):

| page (200,492 posts)       | req/s | mean ms | of bare | of profile |
|----------------------------|------:|--------:|--------:|-----------:|
| bare Flask endpoint        |  2036 |    0.49 |    100% |            |
| profile page (fellow)      |    65 |   15.34 |    3.2% |       100% |
| categories                 |    80 |   12.44 |    3.9% |       123% |
| category, first page       |   106 |    9.40 |    5.2% |       163% |
| thread, page 1             |    86 |   11.65 |    4.2% |       132% |
| thread, page 100           |    83 |   11.98 |    4.1% |       128% |
| search 'ketamine'          |    26 |   38.44 |    1.3% |        40% |
| search 'cooled RF'         |    15 |   64.56 |    0.8% |        24% |
| search 'ketamine', newest  |    51 |   19.51 |    2.5% |        79% |

The Latest feed is measured next to a bare endpoint doing the same reads (``bare_latest``), in turns
(``measure_side_by_side``); its figures, with the load they were taken under, are in benchmarks/README.md.

Relevance search scores every match (bm25 over ~5,000 posts for a common word); "newest first"
walks the index in id order and stops at 20.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate
from _common import measure_side_by_side
from flask import Blueprint, g, jsonify
from run import bare_app, measure
from sqlalchemy import insert, literal, select, text

from network import create_app
from network.access import public
from network.demo import seed_demo
from network.discussions import queries
from network.discussions.demo import REPLIES
from network.discussions.feeds import FeedFilter
from network.discussions.models import Category, Post, ReadMark, Thread
from network.discussions.rendering import render_body
from network.extensions import db
from network.members.models import Role, User
from network.types import utcnow

BIG_THREAD = 5_000
THREAD_SIZE = 50
BATCH = 10_000


def seed_posts(total: int) -> tuple[int, int, str]:
    """Bulk posts in the "general" category; returns (big thread id, post id after which page 100 starts, slug)."""
    category = db.session.scalars(select(Category).where(Category.slug == "general")).one()
    authors = db.session.scalars(select(User.id).where(User.role != Role.ADMIN)).all()
    rendered = [(body, render_body(body)[0]) for body in REPLIES]
    now = utcnow()
    sizes = [min(BIG_THREAD, total)]
    left = total - sizes[0]
    while left > 0:
        sizes.append(min(THREAD_SIZE, left))
        left -= sizes[-1]
    thread_rows = [{"category_id": category.id, "author_id": authors[i % len(authors)],
                    "title": f"Benchmark thread {i}: {REPLIES[i % len(REPLIES)][:60]}",
                    "created_at": now - timedelta(minutes=i), "last_post_at": now - timedelta(minutes=i),
                    "post_count": size, "pinned": False, "locked": False, "held": False}
                   for i, size in enumerate(sizes)]
    db.session.execute(insert(Thread), thread_rows)
    thread_ids = db.session.scalars(select(Thread.id).where(Thread.title.like("Benchmark thread %"))
                                    .order_by(Thread.id)).all()
    rows, n = [], 0
    for thread_id, size in zip(thread_ids, sizes, strict=True):
        for _ in range(size):
            body, html = rendered[n % len(rendered)]
            rows.append({"thread_id": thread_id, "author_id": authors[n % len(authors)], "body": body,
                         "body_html": html, "created_at": now, "held": False, "version": 1})
            n += 1
            if len(rows) >= BATCH:
                db.session.execute(insert(Post), rows)
                rows = []
    if rows:
        db.session.execute(insert(Post), rows)
    db.session.execute(text(
        "UPDATE discussion_thread SET first_post_id = (SELECT min(id) FROM discussion_post p WHERE p.thread_id = "
        "discussion_thread.id), last_post_id = (SELECT max(id) FROM discussion_post p "
        "WHERE p.thread_id = discussion_thread.id) WHERE title LIKE 'Benchmark thread %'"))
    db.session.execute(text(
        "INSERT INTO post_fts (rowid, title, body) SELECT p.id, '', p.body FROM discussion_post p "
        "JOIN discussion_thread t ON t.id = p.thread_id WHERE t.title LIKE 'Benchmark thread %'"))
    db.session.execute(text("ANALYZE"))
    big = thread_ids[0]
    after = db.session.scalars(select(Post.id).where(Post.thread_id == big).order_by(Post.id)
                               .offset(99 * 20 - 1).limit(1)).first()
    return big, after, category.slug


def read_half(email: str) -> None:
    """The member has opened every other benchmark thread and read its first half, so the Latest feed counts
    unread posts after a mark on half its rows (one INSERT … SELECT)."""
    member = db.session.scalar(select(User.id).where(User.email == email))
    db.session.execute(insert(ReadMark).from_select(
        ["user_id", "thread_id", "last_read_post_id"],
        select(literal(member), Thread.id, Thread.first_post_id + Thread.post_count // 2)
        .where(Thread.title.like("Benchmark thread %"), Thread.id % 2 == 0)))


def bare_latest(fellow_id: int) -> Blueprint:
    """The Latest feed's reads as a plain view: the same query functions as the page (the categories of the filter,
    a page of threads with their unread counts), the fellow as the viewer, each row as a dict of what the page
    shows, then ``jsonify``; no session, no template, no navigation."""
    bare = Blueprint("bench_latest_bare", __name__)

    @bare.route("/_bench/bare/latest")
    @public
    def latest():
        viewer = g._login_user = db.session.get(User, fellow_id)
        categories = queries.visible_categories(viewer)
        rows, cursor = queries.feed_page(viewer, FeedFilter())
        return jsonify(categories=[(c.id, c.name) for c in categories], older=cursor is not None, threads=[
            {"id": row.thread.id, "title": row.thread.title, "category": row.thread.category.name,
             "author": row.thread.author.name, "replies": row.thread.post_count - 1,
             "last_post_at": row.thread.last_post_at.isoformat(), "unread": row.unread} for row in rows])

    return bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000, help="posts to seed (the issue asks for 200000)")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per page")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="fn-bench-discussions-")
    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                      "RATELIMIT_ENABLED": False})
    started = time.perf_counter()
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        seed_demo()
        db.session.commit()
        big, after, slug = seed_posts(args.posts)
        read_half("fellow@example.org")
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        total = db.session.scalar(text("SELECT count(*) FROM discussion_post"))
        profile_id = db.session.scalar(select(User.id).where(User.email == "alumni@example.org"))
        fellow_id = db.session.scalar(select(User.id).where(User.email == "fellow@example.org"))
        app.register_blueprint(bare_latest(fellow_id))
    print(f"seeded {total:,} posts in {time.perf_counter() - started:.1f}s")

    fellow = app.test_client()
    fellow.post("/auth/login", data={"email": "fellow@example.org", "password": "demo-password-2026"})
    bare_rps, bare_ms = measure(bare_app().test_client(), "/", args.seconds)
    rows = [("bare Flask endpoint", bare_rps, bare_ms)]
    # The Latest feed and its bare endpoint, in turns of 20 requests so that both see the same load.
    feed_rps, feed_bare_rps = measure_side_by_side((fellow, "/discussions/"),
                                                   (app.test_client(), "/_bench/bare/latest"), 2 * args.seconds)
    pages = [
        ("profile page (fellow)", f"/members/{profile_id}"),
        ("categories", "/discussions/c/"),  # the Categories tab
        ("unread feed", "/discussions/unread"),
        ("category, first page", f"/discussions/c/{slug}"),
        ("thread, page 1", f"/discussions/t/{big}"),
        ("thread, page 100", f"/discussions/t/{big}?after={after}"),
        ("search 'ketamine'", "/discussions/search?q=ketamine"),
        ("search 'cooled RF'", "/discussions/search?q=cooled+RF"),
        ("search 'ketamine', newest", "/discussions/search?q=ketamine&sort=newest"),
    ]
    for label, path in pages:
        try:
            rows.append((label, *measure(fellow, path, args.seconds)))
        except AssertionError as exc:
            rows.append((f"{label} (failed: {exc})", 0.0, 0.0))
    profile_rps = rows[1][1] or None
    print(f"{'page':<30}{'req/s':>10}{'mean ms':>10}{'of bare':>10}{'of profile':>12}")
    for label, rps, ms in rows:
        of_profile = f"{rps / profile_rps:>11.0%}" if profile_rps else f"{'n/a':>11}"
        print(f"{label:<30}{rps:>10.0f}{ms:>10.2f}{rps / bare_rps:>10.1%} {of_profile}")
    print(f"{'latest feed: bare endpoint':<30}{feed_bare_rps:>10.0f}{1000 / feed_bare_rps:>10.2f}"
          f"{feed_bare_rps / bare_rps:>10.1%}")
    print(f"{'latest feed: page':<30}{feed_rps:>10.0f}{1000 / feed_rps:>10.2f}{feed_rps / bare_rps:>10.1%}"
          f"  {feed_rps / feed_bare_rps:.1%} of its bare endpoint")
    with app.app_context():
        db.engine.dispose()
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))
    os.rmdir(folder)


if __name__ == "__main__":
    main()
