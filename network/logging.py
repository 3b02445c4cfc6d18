"""Structured logs: one JSON object (or one plain line) per record, each with the request id.

The request id comes from a sane incoming ``X-Request-ID`` (a proxy's) or is made here; it is
echoed in the response header, so one id ties the proxy's, gunicorn's and the app's lines.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
_HANDLER_MARK = "_fellowship_network_handler"
# Attributes every LogRecord has; anything else was passed in ``extra=`` and is logged as a field.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def current_request_id() -> str:
    if has_request_context():
        return getattr(g, "request_id", None) or "-"
    return "-"


class RequestIdFilter(logging.Filter):
    """Puts ``record.request_id`` on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and any ``extra=`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(app: Flask) -> None:
    """Install one root handler (once per process) in the configured format, and the request-id hooks."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, _HANDLER_MARK, False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        setattr(handler, _HANDLER_MARK, True)
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if app.config.get("LOG_FORMAT") == "json" else logging.Formatter(TEXT_FORMAT))
    logging.getLogger("network").setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.before_request(assign_request_id)
    app.after_request(echo_request_id)


def assign_request_id() -> None:
    """``before_request``: the proxy's id when it looks like one, else a fresh one."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def echo_request_id(response):
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    return response


try:  # gunicorn is a production dependency, but the app also runs without it (flask run, tests).
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornJsonLogger(_GunicornLogger):
        """gunicorn's access log as JSON lines carrying the request id the app echoed."""

        def setup(self, cfg):
            super().setup(cfg)
            # gunicorn's own lines (boot, worker exits, timeouts) as JSON too.
            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())

        def access(self, resp, req, environ, request_time):
            if not self.access_log_enabled:
                return
            headers = {k.lower(): v for k, v in (resp.headers or [])}
            status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
            entry = {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "level": "INFO",
                "logger": "gunicorn.access",
                "request_id": headers.get("x-request-id", "-"),
                "remote": environ.get("REMOTE_ADDR", "-"),
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO"),
                "status": int(status) if str(status).isdigit() else status,
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "agent": environ.get("HTTP_USER_AGENT", "-"),
            }
            self.access_log.info("%s", json.dumps(entry))
