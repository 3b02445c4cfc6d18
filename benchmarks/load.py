"""Load test over HTTP: gunicorn on PostgreSQL and Redis, a mixed signed-in workload and a bare endpoint
of the same app, in one run.

    .venv/bin/python benchmarks/load.py                  # 20,000 members, 200,000 posts, 120 s of load
    .venv/bin/python benchmarks/load.py --duration 60 --clients 8 --workers 3

What it does, bounded in time (about 10 minutes the first time, 3 once the dataset is cached):

1. starts a throwaway PostgreSQL and Redis (tests/servers.py);
2. restores the dataset from ``benchmarks/.cache/`` (a ``pg_dump`` made the first time: the demo network,
   20,000 members with profiles and interests, mentors' settings, 200,000 posts in about 4,000 threads,
   all indexed for search), keyed by the migrations: after a schema change the last dump is restored,
   migrated and dumped again (``--rebuild`` seeds from scratch);
3. serves ``wsgi:app`` with gunicorn and the production configuration (``gunicorn.conf.py``: sync workers,
   JSON access log into ``benchmarks/.cache/gunicorn.log``; rate limits in Redis, ``--no-control-socket``),
   with ``BENCHMARK_BARE_ENDPOINT`` set so ``/_bench/bare`` exists: the same app, server, middleware and
   access check, but no session, query or template;
4. signs demo members in through the real form (CSRF token and session cookie) and runs
   * a mixed phase: every client picks a page at random by weight (home, directory search, a member's
     profile, a thread page, the opportunity board, mentor recommendations, posting a reply, the bare
     endpoint) -> p50/p95/p99 per page and the total throughput;
   * an isolated phase: each page alone at the same concurrency for an equal slice of time -> requests
     per second, and that as a share of the bare endpoint's (the issue's goal: at least 25%);
5. prints the table and the error count (any status other than the page's expected one, or a refused
   connection, is an error) and exits 1 when there were errors.

The load generator is Python (threads in ``--client-processes`` processes; sync workers close each
connection, so every request opens one, as behind a proxy without upstream keep-alive) on the
same machine as the server: it takes CPU from the server, equally for every page and the bare endpoint.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import multiprocessing
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

CACHE = ROOT / "benchmarks" / ".cache"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (the demo's published password)
#: Bump when the seeding below changes, so an old cached dump is not reused.
SEED_VERSION = 1
BIG_THREAD = 5_000
THREAD_SIZE = 50

#: label -> (weight in the mixed phase, expected status). Paths are filled in from the dataset.
PAGES = {
    "bare endpoint": (2, 200),
    "home": (3, 200),
    "directory search": (2, 200),
    "profile": (3, 200),
    "thread page": (3, 200),
    "opportunity board": (2, 200),
    "recommendations": (1, 200),
    "post a reply": (1, 302),
}


# -- dataset ------------------------------------------------------------------------------------------

def dataset_key(members: int, posts: int) -> str:
    """Changes when the schema (any migration) or this seeding changes."""
    digest = hashlib.sha256(f"{SEED_VERSION}:{members}:{posts}".encode())
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def seed(url: str, members: int, posts: int) -> None:
    """Migrate an empty database and fill it: members first (ids 1..N), then the demo network, then posts."""
    import flask_migrate
    from directory import seed as seed_members
    from sqlalchemy import insert, select, text

    from network import create_app
    from network.demo import seed_demo
    from network.extensions import db
    from network.members.models import Role, User
    from network.mentorship.models import MentorSettings

    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    started = time.perf_counter()
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    seed_members(app, members)  # the directory benchmark's members: profiles, interests, search index
    print(f"  {members:,} members in {time.perf_counter() - started:.0f}s", flush=True)
    rng = random.Random(200_000)
    with app.app_context(), app.test_request_context():
        seed_demo()
        db.session.commit()
        mentors = db.session.scalars(select(User.id).where(User.role.in_([Role.ALUMNI, Role.FACULTY]),
                                                           User.email.like("%@bench.example.org"),
                                                           User.id.not_in(select(MentorSettings.user_id)))).all()
        settings = [{"user_id": i, "accepting": True, "capacity": rng.randint(1, 6), "active_mentees": 0,
                     "types": rng.sample(["research", "clinical", "career", "wellness"], rng.randint(1, 3)),
                     "meeting_modes": ["video"], "availability": ""} for i in mentors if rng.random() < 0.5]
        if settings:  # (the directory's seed may already have made every mentor's settings)
            db.session.execute(insert(MentorSettings), settings)
        db.session.commit()
        seed_posts(posts, rng)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    print(f"  seeded in {time.perf_counter() - started:.0f}s", flush=True)


def seed_posts(total: int, rng: random.Random) -> None:
    """``total`` posts in the "general" category: one thread of 5,000, the rest in threads of 50."""
    from sqlalchemy import insert, select, text

    from network.discussions.demo import REPLIES
    from network.discussions.models import Category, Post, Thread
    from network.discussions.rendering import render_body
    from network.extensions import db
    from network.members.models import Role, User
    from network.types import utcnow

    category = db.session.scalars(select(Category).where(Category.slug == "general")).one()
    authors = db.session.scalars(select(User.id).where(User.role != Role.ADMIN)).all()
    rendered = [(body, render_body(body)[0]) for body in REPLIES]
    now = utcnow()
    sizes = [min(BIG_THREAD, total)]
    while sum(sizes) < total:
        sizes.append(min(THREAD_SIZE, total - sum(sizes)))
    db.session.execute(insert(Thread), [
        {"category_id": category.id, "author_id": rng.choice(authors),
         "title": f"Load thread {i}: {REPLIES[i % len(REPLIES)][:60]}", "created_at": now - timedelta(minutes=i),
         "last_post_at": now - timedelta(minutes=i), "post_count": size, "pinned": False, "locked": False,
         "held": False} for i, size in enumerate(sizes)])
    thread_ids = db.session.scalars(select(Thread.id).where(Thread.title.like("Load thread %"))
                                    .order_by(Thread.id)).all()
    rows, n = [], 0
    for thread_id, size in zip(thread_ids, sizes, strict=True):
        for _ in range(size):
            body, html = rendered[n % len(rendered)]
            rows.append({"thread_id": thread_id, "author_id": rng.choice(authors), "body": body, "body_html": html,
                         "created_at": now - timedelta(seconds=total - n), "held": False, "version": 1})
            n += 1
            if len(rows) >= 10_000:
                db.session.execute(insert(Post), rows)
                rows = []
    if rows:
        db.session.execute(insert(Post), rows)
    db.session.execute(text(
        "UPDATE discussion_thread t SET first_post_id = s.first, last_post_id = s.last FROM "
        "(SELECT thread_id, min(id) AS first, max(id) AS last FROM discussion_post GROUP BY thread_id) s "
        "WHERE s.thread_id = t.id AND t.title LIKE 'Load thread %'"))
    # The index the app keeps (the post's declared document, network/discussions/models.py), in one statement.
    db.session.execute(text(
        "UPDATE discussion_post p SET search_vector = setweight(to_tsvector('english', "
        "CASE WHEN p.id = t.first_post_id THEN t.title ELSE '' END), 'A') || to_tsvector('english', p.body) "
        "FROM discussion_thread t WHERE t.id = p.thread_id AND t.title LIKE 'Load thread %'"))


def migrate(url: str) -> None:
    """Bring a restored dataset to the current migrations, then refresh the planner's statistics."""
    import flask_migrate
    from sqlalchemy import text

    from network import create_app
    from network.extensions import db

    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()


