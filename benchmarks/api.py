"""The JSON API's busiest reads next to their pages and a bare Flask endpoint, in one run.

    .venv/bin/python benchmarks/api.py [--members 20000] [--posts 20000] [--seconds 3]

Seeds a scratch SQLite database like ``load.py`` does (the directory benchmark's members, the demo network,
then posts: one thread of 5,000 and the rest in threads of 50), gives the demo fellow a token (read and
write), and requests through the WSGI app in one thread (no HTTP, as the other scripts here): directory
search, a thread's posts (first page and page 100) and the opportunity list, each over the API with the token
and as the page signed in. Prints requests per second, the mean, and the share of the bare one-route Flask
app's throughput (``bare_app``, the issue's measure: at least 50% for the API rows) and of the same app's
``/_bench/bare`` without a session (its middleware, access check and limiter, no query).
"""

from __future__ import annotations

import argparse
import random
import time

from _common import bare_app, measure, scratch_app, sign_in
from directory import seed as seed_members
from discussions import seed_posts
from sqlalchemy import select, text

from network.auth import api_tokens
from network.demo import DEMO_PASSWORD, seed_demo
from network.extensions import db
from network.members.models import User

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
        print(f"seeded {args.members:,} members and {args.posts:,} posts in {time.perf_counter() - started:.0f}s")
        page = sign_in(app, FELLOW, DEMO_PASSWORD)
        api = app.test_client()
        api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {facts['token']}"
        paths = api_document(api)["paths"]
        thread, after = facts["thread"], facts["after"]
        # (label, API path template, query or page number, the page showing the same)
        pairs = [
            ("directory search", "/api/v1/members", "?q=neuromodulation", "/members/?q=neuromodulation"),
            ("thread's posts, page 1", "/api/v1/discussions/threads/{thread_id}/posts", "?limit=20",
             f"/discussions/t/{thread}"),
            ("thread's posts, page 100", "/api/v1/discussions/threads/{thread_id}/posts", 100,
             f"/discussions/t/{thread}?after={after}"),
            ("opportunity list", "/api/v1/opportunities", "", "/opportunities/"),
        ]
        bare_rps, bare_ms = measure(bare_app().test_client(), "/", args.seconds)
        app_bare_rps, app_bare_ms = measure(app.test_client(), "/_bench/bare", args.seconds)
        rows = [("bare Flask endpoint", bare_rps, bare_ms), ("the app's /_bench/bare", app_bare_rps, app_bare_ms)]
        missing = []
        for label, template, query, page_path in pairs:
            if template not in paths:
                missing.append(template)
            else:
                url = template.format(thread_id=thread)
                url = page_url(api, url + "?limit=20", query) if isinstance(query, int) else url + query
                rows.append((f"{label}: API", *measure(api, url, args.seconds)))
            rows.append((f"{label}: page", *measure(page, page_path, args.seconds)))
        print(f"{'request':<44}{'req/s':>9}{'mean ms':>10}{'of bare':>10}{'of app bare':>13}")
        for label, rps, ms in rows:
            print(f"{label:<44}{rps:>9.0f}{ms:>10.2f}{rps / bare_rps:>10.1%}{rps / app_bare_rps:>13.1%}")
        for template in sorted(set(missing)):
            print(f"not in the API's document yet: {template}")


if __name__ == "__main__":
    main()
