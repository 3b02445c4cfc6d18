"""Numbers too large for an id column never reach the database: every ``<int:...>`` in a route answers 404
for 2**31 and 2**63, and every integer query parameter (pages, cursors, ids) takes a huge or malformed
value as absent; nothing gives a 500, on SQLite or PostgreSQL."""

from __future__ import annotations

import pathlib
import re

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter

from network import create_app
from network.integers import DB_INT_MAX, BoundedIntegerConverter
from tests.conftest import sign_in_session
from tests.matrix import MATRIX
from tests.test_access_matrix import resolve_arguments

IGNORED_METHODS = {"HEAD", "OPTIONS"}
HUGE = (2**31, 2**63)


def _int_routes() -> list[tuple[str, str]]:
    app = create_app({"DEPLOYMENT": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    routes = set()
    for rule in app.url_map.iter_rules():
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            routes.update((rule.endpoint, method) for method in rule.methods - IGNORED_METHODS)
    return sorted(routes)


INT_ROUTES = _int_routes()
#: (endpoint, method, parameter): every integer read from a query string.
QUERY_INTEGERS = [
    ("admin.pending_members", "GET", "page"),
    ("admin.members", "GET", "page"),
    ("admin.audit_log", "GET", "page"),
    ("cohorts.roster", "GET", "page"),
    ("cockpit.show_list", "GET", "cohort"),
    ("cockpit.show_list", "GET", "round"),
    ("notifications.index", "GET", "before"),
    ("discussions.thread", "GET", "after"),
    ("discussions.thread", "GET", "before"),
    ("discussions.reply", "GET", "quote"),
    ("discussions.category", "GET", "before"),
    ("messages.index", "GET", "page"),
    ("messages.compose", "GET", "to"),
    ("messages.show", "GET", "before"),
    ("matching.preview", "GET", "run"),
]


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


def test_the_int_converter_is_bounded_everywhere():
    assert len(INT_ROUTES) >= 90
    assert all(endpoint for endpoint, _ in INT_ROUTES)


def test_a_number_too_large_is_404_where_another_method_shares_the_path():
    app = Flask(__name__)
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.add_url_rule("/threads/<int:thread_id>/posts", "posts", lambda thread_id: "list", methods=["GET"])
    app.add_url_rule("/threads/<int:thread_id>/posts", "reply", lambda thread_id: "reply", methods=["POST"])
    client = app.test_client()
    for method in ("GET", "POST"):
        assert client.open(f"/threads/{DB_INT_MAX}/posts", method=method).status_code == 200
        for huge in (DB_INT_MAX + 1, 2**32, 10**11, 2**63):
            assert client.open(f"/threads/{huge}/posts", method=method).status_code == 404, (method, huge)


@pytest.mark.parametrize(("endpoint", "method"), INT_ROUTES)
def test_an_id_too_large_for_the_database_is_404(app, make_user, endpoint, method):
    from flask import url_for

    admin = make_user(role="admin")
    kwargs = resolve_arguments(MATRIX[(endpoint, method)][0], app, {"admin": admin}, make_user,
                               route=(endpoint, method))
    rule = next(r for r in app.url_map.iter_rules(endpoint) if method in r.methods)
    numbered = [name for name, c in rule._converters.items() if isinstance(c, IntegerConverter)]
    client = app.test_client()
    sign_in_session(client, app, admin)
    for name in numbered:
        for huge in HUGE:
            with app.test_request_context():
                url = url_for(endpoint, **{**kwargs, name: huge})
            response = client.open(url, method=method, data={})
            assert response.status_code == 404, (method, url, response.status_code)
    # The largest id a column holds is still a route (whatever the page then says about it).
    with app.test_request_context():
        url = url_for(endpoint, **{**kwargs, **dict.fromkeys(numbered, DB_INT_MAX)})
    assert client.open(url, method=method, data={}).status_code != 500


@pytest.mark.parametrize(("endpoint", "method", "parameter"), QUERY_INTEGERS)
def test_a_huge_or_malformed_integer_parameter_is_ignored(app, make_user, endpoint, method, parameter):
    from flask import url_for

    admin = make_user(role="admin")
    kwargs = resolve_arguments(MATRIX[(endpoint, method)][0], app, {"admin": admin}, make_user,
                               route=(endpoint, method))
    kwargs.pop(parameter, None)
    client = app.test_client()
    sign_in_session(client, app, admin)
    with app.test_request_context():
        plain = url_for(endpoint, **kwargs)
    expected = client.open(plain, method=method).status_code
    for value in ("99999999999999999999", str(2**63), str(2**31), "1_000", "٣", " 7", "x"):
        if endpoint == "discussions.category":  # a cursor: the last thread's time and id
            value = f"2026-01-01T00:00:00+00:00_{value}"
        with app.test_request_context():
            url = url_for(endpoint, **kwargs, **{parameter: value})
        response = client.open(url, method=method)
        assert response.status_code == expected, (url, response.status_code, expected)


def test_no_route_reads_an_integer_parameter_by_hand():
    """Every integer parameter goes through ``int_arg`` or ``int_form``: ``type=int`` and ``int()`` of a
    request value know no bound."""
    root = pathlib.Path(__file__).parent.parent / "network"
    offenders = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.py")
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if re.search(r"request\.(args|form|values)\.get\([^)]*type=int|\bint\(request\.", line)]
    assert offenders == []