def pg_tool(server, name: str) -> list[str]:
    return [os.path.join(server.bindir, name), "-h", server.host, "-p", str(server.port), "-U", "postgres"]


def prepare_database(server, members: int, posts: int, rebuild: bool) -> None:
    """Restore the cached dump, or seed and dump it the first time."""
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    dump = CACHE / f"load-{members}-{posts}-v{SEED_VERSION}-{dataset_key(members, posts)}.dump"
    database = server.url.rsplit("/", 1)[1]
    started = time.perf_counter()
    if dump.exists() and not rebuild:
        subprocess.run(pg_tool(server, "pg_restore") + ["--no-owner", "-j", "2", "-d", database, str(dump)],
                       check=True)
        subprocess.run(pg_tool(server, "psql") + ["-q", "-d", database, "-c", "ANALYZE"], check=True)
        print(f"restored {dump.name} in {time.perf_counter() - started:.0f}s", flush=True)
        return
    older = sorted(CACHE.glob(f"load-{members}-{posts}-v{SEED_VERSION}-*.dump"), key=os.path.getmtime)
    if older and not rebuild:
        # Only the migrations changed: restore the last dataset and migrate it, as production would.
        print(f"migrating {older[-1].name} to the current schema (cached as {dump.name})", flush=True)
        subprocess.run(pg_tool(server, "pg_restore") + ["--no-owner", "-j", "2", "-d", database, str(older[-1])],
                       check=True)
        migrate(server.url)
    else:
        print(f"seeding {members:,} members and {posts:,} posts (once; cached as {dump.name})", flush=True)
        seed(server.url, members, posts)
    for old in CACHE.glob(f"load-{members}-{posts}-*.dump"):
        old.unlink()
    subprocess.run(pg_tool(server, "pg_dump") + ["-Fc", "-Z", "1", "-f", str(dump) + ".tmp", database], check=True)
    os.replace(str(dump) + ".tmp", dump)


