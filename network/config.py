"""Configuration defaults; the environment and the caller's overrides are layered on top."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import ClassVar

from network.urls import InvalidPublicURL, parse_public_url

#: The placeholder secret. A production app refuses to start with it.
DEFAULT_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 (the placeholder)  # nosec B105


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
    # A member without a password (they sign in through their institution) confirms deleting their account or
    # turning two-step sign-in off by having signed in this recently.
    RECENT_SIGN_IN = timedelta(minutes=10)
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
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a hash method's name, not a password)  # nosec B105

    # Tokens in emailed links.
    EMAIL_CONFIRM_MAX_AGE = 7 * 24 * 3600
    PASSWORD_RESET_MAX_AGE = 3600

    # Rate limits (Flask-Limiter). Redis in production: ``redis://host:6379/0``.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    # No X-RateLimit-* headers on every limited response: they cost a Redis round trip each and no
    # browser reads them. A 429 still says when to retry (network/errors.py).
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_KEY_PREFIX = "fn"
    # Redis down: each process counts in its own memory until Redis is back (limits still hold,
    # per process), rather than sign-in failing with 500s.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    RESET_RATE_LIMIT = "5 per minute;20 per hour"
    REGISTER_RATE_LIMIT = "10 per hour"
    # Actions that check a signed-in member's password or a code again (change password, delete the
    # account, two-step set-up, turning it off, new recovery codes): one count, per member and per address.
    REAUTH_RATE_LIMIT = "5 per minute;20 per hour"
    # Per member (colleagues share hospital networks): discussion posts (previews are free), messages
    # (new conversations and replies together), opportunity posts, photo uploads (each is decoded and
    # re-encoded) and roster files (each is parsed and checked against the members table).
    POST_RATE_LIMIT = "8 per minute;60 per hour"
    MESSAGE_RATE_LIMIT = "12 per minute;120 per hour"
    OPPORTUNITY_POST_RATE_LIMIT = "10 per minute;40 per day"
    PHOTO_UPLOAD_RATE_LIMIT = "10 per hour"
    ROSTER_UPLOAD_RATE_LIMIT = "30 per hour"
    # Each API token (network/api/auth.py): a sync script pages through a roster, a person clicks far less.
    API_RATE_LIMIT = "300 per minute;5000 per hour"

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
    # Development's inbox: each queued mail also as a .eml file in MAIL_PREVIEW_DIR (default
    # instance/mail/), listed for administrators at /admin/outbox/preview. Never in production.
    MAIL_PREVIEW = False
    MAIL_PREVIEW_DIR: str | None = None
    OUTBOX_MAX_ATTEMPTS = 6
    OUTBOX_RETRY_BASE_SECONDS = 60
    # Reply by email: the domain of the reply addresses (``reply+<token>@<domain>``) that notification
    # mails about a thread carry as Reply-To; ``flask mail receive`` / ``flask mail listen`` take the
    # replies. Unset: no Reply-To, and the feature is off.
    REPLY_EMAIL_DOMAIN: str | None = None

    # Number of reverse proxies in front of the app whose X-Forwarded-* to trust.
    PROXY_COUNT = 0
    # The address members use (``https://network.example.org``, a path prefix allowed). Every link that
    # leaves the request (mails, also those queued by CLI commands, calendar feeds, exports) is built
    # from it, never from the request's Host. Production refuses to start without it and accepts
    # requests only for its host (TRUSTED_HOSTS, plus any names in FLASK_TRUSTED_HOSTS).
    PUBLIC_URL: str | None = None
    PREFERRED_URL_SCHEME = "https"
    # The load test's baseline route /_bench/bare (benchmarks/load.py). Never in production
    # unless PUBLIC_URL is this machine's loopback address (a load test, not a site).
    BENCHMARK_BARE_ENDPOINT = False

    BOOTSTRAP_SERVE_LOCAL = True


class DevelopmentConfig(Config):
    """``make run``: plain HTTP on localhost, mail printed to the console."""

    DEPLOYMENT = "development"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_ECHO = True
    MAIL_PREVIEW = True
    PREFERRED_URL_SCHEME = "http"
    PUBLIC_URL = "http://127.0.0.1:5000"  # make run's address
    # The demo sign-ins work without an authenticator app; production requires one for admins and faculty.
    TWO_FACTOR_REQUIRED_ROLES: tuple[str, ...] = ()
    LOG_FORMAT = "text"


class TestingConfig(DevelopmentConfig):
    """The test suite's base; fixtures layer the database and servers on top."""

    DEPLOYMENT = "testing"
    TESTING = True
    MAIL_ECHO = False
    MAIL_PREVIEW = False  # a test turns it on with its own MAIL_PREVIEW_DIR
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "testing-secret-key"  # noqa: S105 (the test suite's key)  # nosec B105
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 (a hash method's name, not a password)  # nosec B105


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestingConfig}


