"""Every route × every role: the table below is the access policy, and no route may be missing from it."""

from __future__ import annotations

import pytest

from tests.conftest import sign_in_session

ROLES = ("anonymous", "pending", "fellow", "alumni", "faculty", "admin")

LOGIN = "→/auth/login"
PENDING = "→/pending"
HOME = "→/"
ACCOUNT = "→/auth/account"
ADMIN_LIST = "→/admin/members/pending"


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def members(anonymous, pending, member, admin=None):
    """Outcomes for visitors, pending members, verified non-admins and admins."""
    return {"anonymous": anonymous, "pending": pending, "fellow": member, "alumni": member, "faculty": member,
            "admin": member if admin is None else admin}


# (endpoint, method) -> (URL arguments, {role: status code or "→/redirect/path"}).
# POSTs send an empty form (CSRF is tested on its own in test_csrf.py).
MATRIX = {
    ("static", "GET"): ({"filename": "css/app.css"}, everyone(200)),
    ("bootstrap.static", "GET"): ({"filename": "css/bootstrap.min.css"}, everyone(200)),
    ("main.index", "GET"): ({}, members(200, PENDING, 200)),
    ("main.pending", "GET"): ({}, members(LOGIN, 200, HOME)),
    ("main.healthz", "GET"): ({}, everyone(200)),
    ("auth.register", "GET"): ({}, members(200, HOME, HOME)),
    ("auth.register", "POST"): ({}, members(400, HOME, HOME)),
    ("auth.login", "GET"): ({}, members(200, HOME, HOME)),
    ("auth.login", "POST"): ({}, members(400, HOME, HOME)),
    ("auth.logout", "POST"): ({}, everyone(HOME)),
    ("auth.confirm_email", "GET"): ({"token": "not-a-token"}, everyone(400)),
    ("auth.resend_confirmation", "POST"): ({}, members(LOGIN, PENDING, ACCOUNT)),
    ("auth.forgot_password", "GET"): ({}, everyone(200)),
    ("auth.forgot_password", "POST"): ({}, everyone(400)),
    ("auth.reset_password", "GET"): ({"token": "not-a-token"}, everyone(400)),
    ("auth.reset_password", "POST"): ({"token": "not-a-token"}, everyone(400)),
    ("auth.account", "GET"): ({}, members(LOGIN, 200, 200)),
    ("auth.change_password", "POST"): ({}, members(LOGIN, 400, 400)),
    ("auth.sign_out_everywhere", "POST"): ({}, members(LOGIN, ACCOUNT, ACCOUNT)),
    ("admin.pending_members", "GET"): ({}, members(LOGIN, PENDING, 403, 200)),
    ("admin.verify_member", "POST"): ({"user_id": "target"}, members(LOGIN, 403, 403, ADMIN_LIST)),
    ("admin.reject_member", "POST"): ({"user_id": "target"}, members(LOGIN, 403, 403, ADMIN_LIST)),
}

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def app(make_app):
    # Six roles post to the same rate-limited form from one address; limits have their own tests.
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


@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_route_answers_each_role_as_the_matrix_says(app, make_user, endpoint, method):
    from flask import url_for

    kwargs, outcomes = MATRIX[(endpoint, method)]
    target = make_user(role="fellow", status="pending")  # the member admin actions act on
    people = {role: make_user(role="fellow" if role == "pending" else role,
                              status="pending" if role == "pending" else "verified")
              for role in ROLES if role != "anonymous"}
    kwargs = {k: target.id if v == "target" else v for k, v in kwargs.items()}
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
