"""Every page, as production serves it, carries the foundation's security headers and cookie flags;
``next`` sends a member only to a page of this site."""

from __future__ import annotations

import pytest

from network.security import CONTENT_SECURITY_POLICY
from tests.api.helpers import bearer, issue_token
from tests.conftest import sign_in_session
from tests.matrix import MATRIX, PREPARERS
from tests.test_access_matrix import resolve_arguments

# The JSON API's operations answer a session with a 401 (tests/matrix/api.py): their headers are checked with a
# token below.
GET_ROUTES = sorted(endpoint for endpoint, method in MATRIX if method == "GET" and not endpoint.startswith("api_"))
# Who views each page: the first of these the access matrix lets in (200), else a visitor.
VIEWERS = ("fellow", "faculty", "admin", "alumni", "pending", "anonymous")
EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}
HTTPS = "https://localhost"


@pytest.fixture
def app(make_app):
    # Production settings (secure cookies, HSTS, CSRF on); two-step sign-in is left to its own tests.
    return make_app(DEPLOYMENT="production", SECRET_KEY="a-long-production-like-secret-for-tests-0123456789",
                    TWO_FACTOR_REQUIRED_ROLES=(), RATELIMIT_ENABLED=False, PUBLIC_URL=HTTPS,
                    PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")


def header_problems(response, page: str) -> list[str]:
    problems = []
    policy = response.headers.get("Content-Security-Policy", "")
    for name, value in EXPECTED.items():
        if name == "Content-Security-Policy" and _sealed_image(response, policy):
            continue
        if response.headers.get(name) != value:
            problems.append(f"{page}: {name} is {response.headers.get(name)!r}")
    if response.mimetype == "text/html" and "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append(f"{page}: an HTML page that shared caches may keep")
    if not response.headers.get("X-Request-ID"):
        problems.append(f"{page}: no X-Request-ID")
    for cookie in response.headers.getlist("Set-Cookie"):
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        if not {"secure", "httponly"} <= flags or "SameSite=Lax" not in cookie:
            problems.append(f"{page}: cookie without Secure, HttpOnly and SameSite=Lax: {cookie[:60]}")
    return problems


def _sealed_image(response, policy: str) -> bool:
    """A standalone SVG chart may carry a stricter policy of its own: nothing loads, no script runs
    (its inline styles only style the drawing)."""
    return (response.mimetype == "image/svg+xml" and policy.startswith("default-src 'none'")
            and "script" not in policy)


def test_every_page_carries_the_security_headers(app, make_user):
    from flask import url_for

    people = {role: make_user(role="fellow" if role == "pending" else role,
                              status="pending" if role == "pending" else "verified")
              for role in VIEWERS if role != "anonymous"}
    prepared: dict = {}
    problems, seen, pages = [], 0, 0
    # The discussions area's rows expect the first discussion rows of a database (tests/matrix/discussions.py),
    # and other areas' objects (a class's category, a year's threads) make discussion rows too: it goes first.
    for endpoint in sorted(GET_ROUTES, key=lambda endpoint: not endpoint.startswith("discussions.")):
        kwargs, outcomes = MATRIX[(endpoint, "GET")]
        prepare = PREPARERS.get((endpoint, "GET"))
        if prepare is not None and prepare not in prepared:
            # Each area's objects are made once and shared by its pages.
            prepared[prepare] = _named(app, people, make_user, endpoint)
        named = prepared.get(prepare, {})
        arguments = {k: named[v[1:]] if isinstance(v, str) and v.startswith("@") else v for k, v in kwargs.items()}
        viewer = next((role for role in VIEWERS if outcomes.get(role) == 200), "anonymous")
        with app.test_request_context():
            url = url_for(endpoint, **arguments)
        client = app.test_client()
        if viewer != "anonymous":
            sign_in_session(client, app, people[viewer])
        response = client.get(url, base_url=HTTPS)
        response.close()
        seen += 1
        pages += response.status_code == 200
        if response.status_code >= 500:
            problems.append(f"{url} as {viewer}: {response.status_code}")
        problems.extend(header_problems(response, f"{url} as {viewer} ({response.status_code})"))
    assert seen == len(GET_ROUTES) > 40
    # Most routes are real pages for their viewer, not redirects: the headers were checked where it matters.
    assert pages >= 0.8 * seen
    assert problems == []


def _named(app, people, make_user, endpoint) -> dict:
    named = {"_always": True}
    resolve_arguments({}, app, people, make_user, named, route=(endpoint, "GET"))
    return named


def test_the_api_carries_them_too_and_keeps_out_of_shared_caches(app, make_user):
    """The API's answers, its problems and its document: the same headers, and a member's data never in a shared
    cache (private, revalidated by its ETag), no cookie set."""
    headers = bearer(issue_token(app, make_user(), "read"))
    client = app.test_client()
    answers = {"/api/v1/me": client.get("/api/v1/me", headers=headers, base_url=HTTPS),
               "/api/v1/members/999999 (404)": client.get("/api/v1/members/999999", headers=headers, base_url=HTTPS),
               "/api/v1/me without a token (401)": client.get("/api/v1/me", base_url=HTTPS),
               "/api/v1/openapi.json": client.get("/api/v1/openapi.json", base_url=HTTPS)}
    problems = [problem for page, response in answers.items() for problem in header_problems(response, page)]
    assert problems == []
    assert answers["/api/v1/me"].headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in answers["/api/v1/me"].headers["Vary"]
    assert not any(response.headers.get("Set-Cookie") for response in answers.values())


def test_error_pages_and_redirects_carry_them_too(app, make_user):
    client = app.test_client()
    for response in (client.get("/no/such/page", base_url=HTTPS), client.get("/auth/account", base_url=HTTPS),
                     client.post("/auth/logout", base_url=HTTPS)):
        assert header_problems(response, response.request.path) == []
        assert response.status_code in (302, 400, 404)


def test_sign_in_cookies_are_secure_httponly_and_samesite(app, make_user):
    import re

    member = make_user()
    client = app.test_client()
    page = client.get("/auth/login", base_url=HTTPS)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data).group(1).decode()
    # Over HTTPS, Flask-WTF also wants a same-site Referer (as a browser sends).
    response = client.post("/auth/login", base_url=HTTPS, headers={"Referer": HTTPS + "/auth/login"}, data={
        "csrf_token": token, "email": member.email, "password": member.password, "remember": "y"})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    assert {"fn_session", "fn_remember"} <= names
    assert header_problems(response, "sign-in") == []