def deployment_from_environment(overrides: dict | None) -> str:
    """The deployment named by the overrides, else ``FLASK_DEPLOYMENT``, else production."""
    if overrides and "DEPLOYMENT" in overrides:
        return overrides["DEPLOYMENT"]
    return os.environ.get("FLASK_DEPLOYMENT", "production")


#: Secrets known from this code base: never good enough for production.
KNOWN_SECRETS = {DEFAULT_SECRET_KEY, TestingConfig.SECRET_KEY, "", "secret", "changeme", "dev"}
MIN_SECRET_LENGTH = 32
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def fatal_settings(config) -> list[str]:
    """Settings a production app refuses to start with (``flask check-config`` names them too):
    a missing or invalid PUBLIC_URL, a placeholder, published or short secret, the benchmark route."""
    problems: list[str] = []
    secret = config.get("SECRET_KEY") or ""
    if secret in KNOWN_SECRETS or secret.lower() in KNOWN_SECRETS:
        problems.append("SECRET_KEY is a default or example value (the default secret key or a published one): "
                        "set FLASK_SECRET_KEY to a long random value.")
    elif len(secret) < MIN_SECRET_LENGTH:
        problems.append(f"SECRET_KEY has {len(secret)} characters; use at least {MIN_SECRET_LENGTH} random ones.")
    try:
        public = parse_public_url(config.get("PUBLIC_URL"))
    except InvalidPublicURL as exc:
        public = None
        problems.append(f"{exc}.")
    if config.get("BENCHMARK_BARE_ENDPOINT") and (public is None or public.hostname not in LOOPBACK_HOSTS):
        problems.append("BENCHMARK_BARE_ENDPOINT is on: /_bench/bare answers anyone. It is for load tests "
                        "on this machine (PUBLIC_URL on 127.0.0.1) only; unset FLASK_BENCHMARK_BARE_ENDPOINT.")
    return problems


def trusted_hosts(config) -> list[str]:
    """The Host names production answers: PUBLIC_URL's, then any in ``FLASK_TRUSTED_HOSTS`` (a list, or
    names separated by commas or spaces: an internal name for health checks, say)."""
    extra = config.get("TRUSTED_HOSTS") or []
    if isinstance(extra, str):
        extra = extra.replace(",", " ").split()
    hosts = [parse_public_url(config.get("PUBLIC_URL")).hostname]
    return hosts + [str(host) for host in extra if str(host) not in hosts]


