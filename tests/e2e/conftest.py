"""Browser tests: the app served on 127.0.0.1 in a thread, driven by Playwright in the system Chromium."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager

import pytest

from network import create_app
from network.extensions import db
from network.mail.services import queue_email
from tests.conftest import IN_CI
from tests.servers import LiveServer

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        message = f"browser tier skipped: {CHROMIUM} is missing (Debian package chromium)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e-screenshots")
    yield folder
    print(f"\nbrowser screenshots: {folder}")


@contextmanager
def served_copy(template, path, mail, **config):
    """The app on its own copy of the migrated SQLite template, served in a thread; stopped and released after."""
    shutil.copyfile(template, path)
    app = create_app({
        "DEPLOYMENT": "testing",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "WTF_CSRF_ENABLED": True,
        "MAIL_SERVER": mail.host,
        "MAIL_PORT": mail.port,
        **config,
    })
    server = LiveServer(app)
    try:
        yield server
    finally:
        server.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def live_server(sqlite_template, smtp, tmp_path):
    """The app on its own SQLite file, sending mail to the test SMTP server."""
    with served_copy(sqlite_template, tmp_path / "live.db", smtp) as server:
        server.app.config["PUBLIC_URL"] = server.url  # mailed links lead the browser back to this server
        server.start()
        yield server


@pytest.fixture(scope="module")
def demo_site(sqlite_template, smtp_server, tmp_path_factory):
    """The demo network (``flask demo``) served on its own SQLite file for the whole module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    # As in development: the admin's mail preview, with one mail in it and in the outbox to open.
    # Reply by email on, so the account pages show its section to axe and the HTML checker.
    with served_copy(sqlite_template, path, smtp_server, MAIL_PREVIEW=True,
                      MAIL_PREVIEW_DIR=str(path.parent / "mail"), REPLY_EMAIL_DOMAIN="replies.example.org") as server:
        app = server.app
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        with app.test_request_context():
            queue_email("password-changed", "fellow@example.org", "Your Fellowship Network password was changed",
                        "password_changed", user=None, name="Dr. Kwame Asante")
            db.session.commit()
        server.start()
        yield server
