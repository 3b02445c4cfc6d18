"""Configuration layers, production safety and database settings."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from network import create_app
from network.config import DEFAULT_SECRET_KEY
from network.extensions import db
from tests.html_checks import check_page

PUBLIC_URL = "https://network.example.org"
GOOD_SECRET = "f3a1" * 16


@pytest.fixture(autouse=True)
def _public_url(monkeypatch):
    """Production needs PUBLIC_URL; the tests that are about it remove or change it."""
    monkeypatch.setenv("FLASK_PUBLIC_URL", PUBLIC_URL)
    for name in ("FLASK_TRUSTED_HOSTS", "FLASK_BENCHMARK_BARE_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)


def test_production_refuses_the_default_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEPLOYMENT", raising=False)
    with pytest.raises(RuntimeError, match="default secret key"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    with pytest.raises(RuntimeError, match="default secret key"):
        create_app({"SECRET_KEY": DEFAULT_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_environment_layers_over_defaults_and_overrides_win(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment-" + "x" * 32)
    monkeypatch.setenv("FLASK_MAIL_PORT", "2525")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    app = create_app({"MAIL_PORT": 2626})
    assert app.config["DEPLOYMENT"] == "production"
    assert app.config["SECRET_KEY"].startswith("from-the-environment-")
    assert app.config["MAIL_PORT"] == 2626
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.db"
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_postgres_urls_use_psycopg_3(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "x" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://u:p@127.0.0.1:1/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@127.0.0.1:1/db"


def test_development_cookies_work_over_plain_http(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_DEPLOYMENT", "development")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/dev.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["MAIL_ECHO"] is True


def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(sqlite_template, tmp_path):
    import shutil

    shutil.copyfile(sqlite_template, tmp_path / "copy.db")
    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/copy.db"})
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        db.session.remove()
        db.engine.dispose()


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.setenv("FLASK_DEPLOYMENT", "development")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + app.instance_path + "/network.db"


def test_production_sends_hsts_and_secure_cookies(monkeypatch, tmp_path, make_user, database_url):
    monkeypatch.setenv("FLASK_SECRET_KEY", "x" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    response = app.test_client().get("/auth/login", base_url="https://network.example.org")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("config", "words"), [
    ({"PUBLIC_URL": None}, "PUBLIC_URL is not set"),
    ({"PUBLIC_URL": ""}, "PUBLIC_URL is not set"),
    ({"PUBLIC_URL": "network.example.org"}, "not an absolute http(s) address"),
    ({"PUBLIC_URL": "javascript:alert(1)"}, "not an absolute http(s) address"),
    ({"PUBLIC_URL": "https://user@network.example.org"}, "not an absolute http(s) address"),
    ({"SECRET_KEY": "a"}, "SECRET_KEY has 1 characters"),
    ({"SECRET_KEY": "testing-secret-key"}, "default or example value"),
    ({"SECRET_KEY": "x" * 31}, "SECRET_KEY has 31 characters"),
    ({"BENCHMARK_BARE_ENDPOINT": True}, "BENCHMARK_BARE_ENDPOINT is on"),
], ids=["no-public-url", "empty-public-url", "no-scheme", "javascript", "userinfo", "secret-a",
        "testing-secret", "short-secret", "benchmark-route"])
def test_production_refuses_to_start_with_a_fatal_setting(monkeypatch, tmp_path, config, words):
    monkeypatch.delenv("FLASK_DEPLOYMENT", raising=False)
    overrides = {"SECRET_KEY": GOOD_SECRET, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", **config}
    with pytest.raises(RuntimeError, match="Refusing to start in production") as refused:
        create_app(overrides)
    assert words in str(refused.value)


def test_every_fatal_setting_is_named_at_once(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_PUBLIC_URL")
    with pytest.raises(RuntimeError) as refused:
        create_app({"SECRET_KEY": "a", "BENCHMARK_BARE_ENDPOINT": True,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    message = str(refused.value)
    assert "SECRET_KEY has 1 characters" in message and "PUBLIC_URL is not set" in message
    assert "BENCHMARK_BARE_ENDPOINT is on" in message


def test_the_benchmark_route_is_off_unless_asked_for_and_allowed_for_a_load_test_on_this_machine(tmp_path):
    uri = f"sqlite:///{tmp_path}/x.db"
    production = create_app({"SECRET_KEY": GOOD_SECRET, "SQLALCHEMY_DATABASE_URI": uri})
    assert production.test_client().get("/_bench/bare", base_url=PUBLIC_URL).status_code == 404
    load_test = create_app({"SECRET_KEY": GOOD_SECRET, "SQLALCHEMY_DATABASE_URI": uri,
                            "BENCHMARK_BARE_ENDPOINT": True, "PUBLIC_URL": "http://127.0.0.1:8000"})
    assert load_test.test_client().get("/_bench/bare", base_url="http://127.0.0.1:8000").data == b"ok"


def test_development_and_tests_have_a_local_public_url(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_PUBLIC_URL")
    for deployment in ("development", "testing"):
        app = create_app({"DEPLOYMENT": deployment, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
        assert app.config["PUBLIC_URL"] == "http://127.0.0.1:5000"
        assert app.config["TRUSTED_HOSTS"] is None


def test_production_trusts_the_public_host_and_the_extra_names(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_TRUSTED_HOSTS", "network-internal, 10.0.0.5")
    app = create_app({"SECRET_KEY": GOOD_SECRET, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["TRUSTED_HOSTS"] == ["network.example.org", "network-internal", "10.0.0.5"]


@pytest.mark.parametrize("headers", [{"Host": "attacker.example"}, {"X-Forwarded-Host": "attacker.example"}],
                         ids=["host", "x-forwarded-host"])
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_an_unknown_host_gets_the_designed_400(make_app, headers, accept):
    app = make_app(DEPLOYMENT="production", SECRET_KEY=GOOD_SECRET, PUBLIC_URL=PUBLIC_URL, PROXY_COUNT=1,
                   RATELIMIT_ENABLED=False)
    client = app.test_client()
    assert client.get("/auth/login", base_url=PUBLIC_URL).status_code == 200
    for path in ("/auth/login", "/auth/reset", "/no/such/page"):
        response = client.get(path, base_url=PUBLIC_URL, headers={**headers, "Accept": accept})
        assert response.status_code == 400, (path, response.data[:300])
        body = response.get_data(as_text=True)
        assert "attacker.example" not in body
        if accept == "text/html":
            assert "Something in that request was not right" in body and "<!doctype html>" in body.lower()
            assert "This address is not served here" in body and check_page(response.data) == []
            assert 'href="https://network.example.org/"' in body
        else:
            assert response.json["status"] == 400
    reset = client.post("/auth/reset", base_url=PUBLIC_URL, headers=headers, data={"email": "a@example.org"})
    assert reset.status_code == 400


def test_every_rate_limit_has_its_default_in_config_and_in_the_readme():
    """A limit's default lives in ``Config`` (a deployment sets ``FLASK_<KEY>``), not in the view that
    applies it, and the README's configuration table names every one with that default."""
    import pathlib
    import re

    from network.config import Config

    root = pathlib.Path(__file__).resolve().parent.parent
    limit = re.compile(r"""["']\d+ per (second|minute|hour|day)""")
    written_in_code = sorted(str(path.relative_to(root)) for path in (root / "network").rglob("*.py")
                             if path.name != "config.py" and limit.search(path.read_text()))
    assert written_in_code == []
    used = set()
    for path in (root / "network").rglob("*.py"):
        used |= set(re.findall(r"""configured_limit\(["'](\w+)["']\)""", path.read_text()))
    assert used and used <= set(dir(Config))
    readme = (root / "README.md").read_text()
    for key in sorted(key for key in dir(Config) if key.endswith("_RATE_LIMIT")):
        assert f"| `FLASK_{key}` | `{getattr(Config, key)}` |" in readme, key