HOSTILE_NEXT = [
    "//evil.example", "//evil.example/path", "https://evil.example", "http://evil.example/",
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "javascript:alert(1)", "JavaScript:alert(1)",
    "data:text/html,hi", "https:evil.example", "https:/evil.example", "///evil.example", "/\t/evil.example",
    " //evil.example", "evil.example", "@evil.example", "/%0a/evil.example\n",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_leaves_the_site(make_app, make_user, target):
    app = make_app()
    member = make_user()
    response = app.test_client().post("/auth/login", query_string={"next": target},
                                      data={"email": member.email, "password": member.password})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_next_is_checked_for_members_already_signed_in(make_app, make_user, target):
    app = make_app()
    member = make_user()
    client = app.test_client()
    client.post("/auth/login", data={"email": member.email, "password": member.password})
    response = client.get("/auth/login", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_next_survives_the_two_step_sign_in_only_when_it_is_on_this_site(make_app, make_user):
    import re

    import pyotp

    app = make_app()
    member = make_user()
    setup = app.test_client()
    setup.post("/auth/login", data={"email": member.email, "password": member.password})
    setup.post("/auth/account/two-factor/setup")
    key = re.search(rb'id="setup-key">([A-Z2-7 ]+)<', setup.get("/auth/account/two-factor/setup").data)
    key = key.group(1).decode().replace(" ", "")
    enabled = setup.post("/auth/account/two-factor/enable", data={"code": pyotp.TOTP(key).now()})
    codes = re.findall(rb"<li class=\"col\">([a-z0-9]{5}-[a-z0-9]{5})</li>", enabled.data)
    for target, expected, code in (("//evil.example", "/", codes[0]), ("/auth/account", "/auth/account", codes[1])):
        client = app.test_client()
        client.post("/auth/login", query_string={"next": target},
                    data={"email": member.email, "password": member.password})
        response = client.post("/auth/login/code", data={"code": code.decode()})
        assert response.headers["Location"] == expected
