"""``flask check-config``: unsafe production settings are named and make it fail; a sound set passes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from network import create_app
from network.config import unsafe_settings

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "f3a1" * 16
PUBLIC_URL = "https://network.example.org"


def sound_config(**changes) -> dict:
    """A production configuration check-config should accept."""
    config = {
        "DEPLOYMENT": "production", "SECRET_KEY": GOOD_SECRET, "DEBUG": False, "TESTING": False,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://network@db/network",
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://redis:6379/0",
        "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax", "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_ENABLED": True, "PASSWORD_HASH_METHOD": "scrypt", "TWO_FACTOR_REQUIRED_ROLES": ("admin", "faculty"),
        "PUBLIC_URL": PUBLIC_URL, "SESSION_IDLE_TIMEOUT": timedelta(hours=2),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(days=14), "MAIL_SERVER": "smtp.example.org", "PROXY_COUNT": 1,
    }
    config.update(changes)
    return config


def test_a_sound_production_configuration_passes():
    problems, notes = unsafe_settings(sound_config(), debug=False, workers=4)
    assert problems == [] and notes == []


@pytest.mark.parametrize(("changes", "debug", "workers", "words"), [
    ({"SECRET_KEY": "insecure-development-key-change-me"}, False, 4, "default or example"),
    ({"SECRET_KEY": "short-secret"}, False, 4, "at least 32"),
    ({}, True, 4, "Debug mode is on"),
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/network.db"}, False, 4, "SQLite with 4 app processes"),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, False, 4, "process memory"),
    ({"RATELIMIT_ENABLED": False}, False, 4, "Rate limiting is off"),
    ({"SESSION_COOKIE_SECURE": False}, False, 4, "SESSION_COOKIE_SECURE is off"),
    ({"REMEMBER_COOKIE_HTTPONLY": False}, False, 4, "REMEMBER_COOKIE_HTTPONLY is off"),
    ({"SESSION_COOKIE_SAMESITE": None}, False, 4, "SESSION_COOKIE_SAMESITE"),
    ({"WTF_CSRF_ENABLED": False}, False, 4, "CSRF protection is off"),
    ({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}, False, 4, "too cheap"),
    ({"TWO_FACTOR_REQUIRED_ROLES": ()}, False, 4, "Administrators may sign in without"),
    ({"DEPLOYMENT": "development"}, False, 4, "FLASK_DEPLOYMENT is 'development'"),
    ({"TESTING": True}, False, 4, "TESTING is on"),
    ({"PUBLIC_URL": "http://network.example.org"}, False, 4, "not https"),
    # Items that are fatal at production start are named here too.
    ({"SECRET_KEY": "a"}, False, 4, "SECRET_KEY has 1 characters"),
    ({"SECRET_KEY": "testing-secret-key"}, False, 4, "default or example"),
    ({"PUBLIC_URL": None}, False, 4, "PUBLIC_URL is not set"),
    ({"PUBLIC_URL": "network.example.org"}, False, 4, "not an absolute http(s) address"),
    ({"PUBLIC_URL": "https://network.example.org/?next=x"}, False, 4, "not an absolute http(s) address"),
    ({"PUBLIC_URL": "https://127.0.0.1:8000"}, False, 4, "is this machine"),
    ({"BENCHMARK_BARE_ENDPOINT": True}, False, 4, "BENCHMARK_BARE_ENDPOINT is on"),
    ({"SESSION_IDLE_TIMEOUT": timedelta(days=30)}, False, 4, "idle no longer than absolute"),
])
def test_each_unsafe_setting_is_named(changes, debug, workers, words):
    problems, _ = unsafe_settings(sound_config(**changes), debug=debug, workers=workers)
    assert len(problems) == 1, problems
    assert words in problems[0]


def test_sqlite_with_one_worker_is_only_a_note():
    problems, notes = unsafe_settings(sound_config(SQLALCHEMY_DATABASE_URI="sqlite:////srv/network.db"),
                                      debug=False, workers=1)
    assert problems == [] and any("SQLite" in note for note in notes)


def test_the_benchmark_route_on_a_loopback_load_test_is_still_named():
    problems, _ = unsafe_settings(sound_config(BENCHMARK_BARE_ENDPOINT=True, PUBLIC_URL="https://127.0.0.1:8000"),
                                  debug=False, workers=4)
    assert any("BENCHMARK_BARE_ENDPOINT is on" in problem for problem in problems)
    assert any("is this machine" in problem for problem in problems)


def _flask(args, **env):
    return subprocess.run([sys.executable, "-m", "flask", *args], check=False, cwd=ROOT,
                          env={**_environment(), "FLASK_APP": "wsgi.py", **env},
                          capture_output=True, text=True, timeout=60)


def _environment() -> dict:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith("FLASK_") and k not in ("DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")}
    return {**environment, "PYTHONPATH": str(ROOT)}


def test_the_command_fails_and_names_each_problem(tmp_path):
    result = _flask(["check-config", "--workers", "3"], FLASK_SECRET_KEY=GOOD_SECRET,
                    FLASK_PUBLIC_URL="http://network.example.org",
                    DATABASE_URL=f"sqlite:///{tmp_path}/network.db", FLASK_DEBUG="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "UNSAFE  PUBLIC_URL 'http://network.example.org' is not https" in result.stdout
    assert "UNSAFE  Debug mode is on" in result.stdout
    assert "UNSAFE  SQLite with 3 app processes" in result.stdout
    assert "UNSAFE  Rate-limit counters are kept in process memory" in result.stdout
    assert "4 unsafe settings" in result.stdout


def test_production_refuses_to_start_at_all_with_the_default_secret(tmp_path):
    result = _flask(["check-config"], DATABASE_URL=f"sqlite:///{tmp_path}/network.db", FLASK_PUBLIC_URL=PUBLIC_URL)
    assert result.returncode != 0
    assert "default secret key" in result.stderr


@pytest.mark.parametrize(("env", "words"), [
    ({"FLASK_SECRET_KEY": "a"}, "UNSAFE  SECRET_KEY has 1 characters"),
    ({"FLASK_SECRET_KEY": "testing-secret-key"}, "UNSAFE  SECRET_KEY is a default or example value"),
    ({"FLASK_PUBLIC_URL": ""}, "UNSAFE  PUBLIC_URL is not set"),
    ({"FLASK_PUBLIC_URL": "network.example.org"}, "not an absolute http(s) address"),
    ({"FLASK_BENCHMARK_BARE_ENDPOINT": "true"}, "UNSAFE  BENCHMARK_BARE_ENDPOINT is on"),
], ids=["secret-a", "testing-secret", "no-public-url", "bad-public-url", "benchmark-route"])
def test_check_config_and_every_production_start_refuse_the_fatal_settings(tmp_path, env, words):
    """Neither ``flask check-config`` nor any other command (``flask run``, gunicorn's import of
    wsgi.py) gets an app with these: the refusal names the setting."""
    settings = {"FLASK_SECRET_KEY": GOOD_SECRET, "FLASK_PUBLIC_URL": PUBLIC_URL,
                "DATABASE_URL": f"sqlite:///{tmp_path}/network.db", **env}
    result = _flask(["check-config"], **settings)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr and words in result.stderr
    assert "fit for production" not in result.stdout
    served = subprocess.run([sys.executable, "-c", "import wsgi"], check=False, cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={**_environment(), **settings})
    assert served.returncode != 0 and words in served.stderr


def test_the_command_passes_on_postgresql_and_redis(postgres_server, redis_server):
    result = _flask(["check-config", "--connect", "--workers", "4"], FLASK_SECRET_KEY=GOOD_SECRET,
                    FLASK_PUBLIC_URL=PUBLIC_URL, DATABASE_URL=postgres_server.url, REDIS_URL=redis_server.url,
                    FLASK_MAIL_SERVER="smtp.example.org", FLASK_PROXY_COUNT="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Configuration is fit for production with 4 app processes." in result.stdout


def test_the_command_notices_redis_not_answering(postgres_server):
    from tests.servers import free_port

    result = _flask(["check-config", "--connect", "--workers", "2"], FLASK_SECRET_KEY=GOOD_SECRET,
                    FLASK_PUBLIC_URL=PUBLIC_URL, DATABASE_URL=postgres_server.url, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert result.returncode == 1
    assert "Redis does not answer" in result.stdout


# pygal's import hook (the cohort charts) makes the limits package's optional-import probe warn.
@pytest.mark.filterwarnings("ignore:PluginImportFixer:ImportWarning")
def test_redis_url_becomes_the_rate_limit_storage(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("FLASK_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.delenv("FLASK_RATELIMIT_STORAGE_URI", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