def dataset_facts(url: str) -> dict:
    """Ids the workload needs: the big thread, some small threads, some members' profiles."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        threads = conn.execute(text("SELECT id FROM discussion_thread WHERE title LIKE 'Load thread %' "
                                    "ORDER BY id LIMIT 400")).scalars().all()
        profiles = conn.execute(text("SELECT id FROM \"user\" WHERE email LIKE '%@bench.example.org' "
                                     "ORDER BY id LIMIT 2000")).scalars().all()
        counts = conn.execute(text("SELECT (SELECT count(*) FROM \"user\"), (SELECT count(*) FROM discussion_post)"))
        users, posts = counts.one()
    engine.dispose()
    return {"threads": threads, "profiles": profiles, "users": users, "posts": posts}


# -- the server -------------------------------------------------------------------------------------

def start_gunicorn(database_url: str, redis_url: str, port: int, workers: int | None) -> subprocess.Popen:
    """The production configuration (gunicorn.conf.py: sync workers, JSON logs) with its database, Redis
    and port set here; ``workers`` overrides its count."""
    env = {**os.environ, "FLASK_DEPLOYMENT": "production", "FLASK_SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": database_url, "FLASK_RATELIMIT_STORAGE_URI": redis_url,
           # The baseline route: production allows it only when the public address is this machine.
           "FLASK_BENCHMARK_BARE_ENDPOINT": "true", "FLASK_PUBLIC_URL": f"http://127.0.0.1:{port}",
           # Plain HTTP on localhost; the cookie would be Secure behind TLS in production.
           "FLASK_SESSION_COOKIE_SECURE": "false",
           # Limits stay on (their counters live in Redis), set high enough for one member posting in a loop.
           "FLASK_POST_RATE_LIMIT": "100000 per minute", "FLASK_LOGIN_RATE_LIMIT": "1000 per minute"}
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--no-control-socket", "--bind", f"127.0.0.1:{port}"]
    if (ROOT / "gunicorn.conf.py").exists():
        command += ["--config", str(ROOT / "gunicorn.conf.py")]
    if workers:
        command += ["--workers", str(workers)]
    command.append("wsgi:app")
    with (CACHE / "gunicorn.log").open("wb") as log:  # access log and errors, away from the table
        proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {proc.returncode}; see {CACHE / 'gunicorn.log'}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# -- a member's browser -----------------------------------------------------------------------------

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Browser:
    """A member's browser: its cookies, and one connection reused while the server keeps it open."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: one retry on a new one.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, data


