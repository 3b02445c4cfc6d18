"""The JSON API's busiest reads next to their pages and a bare Flask endpoint, in one run.

    .venv/bin/python benchmarks/api.py [--members 20000] [--posts 20000] [--seconds 3]

Seeds a scratch SQLite database like ``load.py`` does (the directory benchmark's members, the demo network,
then posts: one thread of 5,000 and the rest in threads of 50), gives the demo fellow a token (read and
write), and requests through the WSGI app in one thread (no HTTP, as the other scripts here): directory
search, a thread's posts (first page and page 100) and the opportunity list, each over the API with the token
and as the page signed in, and each as a *bare endpoint*: a plain Flask view in the same app that runs the
same reads and builds the same dicts, then ``jsonify`` — no token, no schema, no ETag, no rate limit, no
pages' hooks. The API row's share of its bare endpoint is what the API's machinery costs (the issue's measure:
at least 50%); the two are measured in turns of 20 requests, so that both see the same load on a shared
machine. Also printed: the share of the bare one-route Flask app's throughput (``bare_app``) and of the same
app's ``/_bench/bare`` (its middleware, access check and limiter, no query).
"""

from __future__ import annotations

import argparse
import random
import time

from _common import bare_app, measure, measure_side_by_side, scratch_app, sign_in
from directory import seed as seed_members
from discussions import seed_posts
from flask import Blueprint, g, jsonify
from sqlalchemy import select, text

from network.access import public
from network.api.resources import discussions as api_discussions
from network.api.resources import members as api_members
from network.api.resources import opportunities as api_opportunities
from network.auth import api_tokens
from network.cache import current_versions
from network.demo import DEMO_PASSWORD, seed_demo
from network.discussions import queries as discussion_queries
from network.discussions.models import Post
from network.extensions import db
from network.members.models import User
from network.opportunities.queries.board import BoardFilters, board_list, board_order
from network.profiles.directory import DIRECTORY, DirectoryQuery, card_rows_by_id, load_cards, word_search_ranking
from network.types import utcnow

FELLOW = "fellow@example.org"


def seed(app, members: int, posts: int) -> dict:
    """The dataset, and what the rows need from it: the fellow's token, the big thread, page 100's start."""
    seed_members(app, members)
    with app.app_context(), app.test_request_context():
        seed_demo()
        db.session.commit()
        big, after, _ = seed_posts(posts)
        fellow = db.session.scalars(select(User).where(User.email == FELLOW)).one()
        _, secret = api_tokens.issue(fellow, "benchmark", ["read", "write"])
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {"token": secret, "thread": big, "after": after}


def bare_endpoints(fellow_id: int) -> Blueprint:
    """The three API reads as plain views: the same query functions and dict builders as the API's, the fellow as
    the viewer, the first page of each; what they leave out is exactly the API's machinery."""
    bare = Blueprint("bench_api_bare", __name__)

    def as_fellow():
        g._login_user = db.session.get(User, fellow_id)
        return g._login_user

    @bare.route("/_bench/bare/members")
    @public
    def members():
        viewer = as_fellow()
        ranked = word_search_ranking(DirectoryQuery(q="neuromodulation"), viewer.id,
                                     current_versions(DIRECTORY)[DIRECTORY.name])
        cards = load_cards(card_rows_by_id(ranked[:25]), viewer.id)
        return jsonify([api_members.card_json(card) for card in cards])

    @bare.route("/_bench/bare/threads/<int:thread_id>/posts")
    @public
    def posts(thread_id: int):
        viewer = as_fellow()
        thread = discussion_queries.load_thread(thread_id)
        found = db.session.scalars(discussion_queries.thread_posts(viewer, thread).order_by(Post.id).limit(20))
        return jsonify([api_discussions.post_item(post) for post in found])

    @bare.route("/_bench/bare/opportunities")
    @public
    def opportunities():
        viewer, now = as_fellow(), utcnow()
        filters = BoardFilters()
        order = [column.desc() if descending else column.asc() for column, descending in board_order("newest")]
        rows = db.session.execute(board_list(viewer.id, filters, now, archive=False).order_by(*order).limit(25))
        dialect = db.session.get_bind().dialect.name
        return jsonify([api_opportunities.summary_json(row, dialect, now) for row in rows])

    return bare