def default_worker_count() -> int:
    """App processes gunicorn.conf.py starts: ``WEB_CONCURRENCY``, else two per CPU plus one."""
    value = os.environ.get("WEB_CONCURRENCY", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    return 2 * (os.cpu_count() or 1) + 1


def unsafe_settings(config, *, debug: bool, workers: int) -> tuple[list[str], list[str]]:
    """``(problems, notes)`` for running ``config`` in production with ``workers`` processes.

    Problems make ``flask check-config`` fail; notes are worth reading but may be deliberate.
    """
    problems: list[str] = []
    notes: list[str] = []
    if config.get("DEPLOYMENT") != "production":
        problems.append(f"FLASK_DEPLOYMENT is {config.get('DEPLOYMENT')!r}; production needs 'production'.")
    problems.extend(fatal_settings(config))
    if config.get("BENCHMARK_BARE_ENDPOINT") and not any("BENCHMARK" in problem for problem in problems):
        problems.append("BENCHMARK_BARE_ENDPOINT is on: /_bench/bare answers anyone (a load test's baseline). "
                        "Unset FLASK_BENCHMARK_BARE_ENDPOINT for a real site.")
    try:
        public = parse_public_url(config.get("PUBLIC_URL"))
    except InvalidPublicURL:
        public = None
    if public is not None and public.scheme != "https":
        problems.append(f"PUBLIC_URL {config.get('PUBLIC_URL')!r} is not https: emailed reset and invitation "
                        "links would travel over plain HTTP.")
    if public is not None and public.hostname in LOOPBACK_HOSTS:
        problems.append(f"PUBLIC_URL {config.get('PUBLIC_URL')!r} is this machine: mailed links would not reach "
                        "anyone. Set FLASK_PUBLIC_URL to the site's public address.")
    if debug or config.get("DEBUG"):
        problems.append("Debug mode is on (FLASK_DEBUG): it shows code and lets visitors run it. Turn it off.")
    if config.get("TESTING"):
        problems.append("TESTING is on: errors and CSRF behave as in the test suite.")
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if uri.startswith("sqlite"):
        if workers > 1:
            problems.append(f"SQLite with {workers} app processes: writers queue on one file lock. "
                            "Use PostgreSQL (DATABASE_URL) or a single worker.")
        else:
            notes.append("SQLite in production: fine for one process on one machine; PostgreSQL for more.")
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if not config.get("RATELIMIT_ENABLED", True):
        problems.append("Rate limiting is off (RATELIMIT_ENABLED): sign-in guessing is not slowed down.")
    elif storage.startswith("memory"):
        problems.append("Rate-limit counters are kept in process memory: each process counts alone. "
                        "Set REDIS_URL (or FLASK_RATELIMIT_STORAGE_URI) to a Redis server.")
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
                "REMEMBER_COOKIE_HTTPONLY"):
        if not config.get(key):
            problems.append(f"{key} is off: cookies must be Secure and HttpOnly in production.")
    for key in ("SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"):
        if str(config.get(key) or "").lower() not in ("lax", "strict"):
            problems.append(f"{key} is {config.get(key)!r}; use 'Lax' or 'Strict'.")
    if not config.get("WTF_CSRF_ENABLED", True):
        problems.append("CSRF protection is off (WTF_CSRF_ENABLED).")
    method = str(config.get("PASSWORD_HASH_METHOD") or "")
    strong_pbkdf2 = method.startswith("pbkdf2") and _iterations(method) >= 600_000
    if not method.startswith(("scrypt", "argon2")) and not strong_pbkdf2:
        problems.append(f"PASSWORD_HASH_METHOD {method!r} is too cheap to slow down password cracking; use scrypt.")
    required = {str(role) for role in config.get("TWO_FACTOR_REQUIRED_ROLES") or ()}
    if "admin" not in required:
        problems.append("Administrators may sign in without two-step sign-in (TWO_FACTOR_REQUIRED_ROLES).")
    elif "faculty" not in required:
        notes.append("Faculty may sign in without two-step sign-in (TWO_FACTOR_REQUIRED_ROLES).")
    idle, absolute = config.get("SESSION_IDLE_TIMEOUT"), config.get("SESSION_ABSOLUTE_TIMEOUT")
    if idle is None or absolute is None or idle > absolute:
        problems.append("SESSION_IDLE_TIMEOUT and SESSION_ABSOLUTE_TIMEOUT must be set, idle no longer than absolute.")
    if not config.get("MAIL_SERVER"):
        notes.append("No MAIL_SERVER: mails wait in the outbox and are only logged.")
    if not config.get("PROXY_COUNT"):
        notes.append("PROXY_COUNT is 0: behind a reverse proxy, rate limits would see the proxy's address only.")
    return problems, notes


def _iterations(method: str) -> int:
    parts = method.split(":")
    return int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else 600_000 if len(parts) < 3 else 0
