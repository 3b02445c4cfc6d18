"""Designed error pages: HTML for people, JSON for clients that ask for it."""

from __future__ import annotations

import logging

from flask import jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from network.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something in that request was not right", "Check what you entered and try again."),
    403: ("You cannot open this page", "Your account does not have access to it. If you think it should, write to your program's administrators."),
    404: ("Page not found", "The page may have moved, or the link may be mistyped."),
    405: ("That action is not possible here", "Go back and use the page's buttons."),
    409: ("That changed in the meantime", "Reload the page to see the current state."),
    413: ("That was too large", "The form or file you sent is larger than we accept. Send something smaller."),
    429: ("Too many attempts", "For everyone's safety, please wait a minute before trying again."),
    500: ("Something went wrong on our side", "The error was logged and nothing was saved. Please try again in a moment."),
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    if _wants_json():
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
        detail = f"Too many attempts ({error.description}). Please wait a minute before trying again."
    response = render_error(error.code, detail)
    if error.code == 429:
        response.headers.setdefault("Retry-After", "60")
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def handle_csrf_error(error: CSRFError):
    return render_error(400, "This form has expired or was not sent from this site. Reload the page and try again.")


def handle_unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return render_error(500)


def register_error_handlers(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
    app.register_error_handler(Exception, handle_unexpected_error)
