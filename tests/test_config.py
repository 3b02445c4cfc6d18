"""Configuration layers, production safety and database settings."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from network import create_app
from network.config import DEFAULT_SECRET_KEY
from network.extensions import db


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