def sign_in(port: int, email: str) -> Browser:
    browser = Browser(port)
    status, page = browser.request("GET", "/auth/login")
    token = TOKEN.search(page.decode()).group(1)
    status, _ = browser.request("POST", "/auth/login",
                                {"csrf_token": token, "email": email, "password": DEMO_PASSWORD})
    if status != 302:
        raise SystemExit(f"could not sign in as {email}: {status}")
    return browser


# -- the load -------------------------------------------------------------------------------------------

def run_clients(port: int, sessions: list, plan: dict, labels: list, weights: list, clients: int,
                seconds: float, seed: int) -> dict:
    """``clients`` threads in this process, each on its own connection, for ``seconds``.
    Returns {label: [latencies in ms]} and {label: [error descriptions]}."""
    latencies = {label: [] for label in labels}
    errors = {label: [] for label in labels}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        session = sessions[n % len(sessions)]
        browser = Browser(port, session["cookies"])
        mine, failed = {label: [] for label in labels}, {label: [] for label in labels}
        while time.perf_counter() < deadline:
            label = rng.choices(labels, weights)[0]
            method, path, form, expected = plan[label](rng, session)
            started = time.perf_counter()
            try:
                status, _ = browser.request(method, path, form)
            except OSError as exc:
                failed[label].append(f"{type(exc).__name__}: {exc}")
                browser = Browser(port, session["cookies"])
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if status != expected:
                failed[label].append(f"{method} {path} -> {status}")
            else:
                mine[label].append(elapsed)
        with lock:
            for label in labels:
                latencies[label] += mine[label]
                errors[label] += failed[label]

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors}


def make_plan(facts: dict) -> dict:
    """label -> a function (rng, session) -> (method, path, form, expected status)."""
    big = facts["threads"][0]
    small = facts["threads"][1:]
    profiles = facts["profiles"]

    def get(path_of, status=200):
        return lambda rng, session: ("GET", path_of(rng), None, status)

    def reply(rng, session):
        # Words only: a long number could look like a patient identifier and stop at the check.
        topic = rng.choice(["genicular blocks", "spinal cord stimulation", "ketamine infusions", "cooled RF"])
        body = f"Load test reply about {topic}: ultrasound guidance made it easier to teach."
        return "POST", f"/discussions/t/{session['reply_thread']}/reply", \
            {"csrf_token": session["token"], "body": body}, 302

    return {
        "bare endpoint": get(lambda rng: "/_bench/bare"),
        "home": get(lambda rng: "/"),
        "directory search": get(lambda rng: "/members/?q=" + rng.choice(
            ["neuromodulation", "spine", "ultrasound", "cancer+research", "headache", "pediatric"])),
        "profile": get(lambda rng: f"/members/{rng.choice(profiles)}"),
        "thread page": get(lambda rng: f"/discussions/t/{big if rng.random() < 0.3 else rng.choice(small)}"),
        "opportunity board": get(lambda rng: "/opportunities/"),
        "recommendations": get(lambda rng: "/mentorship/recommendations?type=" + rng.choice(
            ["research", "clinical", "career"])),
        "post a reply": reply,
    }


def _process_entry(args) -> dict:
    port, sessions, facts, labels, weights, clients, seconds, seed = args
    return run_clients(port, sessions, make_plan(facts), labels, weights, clients, seconds, seed)


def load(pool, port, sessions, facts, labels, weights, clients, seconds, processes, seed) -> dict:
    """Spread ``clients`` over ``processes`` and merge what they measured."""
    per = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    jobs = [(port, sessions, facts, labels, weights, n, seconds, seed * 10 + i) for i, n in enumerate(per) if n]
    merged = {"latencies": {label: [] for label in labels}, "errors": {label: [] for label in labels}}
    for result in pool.map(_process_entry, jobs):
        for kind, by_label in merged.items():
            for label in labels:
                by_label[label] += result[kind][label]
    return merged


