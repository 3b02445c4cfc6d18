"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app`` (what ``make serve`` runs).

Every value can be changed with an environment variable; the app itself is configured by
``FLASK_*``, ``DATABASE_URL`` and ``REDIS_URL`` (README, "Production").
"""

import os


def _int_from_env(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() and int(value) > 0 else default


wsgi_app = "wsgi:app"
bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers: the app is a classic request/response app on a connection pool per process.
# WEB_CONCURRENCY as on most platforms; else two per CPU plus one (network.config.default_worker_count).
workers = _int_from_env("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
worker_class = "sync"
# A request taking longer than this is stuck (every page is bounded in queries): the worker is replaced.
timeout = _int_from_env("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int_from_env("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = 5
# Recycle workers now and then so a slow leak never grows; jitter so they do not all restart at once.
# Rarely: a worker's start (imports and the app) costs about 2 s of CPU, 0.1 ms per request over 20,000.
max_requests = _int_from_env("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = 2000
# Each worker opens its own database pool after the fork: never share connections between processes.
preload_app = False
# No gunicornc control socket (gunicorn 25+ opens one by default): nothing to manage at run time,
# and nothing left on disk (same as --no-control-socket).
control_socket_disable = True
# Heartbeat files in memory, not on a possibly slow disk (what gunicorn's documentation advises;
# only gunicorn's own unlinked temporary files go there).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (see above)  # nosec B108
# Only the local reverse proxy may set X-Forwarded-*; the app trusts FLASK_PROXY_COUNT hops.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "fellowship-network"

# Logs on stdout/stderr, one JSON object per line, the access lines with the app's X-Request-ID.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = "network.logging.GunicornJsonLogger"


def post_worker_init(worker):
    """The app is loaded in this worker: hand what start-up allocated (modules, the app, SQLAlchemy's
    mappings; about 200,000 objects) to ``gc.freeze``, so the collector's passes during requests walk only
    what requests make. A full pass over everything took a few milliseconds every few hundred requests."""
    import gc

    gc.collect()
    gc.freeze()
