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


def sound_config(**changes) -> dict:
    """A production configuration check-config should accept."""
    config = {
        "DEPLOYMENT": "production", "SECRET_KEY": GOOD_SECRET, "DEBUG": False, "TESTING": False,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://network@db/network",
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://redis:6379/0",
        "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax", "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_ENABLED": True, "PASSWORD_HASH_METHOD": "scrypt", "TWO_FACTOR_REQUIRED_ROLES": ("admin", "faculty"),
        "PREFERRED_URL_SCHEME": "https", "SESSION_IDLE_TIMEOUT": timedelta(hours=2),
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
    ({"PREFERRED_URL_SCHEME": "http"}, False, 4, "not https"),
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


def _flask(args, **env):
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith("FLASK_") and k not in ("DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")}
    environment.update({"FLASK_APP": "wsgi.py", "PYTHONPATH": str(ROOT), **env})
    return subprocess.run([sys.executable, "-m", "flask", *args], check=False, cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_the_command_fails_and_names_each_problem(tmp_path):
    result = _flask(["check-config", "--workers", "3"], FLASK_SECRET_KEY="too-short",
                    DATABASE_URL=f"sqlite:///{tmp_path}/network.db", FLASK_DEBUG="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "UNSAFE  SECRET_KEY has 9 characters" in result.stdout
    assert "UNSAFE  Debug mode is on" in result.stdout
    assert "UNSAFE  SQLite with 3 app processes" in result.stdout
    assert "UNSAFE  Rate-limit counters are kept in process memory" in result.stdout
    assert "4 unsafe setting(s)" in result.stdout


def test_production_refuses_to_start_at_all_with_the_default_secret(tmp_path):
    result = _flask(["check-config"], DATABASE_URL=f"sqlite:///{tmp_path}/network.db")
    assert result.returncode != 0
    assert "default secret key" in result.stderr


def test_the_command_passes_on_postgresql_and_redis(postgres_server, redis_server):
    result = _flask(["check-config", "--connect", "--workers", "4"], FLASK_SECRET_KEY=GOOD_SECRET,
                    DATABASE_URL=postgres_server.url, REDIS_URL=redis_server.url,
                    FLASK_MAIL_SERVER="smtp.example.org", FLASK_PROXY_COUNT="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Configuration is fit for production with 4 app process(es)." in result.stdout


def test_the_command_notices_redis_not_answering(postgres_server):
    from tests.servers import free_port

    result = _flask(["check-config", "--connect", "--workers", "2"], FLASK_SECRET_KEY=GOOD_SECRET,
                    DATABASE_URL=postgres_server.url, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert result.returncode == 1
    assert "Redis does not answer" in result.stdout


# pygal's import hook (the cohort charts) makes the limits package's optional-import probe warn.
@pytest.mark.filterwarnings("ignore:PluginImportFixer:ImportWarning")
def test_redis_url_becomes_the_rate_limit_storage(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.delenv("FLASK_RATELIMIT_STORAGE_URI", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
