"""Every route × every role: the table below is the access policy, and no route may be missing from it."""

from __future__ import annotations

import pytest

from tests.conftest import sign_in_session
from tests.matrix import MATRIX, PREPARERS, ROLES
from tests.matrix.common import make_people

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def app(make_app):
    # Eight roles post to the same rate-limited form from one address; limits have their own tests.
    return make_app(RATELIMIT_ENABLED=False)


def rules_and_methods(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - IGNORED_METHODS):
            yield rule.endpoint, method


def test_every_route_is_in_the_matrix(app):
    routes = set(rules_and_methods(app))
    missing = routes - MATRIX.keys()
    stale = MATRIX.keys() - routes
    assert not missing, f"routes without an access policy in MATRIX: {sorted(missing)}"
    assert not stale, f"MATRIX lists routes that do not exist: {sorted(stale)}"
    for key, (_, outcomes) in MATRIX.items():
        assert set(outcomes) == set(ROLES), key


def resolve_arguments(kwargs, app, people, make_user, named=None, route=None):
    """Replace ``"@name"`` URL arguments by objects the route's area ``prepare`` hook creates
    (pass ``named`` to get every named object back)."""
    named = {} if named is None else named
    if any(isinstance(v, str) and v.startswith("@") for v in kwargs.values()) or named.get("_always"):
        named.pop("_always", None)
        prepare = PREPARERS.get(route)
        if prepare is not None:
            named.update(prepare(app, people, make_user))
    return {k: named[v[1:]] if isinstance(v, str) and v.startswith("@") else v for k, v in kwargs.items()}


def resolve_outcomes(outcomes, named):
    """Expected redirects may name prepared objects too: ``"→/members/@verified_member"``."""
    def resolve(outcome):
        if not isinstance(outcome, str) or "@" not in outcome:
            return outcome
        head, _, name = outcome.partition("@")
        rest = ""
        if "/" in name:
            name, _, rest = name.partition("/")
            rest = "/" + rest
        return f"{head}{named[name]}{rest}"

    return {role: resolve(outcome) for role, outcome in outcomes.items()}


@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_route_answers_each_role_as_the_matrix_says(app, make_user, endpoint, method):
    from flask import url_for

    kwargs, outcomes = MATRIX[(endpoint, method)]
    people = make_people(app, make_user)
    named = {"_always": any(isinstance(o, str) and "@" in o for o in outcomes.values())}
    kwargs = resolve_arguments(kwargs, app, people, make_user, named, route=(endpoint, method))
    outcomes = resolve_outcomes(outcomes, named)
    with app.test_request_context():
        url = url_for(endpoint, **kwargs)
    seen = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            sign_in_session(client, app, people[role])
        response = client.open(url, method=method)
        response.close()
        if 300 <= response.status_code < 400:
            seen[role] = "→" + response.headers["Location"].split("?")[0]
        else:
            seen[role] = response.status_code
        if response.status_code == 500:
            pytest.fail(f"{method} {url} as {role} raised a server error")
    assert seen == outcomes
