"""Faults the production shape must survive, each bounded in time:

* a gunicorn worker killed with SIGKILL in the middle of a burst of writes leaves no partial rows: every
  foreign key points somewhere and every counter matches what it counts (``integrity_problems``);
* PostgreSQL stopped: pages answer the designed 503 page, ``/healthz`` answers 503, and the same app object
  serves again once the database is back (no restart); Redis stopped: ``/healthz`` answers 503.

The checks in ``COUNTERS`` are keyed by area: an area that keeps a counter adds a query here that returns
the rows where the counter and what it counts disagree.
"""

from __future__ import annotations

import http.client
import os
import pwd  # noqa: F401  (the same)
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import flask_migrate
import psycopg  # noqa: F401  (imported before any import hook a chart library installs: tests.servers needs it)
import pytest
import redis  # noqa: F401
from sqlalchemy import inspect, text

from network import create_app
from network.extensions import db
from tests import servers
from tests.conftest import IN_CI, sign_in_session
from tests.html_checks import check_page

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
# pygal (cohort charts) puts an old-style import hook in front of every import; a module imported
# lazily after it (the Redis client's optional "valkey") then warns, and warnings are errors here.
pytestmark = pytest.mark.filterwarnings("ignore:PluginImportFixer.find_spec:ImportWarning")

#: area -> {what must hold: SQL returning the rows where it does not}. A check whose tables are missing
#: (an area not merged yet) is skipped.
COUNTERS = {
    "discussions": {
        "a thread's post count is its published posts": (
            ("discussion_thread", "discussion_post"),
            ("SELECT t.id FROM discussion_thread t WHERE t.post_count <> "
             "(SELECT count(*) FROM discussion_post p WHERE p.thread_id = t.id AND NOT p.held)")),
        "a thread's last post is its newest published post": (
            ("discussion_thread", "discussion_post"),
            ("SELECT t.id FROM discussion_thread t WHERE t.post_count > 0 AND t.last_post_id IS DISTINCT FROM "
             "(SELECT max(p.id) FROM discussion_post p WHERE p.thread_id = t.id AND NOT p.held)")),
        "a thread's first post exists and belongs to it": (
            ("discussion_thread", "discussion_post"),
            ("SELECT t.id FROM discussion_thread t WHERE NOT EXISTS (SELECT 1 FROM discussion_post p "
             "WHERE p.id = t.first_post_id AND p.thread_id = t.id)")),
    },
    "mentorship": {
        "a mentor's active mentees are their active mentorships": (
            ("mentor_settings", "mentorship"),
            ("SELECT s.user_id FROM mentor_settings s WHERE s.active_mentees <> (SELECT count(*) FROM mentorship m "
             "WHERE m.mentor_id = s.user_id AND m.status = 'active')")),
        "no mentor is over capacity": (
            ("mentor_settings",), "SELECT user_id FROM mentor_settings WHERE active_mentees > capacity"),
        "an accepted request has its mentorship": (
            ("mentorship_request", "mentorship"),
            ("SELECT r.id FROM mentorship_request r WHERE r.status = 'accepted' AND NOT EXISTS "
             "(SELECT 1 FROM mentorship m WHERE m.id = r.mentorship_id)")),
    },
    "opportunities": {
        "an event's going count is its 'going' answers": (
            ("opportunity", "event_rsvp"),
            ("SELECT o.id FROM opportunity o WHERE o.going_count <> (SELECT count(*) FROM event_rsvp r "
             "WHERE r.opportunity_id = o.id AND r.status = 'going')")),
    },
}


def integrity_problems(app) -> list[str]:
    """Every broken foreign key (in every table) and every counter that disagrees with what it counts."""
    problems = []
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        for table in db.metadata.sorted_tables:
            if table.name not in tables:
                continue
            for fk in table.foreign_key_constraints:
                parent = fk.referred_table.name
                if parent not in tables:
                    continue
                pairs = list(zip(fk.column_keys, [e.column.name for e in fk.elements], strict=True))
                child_cols = " AND ".join(f'c."{c}" IS NOT NULL' for c, _ in pairs)
                join = " AND ".join(f'p."{p}" = c."{c}"' for c, p in pairs)
                # Every name comes from the metadata, quoted.
                orphans = db.session.execute(text(
                    f'SELECT count(*) FROM "{table.name}" c WHERE {child_cols} AND NOT EXISTS '  # noqa: S608
                    f'(SELECT 1 FROM "{parent}" p WHERE {join})')).scalar()
                if orphans:
                    problems.append(f"{orphans} rows of {table.name} point to missing {parent} rows")
        for area, checks in COUNTERS.items():
            for rule, (needed, sql) in checks.items():
                if not set(needed) <= tables:
                    continue
                bad = db.session.execute(text(sql)).scalars().all()
                if bad:
                    problems.append(f"{area}: {rule} fails for ids {bad[:10]}")
        db.session.rollback()
    return problems


