"""Designed error pages: HTML for people, JSON for clients that ask for it, and RFC 9457 problem details
(``application/problem+json``) for every request to the JSON API."""

from __future__ import annotations

import contextlib
import json
import logging
import time

from flask import current_app, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from network.extensions import bootstrap, db, limiter
from network.urls import is_api_request, public_url

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something in that request was not right", "Check what you entered and try again."),
    401: ("Authentication needed", "Send a personal access token: Authorization: Bearer <token>."),
    403: ("You cannot open this page",
          "Your account does not have access to it. If you think it should, write to your program's administrators."),
    404: ("Page not found", "The page may have moved, or the link may be mistyped."),
    405: ("That action is not possible here", "Go back and use the page's buttons."),
    409: ("That changed in the meantime", "Reload the page to see the current state."),
    412: ("That changed since you read it", "Read it again and send the change with its new ETag in If-Match."),
    413: ("That was too large", "The form or file you sent is larger than we accept. Send something smaller."),
    422: ("Those values are not valid", "See errors for what to change."),
    428: ("If-Match is needed", "Read the resource first and send its ETag in If-Match with the change."),
    429: ("Too many attempts", "For everyone's safety, please wait a minute before trying again."),
    500: ("Something went wrong on our side",
          "The error was logged and nothing was saved. Please try again in a moment."),
    503: ("The network is briefly unavailable",
          "We cannot reach our database just now, and nothing you sent was saved. Please try again in a minute."),
}


#: Where the pages' words speak of pages and buttons, the API's problems speak of resources and requests.
API_MESSAGES = {
    403: ("Not allowed", "Your account, or this token, may not do this."),
    404: ("Not found", "There is no such resource, or your account may not see it."),
    405: ("Method not allowed", "The Allow header lists the methods this resource takes."),
    409: ("Conflict", "It changed in the meantime, or it was already done: read it again."),
    413: ("Too large", "The request body is larger than we accept."),
    429: ("Too many requests", "This token's rate limit is reached: Retry-After says when to try again."),
}


