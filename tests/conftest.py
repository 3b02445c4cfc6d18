"""Fixtures: real servers (PostgreSQL, Redis, SMTP), an app per test on SQLite and on
PostgreSQL, clients, a sign-in helper, factories and a query counter."""

from __future__ import annotations

import itertools
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass

import flask_migrate
import flask_smorest
import pytest
from sqlalchemy import create_engine, event, text
from werkzeug.routing.rules import Rule
from werkzeug.security import generate_password_hash

from network import create_app
from network.extensions import db
from tests import servers

IN_CI = os.environ.get("CI") == "true"
DEFAULT_PASSWORD = "correct horse battery staple"


#: Werkzeug's own ``Rule._compile_builder``, kept for tests/test_app_factory.py to compare against.
WERKZEUG_COMPILE_BUILDER = Rule._compile_builder
_url_builders: dict = {}


def _shared_url_builder(self, append_unknown=True):
    """Every test builds its own app, and half of ``create_app`` was Werkzeug compiling the same Python source
    for each route's URL builder again (an AST, ``compile``, ``exec``). A builder is a plain function of the
    rule's text, parts and defaults, bound to its rule afterwards, so one compiled per distinct rule serves
    every app of the run: routes, URLs and converters are unchanged (tests/test_app_factory.py checks that
    each rule gets the very code Werkzeug would compile; Werkzeug is pinned in requirements.txt)."""
    key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())), append_unknown)
    if key not in _url_builders:
        _url_builders[key] = WERKZEUG_COMPILE_BUILDER(self, append_unknown)
    return _url_builders[key]


Rule._compile_builder = _shared_url_builder

#: flask-smorest's own ``Api.register_blueprint``, kept for tests/test_app_factory.py to compare against.
SMOREST_REGISTER_BLUEPRINT = flask_smorest.Api.register_blueprint


def _register_blueprint_document_later(self, blp, *, parameters=None, **options):
    """The other half of ``create_app`` was flask-smorest writing the API's OpenAPI document (every operation's
    schemas resolved and deep-copied), which only the tests that read the document use. Here the blueprint is
    registered at once and its operations are written into the document the first time anything reads
    ``api.spec`` (the /api/v1/openapi.json view, /api/docs, the API tests), in the same order as flask-smorest
    would: the same document (tests/test_app_factory.py compares them; flask-smorest is pinned in
    requirements.txt)."""
    name = options.get("name", blp.name)
    self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
    self._app.register_blueprint(blp, **options)
    self.__dict__.setdefault("_documents_to_write", []).append((blp, name, parameters))


def _spec_with_every_document(self):
    pending = self.__dict__.pop("_documents_to_write", [])
    spec = self.__dict__.get("_spec")
    while pending:  # what flask-smorest's register_blueprint does after registering each blueprint
        blp, name, parameters = pending[0]
        try:
            blp.register_views_in_doc(self, self._app, spec, name=name, parameters=parameters)
        except BaseException:
            self.__dict__["_documents_to_write"] = pending  # raised again on every later read
            raise
        spec.tag({"name": name, "description": blp.description})
        pending.pop(0)
    return spec


def _set_spec(self, spec):
    self.__dict__["_spec"] = spec


flask_smorest.Api.register_blueprint = _register_blueprint_document_later
flask_smorest.Api.spec = property(_spec_with_every_document, _set_spec)


def _start(name: str, start):
    """Start a server; without it, skip (locally) or fail (in CI, where nothing may be skipped)."""
    try:
        return start()
    except servers.ServerUnavailable as exc:
        if IN_CI:
            pytest.fail(f"{name} is required in CI and could not start: {exc}", pytrace=False)
        pytest.skip(f"{name} tier skipped: {exc}")


@pytest.fixture(scope="session")
def postgres_server():
    server = _start("PostgreSQL", servers.start_postgres)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    server = _start("Redis", servers.start_redis)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_server():
    server = servers.start_smtp()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    """The SMTP server with an empty mailbox."""
    smtp_server.clear()
    return smtp_server


def _migrate(uri: str) -> None:
    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server):
    """A PostgreSQL database migrated once; each test gets a database cloned from it."""
    _migrate(postgres_server.url)
    return postgres_server


_database_numbers = itertools.count(1)


