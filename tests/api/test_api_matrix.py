"""Every API operation × every caller: the rows of ``tests/api/matrix`` for members' tokens, and for each
operation no token (401), a pending member's token (403) and a token lacking the operation's scope (403)."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from network.auth.api_tokens import SCOPES
from tests.api.helpers import bearer, issue_token
from tests.api.matrix import GRANTED_ROLES, MATRIX, PREPARERS
from tests.matrix.common import ROLES, make_people

PUBLIC = {"api-docs.openapi_json"}


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


def api_operations(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_") and rule.endpoint not in PUBLIC and rule.endpoint != "api_docs.docs":
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def needed_scope(app, rule, method) -> str:
    """The scope the OpenAPI document says the operation needs: the one the test's token goes without."""
    spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)  # <int:id>, <any('a', 'b'):name>
    security = spec["paths"][path][method.lower()].get("security")
    assert security, f"{method} {path} does not say which scope it needs (@scope under @blp.route)"
    return security[0]["token"][0]


def test_every_operation_is_in_the_api_matrix(app):
    operations = {(rule.endpoint, method) for rule, method in api_operations(app)}
    assert not operations - MATRIX.keys(), f"operations without rows: {sorted(operations - MATRIX.keys())}"
    assert not MATRIX.keys() - operations, f"rows for no operation: {sorted(MATRIX.keys() - operations)}"
    for key, (_, _, outcomes) in MATRIX.items():
        assert set(outcomes) == set(GRANTED_ROLES), key


def _resolve(value, named):
    if isinstance(value, str) and value.startswith("@"):
        return named[value[1:]]
    if isinstance(value, dict):
        return {k: _resolve(v, named) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, named) for v in value]
    return value


@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_operation_answers_each_token_as_the_matrix_says(app, make_user, endpoint, method):
    kwargs, body, outcomes = MATRIX[(endpoint, method)]
    people = make_people(app, make_user, ROLES)
    prepare = PREPARERS.get((endpoint, method))
    named = prepare(app, people, make_user) if prepare else {}
    kwargs, body = _resolve(kwargs, named), _resolve(body, named)
    with app.test_request_context():
        url = url_for(endpoint, **kwargs)
    rule = next(app.url_map.iter_rules(endpoint))
    scope = needed_scope(app, rule, method)

    def ask(headers):
        response = app.test_client().open(url, method=method, json=body, headers=headers)
        assert response.status_code != 500, f"{method} {url} raised a server error"
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", (method, url, response.status_code)
        return response.status_code

    # Always the same: no token, a pending member's, a token without the scope (checked before anything else).
    assert ask({}) == 401
    assert ask(bearer(issue_token(app, people["pending"]))) == 403
    assert ask(bearer(issue_token(app, people["admin"], *(s for s in SCOPES if s != scope)))) == 403
    seen = {role: ask(bearer(issue_token(app, people[role]))) for role in GRANTED_ROLES}
    assert seen == outcomes
