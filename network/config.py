"""Configuration defaults; the environment and the caller's overrides are layered on top."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import ClassVar

#: The placeholder secret. A production app refuses to start with it.
DEFAULT_SECRET_KEY = "insecure-development-key-change-me"


class Config:
    """Safe defaults. Every key can be overridden by a ``FLASK_<KEY>`` variable."""

    # "production" (the default: safest), "development" (``make run``) or "testing".
    DEPLOYMENT = "production"
    SECRET_KEY = DEFAULT_SECRET_KEY

    # The database: the instance folder's SQLite file unless DATABASE_URL is set.
    SQLALCHEMY_DATABASE_URI: str | None = None
    # pre_ping: a connection dropped by a database restart is replaced, not handed to a request.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 5000

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "fn_session"
    REMEMBER_COOKIE_NAME = "fn_remember"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    # A session ends after SESSION_IDLE_TIMEOUT without a request, and SESSION_ABSOLUTE_TIMEOUT after
    # the sign-in whatever happens (remember-me cookies included: they carry the sign-in time).
    SESSION_IDLE_TIMEOUT = timedelta(hours=2)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(days=14)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)

    # Two-step sign-in (TOTP). Members with these roles must turn it on before anything else.
    TWO_FACTOR_REQUIRED_ROLES: tuple[str, ...] = ("admin", "faculty")
    TWO_FACTOR_ISSUER = "Fellowship Network"
    # A password-checked sign-in waits this long for its code.
    TWO_FACTOR_PENDING_SECONDS = 300
    TWO_FACTOR_RATE_LIMIT = "5 per minute;20 per hour"

    # Logs: "json" (one object per line, production) or "text"; each line carries the request id.
    LOG_FORMAT = "json"
    LOG_LEVEL = "INFO"

    # Request size: forms are small; uploads (later) have their own limit.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 256 * 1024
    MAX_FORM_PARTS = 200

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Werkzeug's hash; scrypt is memory-hard. Tests use a cheap one to stay fast.
    PASSWORD_HASH_METHOD = "scrypt"

    # Tokens in emailed links.
    EMAIL_CONFIRM_MAX_AGE = 7 * 24 * 3600
    PASSWORD_RESET_MAX_AGE = 3600

    # Rate limits (Flask-Limiter). Redis in production: ``redis://host:6379/0``.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "fn"
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    RESET_RATE_LIMIT = "5 per minute;20 per hour"
    REGISTER_RATE_LIMIT = "10 per hour"

    # Outgoing mail goes through the outbox; ``flask outbox send`` delivers it.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_TIMEOUT = 10
    MAIL_DEFAULT_SENDER = "Fellowship Network <no-reply@fellowship.example.org>"
    MAIL_ECHO = False  # also print each queued mail to the log (development)
    OUTBOX_MAX_ATTEMPTS = 6
    OUTBOX_RETRY_BASE_SECONDS = 60

    # Number of reverse proxies in front of the app whose X-Forwarded-* to trust.
    PROXY_COUNT = 0
    # Where links in emails point (scheme://host) when built outside a request.
    SERVER_NAME: str | None = None
    PREFERRED_URL_SCHEME = "https"

    BOOTSTRAP_SERVE_LOCAL = True


class DevelopmentConfig(Config):
    """``make run``: plain HTTP on localhost, mail printed to the console."""

    DEPLOYMENT = "development"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_ECHO = True
    PREFERRED_URL_SCHEME = "http"
    # The demo sign-ins work without an authenticator app; production requires one for admins and faculty.
    TWO_FACTOR_REQUIRED_ROLES: tuple[str, ...] = ()
    LOG_FORMAT = "text"


class TestingConfig(DevelopmentConfig):
    """The test suite's base; fixtures layer the database and servers on top."""

    DEPLOYMENT = "testing"
    TESTING = True
    MAIL_ECHO = False
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "testing-secret-key"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestingConfig}


def deployment_from_environment(overrides: dict | None) -> str:
    """The deployment named by the overrides, else ``FLASK_DEPLOYMENT``, else production."""
    if overrides and "DEPLOYMENT" in overrides:
        return overrides["DEPLOYMENT"]
    return os.environ.get("FLASK_DEPLOYMENT", "production")