def api_document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def page_url(client, url: str, page: int) -> str:
    """The URL of page ``page`` of a list, found as a client would: following each page's ``Link: rel="next"``."""
    for _ in range(page - 1):
        response = client.get(url)
        assert response.status_code == 200 and "Link" in response.headers, (url, response.status_code)
        url = response.headers["Link"].split(">", 1)[0].lstrip("<")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=20_000, help="posts to seed besides the demo's")
    parser.add_argument("--seconds", type=float, default=3.0, help="time per row")
    args = parser.parse_args()
    random.seed(20)
    with scratch_app(BENCHMARK_BARE_ENDPOINT=True) as app:
        started = time.perf_counter()
        facts = seed(app, args.members, args.posts)
        with app.app_context():
            app.register_blueprint(bare_endpoints(db.session.scalars(
                select(User.id).where(User.email == FELLOW)).one()))
        print(f"seeded {args.members:,} members and {args.posts:,} posts in {time.perf_counter() - started:.0f}s")
        page = sign_in(app, FELLOW, DEMO_PASSWORD)
        api = app.test_client()
        api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {facts['token']}"
        paths = api_document(api)["paths"]
        thread, after = facts["thread"], facts["after"]
        # (label, API path template, query or page number, the page showing the same, the bare endpoint)
        pairs = [
            ("directory search", "/api/v1/members", "?q=neuromodulation", "/members/?q=neuromodulation",
             "/_bench/bare/members"),
            ("thread's posts, page 1", "/api/v1/discussions/threads/{thread_id}/posts", "?limit=20",
             f"/discussions/t/{thread}", f"/_bench/bare/threads/{thread}/posts"),
            ("thread's posts, page 100", "/api/v1/discussions/threads/{thread_id}/posts", 100,
             f"/discussions/t/{thread}?after={after}", None),
            ("opportunity list", "/api/v1/opportunities", "", "/opportunities/", "/_bench/bare/opportunities"),
        ]
        bare_rps, bare_ms = measure(bare_app().test_client(), "/", args.seconds)
        app_bare_rps, app_bare_ms = measure(app.test_client(), "/_bench/bare", args.seconds)
        rows = [("bare Flask endpoint", bare_rps, bare_ms, None),
                ("the app's /_bench/bare", app_bare_rps, app_bare_ms, None)]
        missing = []
        for label, template, query, page_path, bare_path in pairs:
            if template not in paths:
                missing.append(template)
            else:
                url = template.format(thread_id=thread)
                url = page_url(api, url + "?limit=20", query) if isinstance(query, int) else url + query
                if bare_path:  # in turns, so that the share is taken under the same load
                    api_rps, same_work = measure_side_by_side((api, url), (app.test_client(), bare_path),
                                                              2 * args.seconds)
                    rows.append((f"{label}: bare endpoint", same_work, 1000 / same_work, None))
                    rows.append((f"{label}: API", api_rps, 1000 / api_rps, same_work))
                else:
                    rows.append((f"{label}: API", *measure(api, url, args.seconds), None))
            rows.append((f"{label}: page", *measure(page, page_path, args.seconds), None))
        print(f"{'request':<44}{'req/s':>9}{'mean ms':>10}{'of bare':>10}{'of app bare':>13}{'of its bare':>14}")
        for label, rps, ms, same_work in rows:
            share = f"{rps / same_work:>14.1%}" if same_work else ""
            print(f"{label:<44}{rps:>9.0f}{ms:>10.2f}{rps / bare_rps:>10.1%}{rps / app_bare_rps:>13.1%}{share}")
        for template in sorted(set(missing)):
            print(f"not in the API's document yet: {template}")


if __name__ == "__main__":
    main()
