"""Two processes, one truth: two gunicorn instances (gunicorn.conf.py, production settings) on different
ports share one PostgreSQL and one Redis. A session made on one works on the other, a rate limit counted
on one applies on the other, and a write on one is read on the other."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest

# Imported before pygal's import hook exists (the cohort charts install it): its optional-import probe
# would otherwise raise an ImportWarning, an error under filterwarnings=error, when Redis is first used.
import redis.observability.providers  # noqa: F401
from sqlalchemy import create_engine, text

from network import create_app
from network.extensions import db
from tests import servers
from tests.conftest import DEFAULT_PASSWORD, _password_hash

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 40
_numbers = itertools.count(1)


class Browser:
    """A tiny HTTP client for one site: keeps cookies (Secure ones too: this is plain HTTP on 127.0.0.1)."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = cookies if cookies is not None else {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Expires=Thu, 01 Jan 1970" in header or "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        connection.close()
        return response.status, response.headers, data

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, page: str, action: str, fields: dict):
        """Open ``page``, take its CSRF token, post ``fields`` to ``action`` (as a browser would)."""
        status, _, html = self.get(page)
        assert status == 200, (page, status)
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert token, f"no CSRF token on {page}"
        return self.request("POST", action, {"csrf_token": token.group(1).decode(), **fields})