def percentile(values: list, q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds of load in all (half mixed, "
                        "half split between the pages measured alone)")
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn worker processes (default: what gunicorn.conf.py starts)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive connections")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="seed again instead of using the cached dump")
    args = parser.parse_args()
    overall = time.perf_counter()

    from tests.servers import free_port, start_postgres, start_redis

    postgres = start_postgres(database="network_load")
    redis = start_redis()
    gunicorn = None
    try:
        prepare_database(postgres, args.members, args.posts, args.rebuild)
        facts = dataset_facts(postgres.url)
        port = free_port()
        gunicorn = start_gunicorn(postgres.url, redis.url, port, args.workers)
        # Every client browses as the demo fellow (recommendations are a fellow's page) in one session,
        # replying in one thread with the session's CSRF token.
        browser = sign_in(port, "fellow@example.org")
        thread = facts["threads"][1]
        _, page = browser.request("GET", f"/discussions/t/{thread}/reply")
        sessions = [{"cookies": browser.cookies, "token": TOKEN.search(page.decode()).group(1),
                     "reply_thread": thread}]
        labels = list(PAGES)
        weights = [PAGES[label][0] for label in labels]
        context = multiprocessing.get_context("spawn")
        with context.Pool(args.client_processes) as pool:
            load(pool, port, sessions, facts, labels, weights, args.clients, 5, args.client_processes, 1)  # warm up
            mixed_seconds = args.duration / 2
            mixed = load(pool, port, sessions, facts, labels, weights, args.clients, mixed_seconds,
                         args.client_processes, 2)
            alone_seconds = args.duration / 2 / len(labels)
            alone = {}
            for i, label in enumerate(labels):
                alone[label] = load(pool, port, sessions, facts, [label], [1], args.clients, alone_seconds,
                                    args.client_processes, 3 + i)
    finally:
        if gunicorn is not None:
            stop(gunicorn)
        redis.stop()
        postgres.stop()

    total = sum(len(v) for v in mixed["latencies"].values())
    errors = {label: mixed["errors"][label] + alone[label]["errors"][label] for label in labels}
    bare_rps = len(alone["bare endpoint"]["latencies"]["bare endpoint"]) / alone_seconds
    workers = args.workers or f"gunicorn.conf.py's default ({os.cpu_count()} CPUs)"
    print(f"\n{facts['users']:,} members, {facts['posts']:,} posts; gunicorn workers: {workers}, on PostgreSQL "
          f"+ Redis; {args.clients} concurrent clients in {args.client_processes} processes")
    print(f"mixed phase: {total:,} requests in {mixed_seconds:.0f}s = {total / mixed_seconds:.0f} req/s; "
          f"each page alone for {alone_seconds:.1f}s\n")
    print(f"| {'page':<18} | {'mixed n':>7} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | {'alone req/s':>11} "
          f"| {'of bare':>7} | {'errors':>6} |")
    print(f"|{'-' * 20}|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 12}:|{'-' * 8}:|{'-' * 7}:|")
    goal_met = True
    for label in labels:
        values = mixed["latencies"][label]
        rps = len(alone[label]["latencies"][label]) / alone_seconds
        share = rps / bare_rps if bare_rps else 0
        goal_met &= share >= 0.25 or label == "bare endpoint"
        print(f"| {label:<18} | {len(values):>7,} | {percentile(values, 50):>7.1f} | {percentile(values, 95):>7.1f} "
              f"| {percentile(values, 99):>7.1f} | {rps:>11.1f} | {share:>7.1%} | {len(errors[label]):>6} |")
    error_count = sum(len(v) for v in errors.values())
    for label, seen in errors.items():
        for line in sorted(set(seen))[:3]:
            print(f"  error on {label}: {line}")
    print(f"\n{error_count} errors; every page at least 25% of the bare endpoint: {'yes' if goal_met else 'no'}; "
          f"whole run {time.perf_counter() - overall:.0f}s")
    return 1 if error_count else 0


if __name__ == "__main__":
    sys.exit(main())