# -- gunicorn ------------------------------------------------------------------------------------------

def start_gunicorn(database_url: str, log_path: Path, workers: int = 2) -> tuple[subprocess.Popen, int]:
    port = servers.free_port()
    env = {**os.environ, "FLASK_DEPLOYMENT": "testing", "DATABASE_URL": database_url,
           "FLASK_RATELIMIT_ENABLED": "false"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([str(gunicorn), "--no-control-socket", "--bind", f"127.0.0.1:{port}", "--workers",
                                 str(workers), "--timeout", "30", "--graceful-timeout", "5", "--log-level", "warning",
                                 "wsgi:app"], cwd=ROOT, env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, log_path.read_text()[-2000:]
        try:
            if request(port, "GET", "/healthz")[0] == 200 and len(worker_pids(proc.pid)) == workers:
                return proc, port
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(proc)
    pytest.fail("gunicorn did not come up within 30 s")


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def worker_pids(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as children:
            return [int(pid) for pid in children.read().split()]
    except OSError:
        return []


def request(port: int, method: str, path: str, form: dict | None = None, cookie: str = "") -> tuple[int, str, str]:
    """(status, Set-Cookie, Location) of one request on a new connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Set-Cookie") or "", response.getheader("Location") or ""
    finally:
        conn.close()


def sign_in_over_http(port: int, email: str, password: str) -> str:
    status, set_cookie, _ = request(port, "POST", "/auth/login", {"email": email, "password": password})
    assert status == 302, status
    return set_cookie.split(";", 1)[0]


@POSTGRES_ONLY
def test_killing_a_worker_in_a_burst_of_writes_leaves_no_partial_rows(app, make_user, database_url, tmp_path):
    from network.discussions.models import Category, CategoryVisibility, Thread
    from network.discussions.services import categories, posting
    from network.members.models import User
    from network.mentorship.models import MentorSettings, MentorshipRequest

    writers = [make_user(role="fellow") for _ in range(4)]
    mentor = make_user(role="alumni")
    askers = [make_user(role="fellow") for _ in range(40)]
    with app.test_request_context():
        category = categories.save_category(None, None, name="General", description="Talk.",
                                            visibility=CategoryVisibility.MEMBERS, cohort_id=None,
                                            holds_phi_matches=False)
        thread, _ = posting.start_thread(db.session.get(User, mentor.id), db.session.get(Category, category.id),
                                         "Burst thread", "Opening post.")
        db.session.add(MentorSettings(user_id=mentor.id, capacity=10, types=["career"]))
        requests = [MentorshipRequest(mentee_id=a.id, mentor_id=mentor.id, type="career", message="Hi")
                    for a in askers]
        db.session.add_all(requests)
        db.session.commit()
        thread_id, request_ids = thread.id, [r.id for r in requests]

    proc, port = start_gunicorn(database_url, tmp_path / "gunicorn.log")
    try:
        cookies = {m.id: sign_in_over_http(port, m.email, m.password) for m in [*writers, mentor]}
        outcomes: dict[str, list] = {"replied": [], "accepted": [], "lost": [], "refused": []}
        lock = threading.Lock()
        stop_at = time.monotonic() + 6

        def reply_loop(member) -> None:
            n = 0
            while time.monotonic() < stop_at:
                n += 1
                key = f"burst-{member.id}-{n}"
                try:
                    status, _, location = request(port, "POST", f"/discussions/t/{thread_id}/reply",
                                               {"body": f"Burst reply {key}", "submission_key": key},
                                               cookies[member.id])
                except (OSError, http.client.HTTPException):  # the worker died mid-request
                    status, location = "lost", ""
                with lock:
                    if status == 302 and "/discussions/p/" in location:
                        outcomes["replied"].append(key)
                    elif status == "lost" or status == 502:
                        outcomes["lost"].append(key)
                    else:
                        outcomes["refused"].append((key, status, location))

        def accept_loop() -> None:
            for request_id in request_ids:
                if time.monotonic() > stop_at:
                    break
                try:
                    status, _, _ = request(port, "POST", f"/mentorship/requests/{request_id}/accept", {},
                                        cookies[mentor.id])
                except (OSError, http.client.HTTPException):
                    status = "lost"
                with lock:
                    outcomes["accepted" if status == 302 else "lost"].append(request_id)

        threads = [threading.Thread(target=reply_loop, args=(m,)) for m in writers]
        threads.append(threading.Thread(target=accept_loop))
        for t in threads:
            t.start()
        killed = []
        for delay in (1.5, 2.5):  # two kills, each in the middle of the burst
            time.sleep(delay)
            victims = worker_pids(proc.pid)
            assert victims, "no gunicorn worker to kill"
            os.kill(victims[0], signal.SIGKILL)
            killed.append(victims[0])
        for t in threads:
            t.join(timeout=30)
        assert proc.poll() is None, "the gunicorn master died"
        # The master replaced the killed workers and the app serves again.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and request(port, "GET", "/healthz")[0] != 200:
            time.sleep(0.2)
        assert request(port, "GET", "/healthz")[0] == 200
        assert not set(killed) & set(worker_pids(proc.pid))
    finally:
        stop_gunicorn(proc)

    assert len(outcomes["replied"]) > 10, outcomes  # the burst really wrote
    assert outcomes["refused"] == []  # a killed worker signs nobody out and refuses nothing
    assert integrity_problems(app) == []
    with app.app_context():
        stored = set(db.session.scalars(text("SELECT submission_key FROM discussion_post "
                                             "WHERE submission_key IS NOT NULL")))
        thread = db.session.get(Thread, thread_id)
        posts = db.session.scalar(text("SELECT count(*) FROM discussion_post WHERE thread_id = :t"), {"t": thread_id})
        assert thread.post_count == posts
        # Every reply the server confirmed is stored; a lost one is stored whole or not at all.
        assert set(outcomes["replied"]) <= stored
        assert stored <= set(outcomes["replied"]) | set(outcomes["lost"])


# -- the database and Redis going away ---------------------------------------------------------------

def _pg_ctl(server, *args) -> None:
    command = servers._pg_cmd([os.path.join(server.bindir, "pg_ctl"), "-D", server.datadir, *args],
                              server._as_postgres_user)
    subprocess.run(command, check=True, cwd=server.workdir, env=servers._pg_env(), timeout=60,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_postgres(server) -> None:
    _pg_ctl(server, "stop", "-m", "fast", "-w", "-t", "30")


def start_postgres_again(server) -> None:
    opts = (f"-k {server.sockdir} -c listen_addresses={server.host} -p {server.port} -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off")
    _pg_ctl(server, "start", "-w", "-t", "30", "-l", server.log_path, "-o", opts)


@pytest.fixture
def own_servers():
    """A PostgreSQL and a Redis of this test's own: it stops them."""
    try:
        postgres = servers.start_postgres(database="network_faults")
        redis_server = servers.start_redis()
    except servers.ServerUnavailable as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL and Redis are required in CI: {exc}")
        pytest.skip(f"needs PostgreSQL and Redis: {exc}")
    yield postgres, redis_server
    redis_server.stop()
    postgres.stop()


def test_postgres_stopped_pages_say_503_and_recover_without_a_restart(own_servers, smtp_server):
    from network.members.models import MemberStatus, Role, User
    from network.types import utcnow

    postgres, redis_server = own_servers
    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": postgres.url,
                      "RATELIMIT_STORAGE_URI": redis_server.url, "MAIL_SERVER": smtp_server.host,
                      "MAIL_PORT": smtp_server.port})
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        user = User(email="fellow@example.org", name="Dr. Down Time", role=Role.FELLOW,
                    status=MemberStatus.VERIFIED, password_hash="x", email_confirmed_at=utcnow(),
                    verified_at=utcnow())
        db.session.add(user)
        db.session.commit()
        member = type("M", (), {"id": user.id})()
    client = app.test_client()
    sign_in_session(client, app, member)
    assert client.get("/").status_code == 200
    assert client.get("/healthz").json == {"status": "ok", "database": "ok", "redis": "ok"}

    stop_postgres(postgres)
    try:
        for path in ("/", "/members/", "/discussions/"):
            response = client.get(path)
            assert response.status_code == 503, path
            page = response.get_data(as_text=True)
            assert "The network is briefly unavailable" in page
            assert "nothing you sent was saved" in page
            assert "Traceback" not in page and "psycopg" not in page
            assert response.headers["Retry-After"] == "30"
        assert client.post("/members/me/edit", data={"name": "Dr. Lost Write"}).status_code == 503
        assert client.get("/", headers={"Accept": "application/json"}).json["status"] == 503
        health = app.test_client().get("/healthz")  # a load balancer: no session
        assert health.status_code == 503
        assert health.json == {"status": "error", "database": "unavailable", "redis": "ok"}
        health = client.get("/healthz")  # a signed-in browser: loading the member fails first
        assert health.status_code == 503
        assert health.json["status"] == "error"
    finally:
        start_postgres_again(postgres)

    # The same app object, no restart: the pool replaces the dead connections (pre-ping).
    deadline = time.monotonic() + 20
    while client.get("/healthz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.get("/healthz").json == {"status": "ok", "database": "ok", "redis": "ok"}
    assert client.get("/").status_code == 200
    with app.app_context():
        assert db.session.get(User, member.id).name == "Dr. Down Time"  # the write during the outage is gone

    redis_server.stop()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json == {"status": "error", "database": "ok", "redis": "unavailable"}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_503_page_is_valid_html(app):

    from sqlalchemy.exc import OperationalError

    from network.errors import handle_database_unavailable

    with app.test_request_context("/members/"):
        lost = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        response = handle_database_unavailable(lost)
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert check_page(html) == []
    assert re.search(r"<h1[^>]*>The network is briefly unavailable</h1>", html)
