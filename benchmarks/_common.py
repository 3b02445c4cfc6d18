"""Shared pieces of the benchmark scripts: an app on a scratch database, timing, a bare baseline."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask


def bare_app() -> Flask:
    """The baseline: a one-route Flask app returning "ok"."""
    app = Flask("bare")

    @app.route("/")
    def index():
        return "ok"

    return app


def measure(client, path: str, seconds: float) -> tuple[float, float]:
    """(requests per second, mean milliseconds) for GET ``path`` over ``seconds``."""
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


def measure_side_by_side(first: tuple, second: tuple, seconds: float, burst: int = 20) -> tuple[float, float]:
    """Requests per second of two ``(client, path)`` GETs, taken in turns of ``burst`` requests for ``seconds``
    in all: a share of one in the other is then measured under the same load, where two runs one after the other
    can differ by a third on a shared machine."""
    pairs = (first, second)
    for client, path in pairs:
        for _ in range(20):
            client.get(path).close()
    counts, spent = [0, 0], [0.0, 0.0]
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for index, (client, path) in enumerate(pairs):
            start = time.perf_counter()
            for _ in range(burst):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                response.close()
            spent[index] += time.perf_counter() - start
            counts[index] += burst
    return counts[0] / spent[0], counts[1] / spent[1]


def print_table(rows, baseline_rps: float, baseline_label: str = "share of bare") -> None:
    print(f"{'page':<34}{'req/s':>10}{'mean ms':>10}{baseline_label:>16}")
    for label, rps, ms in rows:
        print(f"{label:<34}{rps:>10.0f}{ms:>10.2f}{rps / baseline_rps:>15.1%}")


@contextmanager
def scratch_app(**config):
    """A migrated app on a temporary SQLite file (or ``DATABASE_URL`` if given)."""
    import flask_migrate

    from network import create_app
    from network.extensions import db

    folder = tempfile.mkdtemp(prefix="fn-bench-")
    overrides = {"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                 "RATELIMIT_ENABLED": False, **config}
    app = create_app(overrides)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def sign_in(app, email: str, password: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.status_code
    return client