def _wait_until_up(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn on {port} exited:\n{log_path.read_text()[-3000:]}")
        try:
            status, _, _ = Browser(port).get("/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn on {port} did not answer /healthz within {START_TIMEOUT}s:\n{log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def shared_database(postgres_template):
    """A fresh PostgreSQL database cloned from the migrated template, with one faculty member."""
    server = postgres_template
    template = server.url.rsplit("/", 1)[1]
    name = f"two_processes_{os.getpid()}_{next(_numbers)}"
    admin_url = server.url.rsplit("/", 1)[0] + "/postgres"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = server.url.rsplit("/", 1)[0] + "/" + name
    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from network.members.models import MemberStatus, Role, User
        from network.types import utcnow

        db.session.add(User(email="priya@example.org", name="Dr. Priya Raman", role=Role.FACULTY,
                            status=MemberStatus.VERIFIED, password_hash=_password_hash(DEFAULT_PASSWORD),
                            email_confirmed_at=utcnow(), verified_at=utcnow()))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def two_instances(shared_database, redis_server, tmp_path):
    """Two gunicorn instances, two workers each, same database, same Redis, same secret."""
    redis_server.client().flushdb()
    env = {
        **os.environ,
        "FLASK_DEPLOYMENT": "production",
        "FLASK_SECRET_KEY": secrets.token_hex(32),
        "FLASK_PUBLIC_URL": "http://127.0.0.1",  # both instances answer on this machine, on their own ports
        "DATABASE_URL": shared_database,
        "REDIS_URL": redis_server.url,
        "FLASK_LOGIN_RATE_LIMIT": "6 per minute",  # her two sign-ins count too
        # Fast hashes for the test member; the other production settings stay as they are.
        "FLASK_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "WEB_CONCURRENCY": "2",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("FLASK_RATELIMIT_STORAGE_URI", None)
    env.pop("FLASK_TWO_FACTOR_REQUIRED_ROLES", None)
    instances = []
    try:
        for _ in range(2):
            port = servers.free_port()
            log_path = tmp_path / f"gunicorn-{port}.log"
            log_file = open(log_path, "wb")  # noqa: SIM115 - closed below, after the process ends
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"],
                cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
            instances.append((port, process, log_path, log_file))
        for port, process, log_path, _ in instances:
            _wait_until_up(port, process, log_path)
        yield [(port, log_path) for port, _, log_path, _ in instances]
    finally:
        for _, process, _, log_file in instances:
            _stop(process)
            log_file.close()
        redis_server.client().flushdb()


def test_two_gunicorn_instances_share_sessions_rate_limits_and_writes(two_instances):
    started = time.monotonic()
    (port_a, log_a), (port_b, log_b) = two_instances

    # A session made on A works on B (signed cookie, same secret, same database).
    on_a = Browser(port_a)
    status, headers, _ = on_a.post_form("/auth/login", "/auth/login",
                                        {"email": "priya@example.org", "password": DEFAULT_PASSWORD})
    assert status == 302 and headers["Location"].endswith("/")
    on_b = Browser(port_b, on_a.cookies)
    # Production requires two-step sign-in of faculty: B knows who she is and sends her to set it up.
    status, headers, _ = on_b.get("/auth/account")
    assert status == 302 and headers["Location"].endswith("/auth/account/two-factor")
    status, _, page = on_b.get("/auth/account/two-factor")
    assert status == 200 and b"you need two-step" in page

    # Her laptop, signed in on A too.
    laptop = Browser(port_a)
    status, _, _ = laptop.post_form("/auth/login", "/auth/login",
                                    {"email": "priya@example.org", "password": DEFAULT_PASSWORD})
    assert status == 302

    # A write on A is read on B: A starts the two-step set-up, B shows the same key; B turns it on, A sees it on.
    status, headers, _ = on_a.post_form("/auth/account/two-factor", "/auth/account/two-factor/setup", {})
    assert status == 302
    _, _, setup_on_a = on_a.get("/auth/account/two-factor/setup")
    _, _, setup_on_b = on_b.get("/auth/account/two-factor/setup")
    key_a = re.search(rb'id="setup-key">([A-Z2-7 ]+)<', setup_on_a).group(1)
    key_b = re.search(rb'id="setup-key">([A-Z2-7 ]+)<', setup_on_b).group(1)
    assert key_a == key_b
    code = pyotp.TOTP(key_b.decode().replace(" ", "")).now()
    status, _, _ = on_b.post_form("/auth/account/two-factor/setup", "/auth/account/two-factor/enable", {"code": code})
    assert status == 200
    _, _, status_page = on_a.get("/auth/account/two-factor")
    assert b"is <strong>on</strong>" in status_page
    status, _, page = on_a.get("/auth/account")
    assert status == 200 and b"priya@example.org" in page
    # Turning it on (on B) signed out every other device, on whichever process it next asks.
    status, headers, _ = laptop.get("/auth/account")
    assert status == 302 and "/auth/login" in headers["Location"]

    # A rate limit counted on A applies on B (Redis): her two sign-ins and 4 wrong passwords on A make
    # 6 tries from this address; the 7th, on B, is refused.
    guesser_a, guesser_b = Browser(port_a), Browser(port_b)
    for _ in range(4):
        status, _, _ = guesser_a.post_form("/auth/login", "/auth/login",
                                           {"email": "nobody@example.org", "password": "not the password"})
        assert status == 400
    status, _, _ = guesser_b.post_form("/auth/login", "/auth/login",
                                       {"email": "nobody@example.org", "password": "not the password"})
    assert status == 429

    # Both access logs are JSON lines that carry the request id the app sent back.
    status, headers, _ = Browser(port_b).request("GET", "/healthz")
    request_id = headers["X-Request-ID"]
    time.sleep(0.3)
    lines = [json.loads(line) for line in log_b.read_text().splitlines() if line.startswith("{")]
    assert any(line.get("request_id") == request_id and line.get("path") == "/healthz" for line in lines)
    assert any(line.get("logger") == "gunicorn.access" for line in
               (json.loads(x) for x in log_a.read_text().splitlines() if x.startswith("{")))
    assert time.monotonic() - started < 60


# pygal's import hook (installed when the cohort charts load) makes the limits package's optional-import
# probe warn; under filterwarnings=error that would fail the test for a reason unrelated to it.
@pytest.mark.filterwarnings("ignore:PluginImportFixer:ImportWarning")
def test_sign_in_still_works_and_is_still_limited_while_redis_is_down(make_app, make_user):
    """Redis unreachable: no 500s; each process falls back to counting in its own memory."""
    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{servers.free_port()}/0", LOGIN_RATE_LIMIT="3 per minute")
    member = make_user()
    client = app.test_client()
    statuses = [client.post("/auth/login", data={"email": member.email, "password": "not the password"}).status_code
                for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
