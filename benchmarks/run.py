"""Page throughput in-process, next to a bare Flask endpoint measured in the same run.

    .venv/bin/python benchmarks/run.py [--seconds 2]

Seeds the demo network into a temporary SQLite database, then for each page runs
requests through the WSGI app (no network, one thread) for a fixed time and prints
requests per second, mean latency, and the page's throughput as a share of the bare
endpoint's. It measures the app's own cost: routing, access checks, queries, templates.
"""

from __future__ import annotations

import argparse

from _common import bare_app, measure, print_table, scratch_app, sign_in


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per page")
    args = parser.parse_args()
    from network.demo import seed_demo
    from network.extensions import db

    with scratch_app() as app:
        with app.app_context(), app.test_request_context():
            seed_demo()
            db.session.commit()
        visitor = app.test_client()
        admin = sign_in(app, "admin@example.org", "demo-password-2026")
        fellow = sign_in(app, "fellow@example.org", "demo-password-2026")
        bare_rps, bare_ms = measure(bare_app().test_client(), "/", args.seconds)
        rows = [("bare Flask endpoint", bare_rps, bare_ms)]
        for label, client, path in [
            ("landing (visitor)", visitor, "/"),
            ("sign-in page", visitor, "/auth/login"),
            ("home (fellow)", fellow, "/"),
            ("account (fellow)", fellow, "/auth/account"),
            ("directory (fellow)", fellow, "/members/"),
            ("pending list (admin)", admin, "/admin/members/pending"),
            ("health check", visitor, "/healthz"),
        ]:
            rows.append((label, *measure(client, path, args.seconds)))
        print_table(rows, bare_rps)


if __name__ == "__main__":
    main()