def _admin_url(server_url: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/postgres"


@contextmanager
def scratch_database(request, kind: str, folder):
    """An empty, migrated database of ``kind`` ("sqlite" or "postgresql") for a fixture of any scope: a copy of
    the SQLite template in ``folder``, or a clone of the PostgreSQL template, dropped after."""
    if kind == "sqlite":
        path = folder / "network.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgres_template")
    template = server.url.rsplit("/", 1)[1]
    name = f"test_{os.getpid()}_{next(_database_numbers)}"
    admin = create_engine(_admin_url(server.url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        # FILE_COPY: for a template this small, copying its files (then a checkpoint, cheap with fsync off) is
        # faster than PostgreSQL 15's default of writing every block through the WAL (older servers only copy).
        version = int(conn.execute(text("SHOW server_version_num")).scalar())
        strategy = " STRATEGY = FILE_COPY" if version >= 150000 else ""
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}'))
    try:
        yield server.url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty, migrated database: a file copy on SQLite, a template clone on PostgreSQL."""
    with scratch_database(request, request.param, tmp_path) as url:
        yield url


def build_app(database_url, smtp_server, **config):
    """The app as tests see it: testing defaults on ``database_url``, mail to the test SMTP server."""
    return create_app({
        "DEPLOYMENT": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": smtp_server.port,
        **config,
    })


def release_app(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(database_url, smtp_server):
    """Build an app on this test's database; extra config as keyword arguments."""
    built = []

    def factory(**config):
        app = build_app(database_url, smtp_server, **config)
        built.append(app)
        return app

    yield factory
    for app in built:
        release_app(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class Member:
    """A member made by ``make_user``: plain values, safe to use outside a session."""

    id: int
    email: str
    name: str
    role: str
    password: str


_hash_cache: dict[str, str] = {}


def _password_hash(password: str) -> str:
    # Hashing is deliberately slow; tests reuse one hash per password.
    if password not in _hash_cache:
        _hash_cache[password] = generate_password_hash(password, method="pbkdf2:sha256:1000")
    return _hash_cache[password]


@pytest.fixture
def make_user(app):
    """Create a member: ``make_user(role="alumni", status="pending", email=..., ...)``."""
    return user_factory(app)


def user_factory(app):
    """``make_user`` for ``app`` (also for fixtures of a wider scope than a test)."""
    from network.members.models import MemberStatus, Role, User
    from network.types import utcnow

    counter = itertools.count(1)

    def factory(role="fellow", status="verified", password=DEFAULT_PASSWORD, confirmed=True, **fields):
        n = next(counter)
        fields.setdefault("email", f"{role}{n}@example.org")
        fields.setdefault("name", f"Test {role.title()} {n}")
        with app.app_context():
            user = User(role=Role(role), status=MemberStatus(status), password_hash=_password_hash(password),
                        email_confirmed_at=utcnow() if confirmed else None,
                        verified_at=utcnow() if status == "verified" else None, **fields)
            db.session.add(user)
            db.session.commit()
            return Member(user.id, user.email, user.name, role, password)

    return factory


def sign_in_session(client, app, member: Member) -> None:
    """Sign ``member`` in on ``client`` by writing the Flask-Login session directly."""
    import time

    from network.auth.sessions import LAST_SEEN_AT, SIGNED_IN_AT, login_id, open_member_session
    from network.members.models import User

    now = int(time.time())
    with app.app_context():
        user = db.session.get(User, member.id)
        token = open_member_session(user.id)
        session_id = login_id(user, now, token)
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
        session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now


@pytest.fixture
def login(app):
    """``login(client, member)``: a signed-in client without going through the form."""

    def do_login(client, member: Member):
        sign_in_session(client, app, member)
        return client

    return do_login


@pytest.fixture
def count_queries(app):
    """``with count_queries() as queries: ...`` then ``len(queries)``: the SQL statements run."""
    return query_counter(app)


def query_counter(app):
    """``count_queries`` for ``app`` (also for fixtures of a wider scope than a test)."""

    @contextmanager
    def counter():
        statements: list[str] = []

        def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before_cursor_execute)

    return counter


def outbox(app, kind: str | None = None):
    """The mails in the outbox, oldest first."""
    from sqlalchemy import select

    from network.mail.models import EmailOutbox

    with app.app_context():
        query = select(EmailOutbox).order_by(EmailOutbox.id)
        if kind:
            query = query.where(EmailOutbox.kind == kind)
        mails = db.session.scalars(query).all()
        db.session.expunge_all()
        return mails


# -- a line per tier at the end of the run, so a reader sees PostgreSQL and the browser really ran, and the
# figures tests report with ``record_property("summary", (section, line))`` (pages checked, Lighthouse scores).
# Both travel on the test reports, so they are printed by the main process when pytest-xdist runs the tests.
_tier_outcomes: dict[str, dict[str, int]] = {}
_summary_lines: dict[str, list[str]] = {}


def _tier(nodeid: str) -> str:
    if "/e2e/" in nodeid:
        return "browser (Chromium)"
    if "[postgresql" in nodeid or "-postgresql" in nodeid:
        return "PostgreSQL"
    if "[sqlite" in nodeid or "-sqlite" in nodeid:
        return "SQLite"
    return "no database"


def pytest_runtest_logreport(report):
    if report.when == "call":
        for name, value in report.user_properties:
            if name == "summary":
                section, line = value
                _summary_lines.setdefault(section, []).append(line)
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        outcome = "skipped" if report.skipped else report.outcome
        counts = _tier_outcomes.setdefault(_tier(report.nodeid), {})
        counts[outcome] = counts.get(outcome, 0) + 1


def pytest_terminal_summary(terminalreporter):
    for section, lines in _summary_lines.items():
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)
    if not _tier_outcomes:
        return
    terminalreporter.section("tiers")
    for tier in sorted(_tier_outcomes):
        counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(_tier_outcomes[tier].items()))
        terminalreporter.write_line(f"{tier}: {counts}")
