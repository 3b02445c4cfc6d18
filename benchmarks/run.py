"""Page throughput in-process, next to a bare Flask endpoint measured in the same run.

    .venv/bin/python benchmarks/run.py [--seconds 2]

Seeds the demo network into a temporary SQLite database, then for each page runs
requests through the WSGI app (no network, one thread) for a fixed time and prints
requests per second, mean latency, and the page's throughput as a share of the bare
endpoint's. It measures the app's own cost: routing, access checks, queries, templates.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from flask import Flask  # noqa: E402

from network import create_app  # noqa: E402
from network.demo import seed_demo  # noqa: E402
from network.extensions import db  # noqa: E402


def bare_app() -> Flask:
    app = Flask("bare")

    @app.route("/")
    def index():
        return "ok"

    return app


def measure(client, path: str, seconds: float) -> tuple[float, float]:
    """(requests per second, mean milliseconds) for GET path."""
    for _ in range(20):  # warm up caches and the template loader
        client.get(path).close()
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        response.close()
        count += 1
    elapsed = time.perf_counter() - start
    return count / elapsed, elapsed / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per page")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="fn-bench-")
    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade()
        seed_demo()
        db.session.commit()
    visitor = app.test_client()
    admin = app.test_client()
    admin.post("/auth/login", data={"email": "admin@example.org", "password": "demo-password-2026"})
    fellow = app.test_client()
    fellow.post("/auth/login", data={"email": "fellow@example.org", "password": "demo-password-2026"})

    bare_rps, bare_ms = measure(bare_app().test_client(), "/", args.seconds)
    rows = [("bare Flask endpoint", bare_rps, bare_ms)]
    for label, client, path in [
        ("landing (visitor)", visitor, "/"),
        ("sign-in page", visitor, "/auth/login"),
        ("home (fellow)", fellow, "/"),
        ("account (fellow)", fellow, "/auth/account"),
        ("pending list (admin)", admin, "/admin/members/pending"),
        ("health check", visitor, "/healthz"),
    ]:
        rows.append((label, *measure(client, path, args.seconds)))
    print(f"{'page':<24}{'req/s':>10}{'mean ms':>10}{'share of bare':>15}")
    for label, rps, ms in rows:
        print(f"{label:<24}{rps:>10.0f}{ms:>10.2f}{rps / bare_rps:>14.1%}")
    with app.app_context():
        db.engine.dispose()
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))
    os.rmdir(folder)


if __name__ == "__main__":
    main()
