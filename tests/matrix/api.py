"""The JSON API in the page matrix: a signed-in session opens none of it.

Every operation under ``/api/v1`` answers each role's session cookie with a 401 problem (a token, never the
cookie, authenticates the API, so no page can be made to call it cross-site). The OpenAPI document and its page
are public. What each role's *token* may do, scope by scope, is ``tests/api/test_api_matrix.py``.
"""

from __future__ import annotations

from werkzeug.routing import AnyConverter

from network import create_app
from tests.matrix.common import everyone

PUBLIC = {("api-docs.openapi_json", "GET"), ("api_docs.docs", "GET")}


def _argument(converter):
    """A value the URL part takes: 1 for an id, the first choice of an ``<any(...)>`` part (the session is refused
    before anything is read, so any value that builds the URL will do)."""
    return sorted(converter.items)[0] if isinstance(converter, AnyConverter) else 1


def _rows() -> dict:
    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rows = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("api_", "api-docs.")):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            outcome = 200 if (rule.endpoint, method) in PUBLIC else 401
            rows[(rule.endpoint, method)] = ({name: _argument(converter) for name, converter
                                              in rule._converters.items()}, everyone(outcome))
    assert rows.keys() >= PUBLIC, PUBLIC - rows.keys()
    return rows


ROUTES = _rows()