def wants_json() -> bool:
    """The client asks for JSON before HTML (the API, a page's script)."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def problem(code: int, detail: str | None = None, errors: dict | None = None):
    """An RFC 9457 problem: the status's title, what happened, and the invalid fields in ``errors``."""
    title, message = API_MESSAGES.get(code) or MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    body = {"type": "about:blank", "title": title, "status": code, "detail": detail or message}
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), code, mimetype="application/problem+json")
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def render_error(code: int, detail: str | None = None, errors: dict | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    if is_api_request():
        return problem(code, detail, errors)
    if wants_json():
        body = jsonify(error=title, detail=detail or message, status=code)
    else:
        body = render_template("errors/error.html", code=code, title=title, message=detail or message)
    return make_response(body, code)


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    # A description set where the error was raised speaks to the member; Werkzeug's defaults do not.
    detail = error.description if error.description != type(error).description else None
    if error.code == 429:
        detail = (f"The rate limit ({error.description}) is reached: Retry-After says when to try again."
                  if is_api_request() else
                  f"Too many attempts ({error.description}). Please wait a minute before trying again.")
    # webargs (the API's argument parsing) names each invalid field: {"json": {"title": ["..."]}}.
    data = getattr(error, "data", None) or {}
    errors = data.get("messages")
    if errors and error.code == 422 and not detail:
        detail = "Some values are not valid: see errors."
    response = render_error(error.code, detail, errors)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if error.code == 429:
        response.headers["Retry-After"] = str(_seconds_until_retry())
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _seconds_until_retry() -> int:
    """When the breached rate limit's window ends, in seconds; a minute if that cannot be known."""
    try:
        limit = limiter.current_limit
        if limit is not None and limit.breached:
            return max(1, min(3600, int(limit.reset_at - time.time())))
    except Exception:  # the limiter's storage went away between the count and now
        log.warning("could not read the rate limit's window", exc_info=True)
    return 60


def handle_csrf_error(error: CSRFError):
    return render_error(400, "This form has expired or was not sent from this site. Reload the page and try again.")


UNTRUSTED_HOST = "This address is not served here. Open Fellowship Network at its public address."


def refuse_untrusted_host():
    """The first before-request hook: a Host outside TRUSTED_HOSTS leaves the request without a URL
    adapter, so the other hooks (a sign-in redirect, say) must not run; the error handler answers."""
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def handle_untrusted_host(error: SecurityError):
    """A designed 400 for a Host (or X-Forwarded-Host) outside TRUSTED_HOSTS, built without the request's
    host: every url_for and request.host_url would read it again and fail."""
    title = MESSAGES[400][0]
    log.warning("refused a request for an untrusted host on %s %s", request.method, request.path)
    if is_api_request():
        return problem(400, UNTRUSTED_HOST)
    if wants_json():
        return make_response(jsonify(error=title, detail=UNTRUSTED_HOST, status=400), 400)
    page = current_app.jinja_env.get_template("errors/bad_host.html")
    css = f"css/{bootstrap.bootstrap_css_filename}"
    return make_response(page.render(title=title, message=UNTRUSTED_HOST, home=public_url("main.index"),
                                     stylesheet=public_url("static", filename="css/app.css"),
                                     bootstrap_css=public_url("bootstrap.static", filename=css)), 400)


def handle_unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return render_error(500)


def handle_database_unavailable(error: DBAPIError):
    """The database is down or unreachable: a designed 503 that touches nothing needing it."""
    if not _is_connection_error(error):
        return handle_unexpected_error(error)
    log.error("database unavailable on %s %s: %s", request.method, request.path, error.orig or error)
    with contextlib.suppress(DBAPIError):  # the connection is already gone; the pool replaces it on the next checkout
        db.session.rollback()
    title, message = MESSAGES[503]
    if request.endpoint == "main.healthz":  # failed before the check ran (loading a signed-in member)
        response = jsonify(status="error", database="unavailable")
    elif is_api_request():
        response = problem(503, message)
    elif wants_json():
        response = jsonify(error=title, detail=message, status=503)
    else:
        # A standalone page rendered without the context processors: they (and base.html) ask for the
        # signed-in member, which needs the database this page says is missing.
        page = current_app.jinja_env.get_template("errors/503.html")
        response = make_response(page.render(title=title, message=message, request=request))
    response.status_code = 503
    response.headers["Retry-After"] = "30"
    return response


def _is_connection_error(error: DBAPIError) -> bool:
    """True for a lost or refused connection (or SQLite still busy after its timeout); a bad statement
    (also an OperationalError) is a bug, a 500."""
    if error.connection_invalidated or isinstance(error, InterfaceError):
        return True
    text = str(error.orig or error).lower()
    return any(sign in text for sign in (
        "connection", "server closed", "terminating", "could not connect", "shutting down",
        "the database system is", "unable to open database", "database is locked"))


def handle_integrity_error(error: IntegrityError):
    """A unique key refused a second row: two submissions raced (a double click, two tabs) and the first won.
    The transaction is rolled back, so nothing is half-written; any other constraint failure is a bug (500)."""
    if not _is_unique_violation(error):
        return handle_unexpected_error(error)
    log.warning("duplicate refused on %s %s: %s", request.method, request.path, error.orig)
    db.session.rollback()
    return render_error(409, "That was already done: a second click or another tab got there first. "
                             "Reload the page to see the current state.")


def _is_unique_violation(error: IntegrityError) -> bool:
    if getattr(error.orig, "sqlstate", None) == "23505":  # PostgreSQL unique_violation
        return True
    return "UNIQUE constraint failed" in str(error.orig)  # SQLite


def register_error_handlers(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
    app.register_error_handler(Exception, handle_unexpected_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(InterfaceError, handle_database_unavailable)
    app.register_error_handler(IntegrityError, handle_integrity_error)
