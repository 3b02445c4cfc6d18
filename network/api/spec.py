"""The API object (flask-smorest) and its OpenAPI 3.1 document, built from the code at ``/api/v1/openapi.json``.

flask-smorest is used for what it is good at (arguments and responses as marshmallow schemas, the OpenAPI
document, ETags) and kept out of the rest: it registers no error handler, so errors stay with
``network/errors.py``, which answers every request under ``/api/v1`` with an RFC 9457 problem. The document says
so: every error response is ``application/problem+json`` with ``Problem`` as its schema.
"""

from __future__ import annotations

import http

import marshmallow as ma
from apispec import BasePlugin
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from network.integers import DB_INT_MAX, BoundedIntegerConverter
from network.urls import API_ROOT

PROBLEM_CONTENT_TYPE = "application/problem+json"

DESCRIPTION = """\
The JSON API of Fellowship Network: the same people, threads, opportunities and programs as the pages, with
the same permissions and privacy (a field you may not see on a page is absent here too).

Authenticate every request with a personal access token from your account page:
`Authorization: Bearer fn_...`. A token has scopes: `read` for every read, `write` for every change,
`roster` to invite people to a cohort's roster (program staff). The session cookie of the site does not open
the API, and a token does not open the pages.

Lists are pages of at most `limit` items; the `Link` header's `rel="next"` is the next page (keyset cursors,
so a page never repeats or skips an item when new ones arrive). Reads carry an `ETag` (send it back in
`If-None-Match` for a `304`); changes to what has a version take its `ETag` in `If-Match`. Errors are RFC 9457
problem details. Times are ISO 8601 in UTC, ids are integers. Each token has a rate limit; a `429` says in
`Retry-After` when to try again.
"""


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem: what went wrong, for a person reading the client's log."""

    type = ma.fields.String(metadata={"description": "Always about:blank: the status says what kind."})
    title = ma.fields.String(required=True, metadata={"description": "The status's meaning."})
    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = ma.fields.String(metadata={"description": "What happened, in words."})
    errors = ma.fields.Dict(metadata={"description": "For a 422: each invalid field, by where it was sent."})


class FrameworkResponses(BasePlugin):
    """The statuses any operation can answer before or around its view, written into each operation.

    Every operation lists the statuses it answers and nothing else (no ``default`` response, which would let any
    status pass as documented): 400 (a malformed request: JSON, cursor), 401, 403 (no token, a token without the
    scope, an account not verified), 429 (the token's rate limit), 404 where the path holds an id (an id out of
    range never reaches the view), 413 where there is a body. The view documents the rest (``@blp.alt_response``),
    and flask-smorest adds 422 for ``@blp.arguments`` and 304/412/428 for ETags."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            codes = [400, 401, 403, 429]
            if "{" in (path or ""):
                codes.append(404)
            if "requestBody" in operation:
                codes.append(413)
            written = {str(code) for code in responses}
            for code in codes:
                if str(code) not in written:
                    responses[code] = http.HTTPStatus(code).name


class NetworkApi(Api):
    ERROR_SCHEMA = ProblemSchema
    #: No ``default`` response: each operation's statuses are listed (``FrameworkResponses`` and the views).
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        """None: ``network/errors.py`` answers API requests with problems and pages with pages."""

    def _register_responses(self):
        """The status codes' responses, each error one as ``application/problem+json``."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM_CONTENT_TYPE
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as an RFC 9457 problem", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def integer_parameter(converter) -> dict:
    """An id in a path, as ``BoundedIntegerConverter`` matches it (anything else matches no route: a 404)."""
    low = converter.min if converter.min is not None else (-DB_INT_MAX if converter.signed else 0)
    return {"type": "integer", "minimum": low, "maximum": DB_INT_MAX if converter.max is None else converter.max}


def make_api(app) -> NetworkApi:
    app.config.update(
        API_TITLE="Fellowship Network API", API_VERSION="v1", OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=API_ROOT, OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": DESCRIPTION},
            "servers": [{"url": "/"}],
            "components": {"securitySchemes": {"token": {
                "type": "http", "scheme": "bearer",
                "description": "A personal access token from your account page (fn_...)."}}},
            "security": [{"token": []}],
        })
    api = NetworkApi(app, spec_kwargs={"extra_plugins": [FrameworkResponses()]})
    api.register_converter(BoundedIntegerConverter, integer_parameter)
    return api
