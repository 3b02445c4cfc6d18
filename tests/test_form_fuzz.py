"""Generated values posted to every form, with a valid CSRF token and signed in as a role that may use
it: whatever arrives (control characters, NUL bytes, huge strings, any script, numbers, lists, nothing),
the answer is never a 500.

The routes and the objects they act on come from the access matrix (tests/matrix); the field names from
the form's own page when it has one, plus every field name any form in the app declares. PostgreSQL only:
it is the stricter database (a NUL byte in a string is an error there, not on SQLite). Fifteen examples a
form keep the whole file near two minutes.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

import network
from tests.conftest import sign_in_session
from tests.matrix import MATRIX
from tests.matrix.common import LOGIN, PENDING
from tests.test_access_matrix import resolve_arguments

POST_ROUTES = sorted(endpoint for endpoint, method in MATRIX if method == "POST")
ROLES_IN_ORDER = ("fellow", "alumni", "faculty", "admin", "anonymous", "pending")
POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


def _declared_field_names() -> list[str]:
    """Every field name any FlaskForm in the app declares."""
    for module in pkgutil.walk_packages(network.__path__, "network."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    names, todo = set(), list(FlaskForm.__subclasses__())
    while todo:
        form = todo.pop()
        todo += form.__subclasses__()
        names |= {name for name in dir(form) if isinstance(getattr(form, name, None), UnboundField)}
    return sorted(names)


DECLARED = _declared_field_names()


def role_for(outcomes: dict) -> str | None:
    """A role whose empty POST reached the form (400), else one that was let through at all."""
    for wanted in ((400,), (200, 409)):
        for role in ROLES_IN_ORDER:
            if outcomes[role] in wanted:
                return role
    for role in ROLES_IN_ORDER:
        outcome = outcomes[role]
        if isinstance(outcome, str) and outcome not in (LOGIN, PENDING):
            return role
    return None


def repeated(chars, counts):
    return st.builds(lambda c, n: c * n, st.sampled_from(chars), st.integers(*counts))


VALUE = st.one_of(
    st.text(max_size=40),  # any script, emoji, combining marks
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),  # control characters, NUL included
    repeated(["a", "é", "😀", "\x00", " ", "<script>", "'; DROP TABLE user; --"], (500, 40_000)),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "0", "-1", "2026-02-30", "9999-12-31", "on", "y", "true", "null", "None",
                     "[]", "{}", "https://", "javascript:alert(1)", "../../etc/passwd"]),
)
FIELD_VALUE = st.one_of(VALUE, st.lists(VALUE, max_size=3))


@pytest.fixture
def app(make_app):
    # CSRF on, as in production (the fuzz sends a valid token); limits have their own tests.
    return make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)


@POSTGRES_ONLY
@pytest.mark.parametrize("endpoint", POST_ROUTES)
def test_no_generated_form_makes_a_server_error(app, make_user, endpoint):
    from flask import url_for

    kwargs, outcomes = MATRIX[(endpoint, "POST")]
    role = role_for(outcomes)
    if role is None:
        pytest.skip("no role in the matrix may use this form (its objects belong to nobody here)")
    people = {r: make_user(role="fellow" if r == "pending" else r, status="pending" if r == "pending" else "verified")
              for r in ROLES_IN_ORDER if r != "anonymous"}
    kwargs = resolve_arguments(kwargs, app, people, make_user, route=(endpoint, "POST"))
    with app.test_request_context():
        url = url_for(endpoint, **kwargs)

    def new_client():
        client = app.test_client()
        if role != "anonymous":
            sign_in_session(client, app, people[role])
        return client

    session: dict = {}
    page = new_client().get(url)
    on_page = NAME.findall(page.get_data(as_text=True)) if page.status_code == 200 else []
    names = sorted(set(on_page) - {"csrf_token"}) + [n for n in DECLARED if n not in on_page]

    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(form=st.dictionaries(st.sampled_from(names), FIELD_VALUE, max_size=12),
           from_page=st.dictionaries(st.sampled_from(on_page or ["-"]), FIELD_VALUE, max_size=len(on_page)))
    def post_generated(form, from_page):
        if "client" not in session:
            # A fresh session (again after an example signed out or deleted the account): its CSRF token.
            session["client"] = new_client()
            landing = session["client"].get("/auth/login" if role == "anonymous" else "/auth/account")
            match = TOKEN.search(landing.get_data(as_text=True))
            session["token"] = match.group(1) if match else ""
        data = {**form, **from_page, "csrf_token": session["token"]}
        response = session["client"].post(url, data=data)
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code != 500, f"POST {url} as {role} with {data!r:.2000}"
        assert "Traceback" not in body
        if response.status_code in (301, 302, 303) and "/auth/" in response.headers.get("Location", "") \
                or "This form has expired" in body:
            session.clear()

    post_generated()
