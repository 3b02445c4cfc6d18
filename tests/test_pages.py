"""Every page a role can open is valid, accessible HTML with the security headers; errors are designed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import sign_in_session
from tests.html_checks import check_page

PAGES = {
    "anonymous": ["/", "/auth/login", "/auth/register", "/auth/reset", "/auth/confirm/bad-token",
                  "/auth/reset/bad-token", "/no-such-page"],
    "pending": ["/pending", "/auth/account"],
    "fellow": ["/", "/auth/account", "/admin/members/pending"],
    "admin": ["/", "/auth/account", "/admin/members/pending"],
}


@pytest.mark.parametrize("role", sorted(PAGES))
def test_pages_are_valid_accessible_html(app, make_user, role):
    client = app.test_client()
    if role != "anonymous":
        member = make_user(role="fellow" if role == "pending" else role,
                           status="pending" if role == "pending" else "verified", confirmed=role != "pending")
        make_user(status="pending", name="Dr. Waiting Person")
        sign_in_session(client, app, member)
    for path in PAGES[role]:
        response = client.get(path)
        assert response.mimetype == "text/html", path
        assert check_page(response.data) == [], path


def test_forms_with_errors_stay_valid_and_accessible(app, client):
    response = client.post("/auth/register", data={"email": "nope", "password": "short", "role": "x"})
    assert response.status_code == 400
    assert check_page(response.data) == []
    assert response.data.count(b'class="invalid-feedback') >= 3


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax(app, make_user):
    member = make_user()
    response = app.test_client().post("/auth/login", data={"email": member.email, "password": member.password})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_not_found_is_a_designed_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
    assert b"Go to the home page" in response.data


def test_method_not_allowed(client):
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_server_errors_show_no_stack_trace_and_roll_back(app, make_user):
    from network.extensions import db
    from network.members.models import User

    @app.route("/boom")
    def boom():
        db.session.add(User(email="half@example.org", name="Half written", role="fellow", password_hash="x"))
        db.session.flush()
        raise RuntimeError("secret internals")

    boom.access = "public"
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    with app.app_context():
        assert db.session.scalars(select(User).where(User.email == "half@example.org")).first() is None


def test_json_clients_get_json_errors(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["status"] == 404


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_says_503_when_the_database_is_gone(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing-dir/nope.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"
