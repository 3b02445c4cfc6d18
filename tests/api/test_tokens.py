"""Personal access tokens: made and revoked on the account page and by ``flask tokens``, shown once, kept as a hash,
scoped, expiring and audited; and the boundary between the pages and the API (a token opens no page, a session no
API operation), the API's problems, rate limit and OpenAPI document."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import timedelta

import marshmallow as ma
import pytest
import time_machine
from sqlalchemy import select

from network.api.auth import scope
from network.api.blueprint import BLUEPRINTS, api_blueprint
from network.audit.models import AuditLog
from network.auth import api_tokens
from network.auth.models import ApiToken
from network.extensions import csrf, db
from network.members.models import MemberStatus, User
from network.programs.models import Program, ProgramStaff
from network.types import utcnow
from tests.api.helpers import bearer, issue_token

SECRET = re.compile(r"fn_[A-Za-z0-9_-]{43}")
CREATE = "/auth/account/api-tokens"


# -- a test-only operation that takes a body: the API's POSTs, CSRF and 422s, before any family has one -------------

class EchoSchema(ma.Schema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(1, 10))


echo_blp = api_blueprint("test-echo", __name__, "A test-only operation: answers the body it was sent.")
# On the apps of the tests that ask for it only (``echo_app``): every worker imports this module, and no other
# test should find it among the API's blueprints or CSRF's exemptions.
BLUEPRINTS.remove(echo_blp)
csrf._exempt_blueprints.discard(echo_blp)


@echo_blp.route("", methods=["POST"])
@scope("write")
@echo_blp.arguments(EchoSchema)
@echo_blp.response(201, EchoSchema)
def echo(body):
    """Echo the body."""
    return body


@pytest.fixture
def echo_app(make_app):
    """``echo_app(**config)``: an app whose API has the test-only operation too, made by ``api_blueprint``."""

    def build(**config):
        app = make_app(**config)
        csrf.exempt(echo_blp)
        app.extensions["flask-smorest"]["apis"][""]["ext_obj"].register_blueprint(echo_blp)
        return app

    yield build
    csrf._exempt_blueprints.discard(echo_blp)


# -- helpers ------------------------------------------------------------------------------------------------------

def create_form(name="Residency sync", scopes=("read", "write"), days=30) -> dict:
    return {"token-name": name, "token-scopes": list(scopes), "token-days": str(days)}


def tokens_of(app, member) -> list[ApiToken]:
    with app.app_context():
        tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == member.id)
                                    .order_by(ApiToken.id)).all()
        db.session.expunge_all()
        return tokens


def audit(app, action: str) -> list[AuditLog]:
    with app.app_context():
        entries = db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()
        db.session.expunge_all()
        return entries


def issue(app, member, *scopes, days=30) -> tuple[int, str]:
    """A token made by the service, as the page and the command make them: (id, secret)."""
    with app.app_context():
        token, secret = api_tokens.issue(db.session.get(User, member.id), "script", list(scopes or ["read"]), days,
                                         actor_id=member.id)
        db.session.commit()
        return token.id, secret


def me(app, secret):
    return app.test_client().get("/api/v1/me", headers=bearer(secret))


def assert_problem(response, status: int):
    """An RFC 9457 problem: its media type, and type, title, status and detail in the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["type"] == "about:blank" and body["status"] == status
    assert body["title"] and body["detail"]
    return body


def make_staff(app, member) -> None:
    with app.app_context():
        program = Program(slug="tokens-program", name="Tokens Program", institution="Somewhere")
        db.session.add(program)
        db.session.flush()
        db.session.add(ProgramStaff(program_id=program.id, user_id=member.id, role="director"))
        db.session.commit()


# -- the account page ---------------------------------------------------------------------------------------------

def test_a_token_made_on_the_account_page_is_shown_once_and_only_its_hash_is_kept(app, make_user, login, caplog):
    caplog.set_level(logging.DEBUG)
    member = make_user(role="alumni")
    client = login(app.test_client(), member)
    page = client.get("/auth/account").get_data(as_text=True)
    assert 'id="api-tokens"' in page and "You have no API tokens." in page and 'href="/api/docs"' in page

    response = client.post(CREATE, data=create_form())
    assert response.status_code == 302 and response.headers["Location"] == "/auth/account#new-api-token"
    # Between the POST and the page, the secret rides in the session sealed: not in the cookie, not in a flash.
    with client.session_transaction() as session:
        held = json.dumps(dict(session))
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

    shown = client.get("/auth/account").get_data(as_text=True)
    secrets_shown = SECRET.findall(shown)
    assert len(secrets_shown) == 1, secrets_shown
    secret = secrets_shown[0]
    assert 'id="new-api-token"' in shown and "readonly" in shown and "you will not see it again" in shown
    assert "Residency sync" in shown
    assert secret not in held and secret not in cookie
    assert "ready. Copy it now" in shown  # the flash, without the secret

    again = client.get("/auth/account").get_data(as_text=True)
    assert not SECRET.search(again) and 'id="new-api-token"' not in again
    assert "Residency sync" in again and ">read</span>" in again and ">write</span>" in again
    assert "never used" in again

    [token] = tokens_of(app, member)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.scope_list == ["read", "write"] and token.name == "Residency sync"
    assert timedelta(days=29, hours=23) < token.expires_at - token.created_at <= timedelta(days=30)
    assert secret not in json.dumps([token.name, token.scopes, token.token_hash])
    [entry] = audit(app, "api_token.created")
    assert entry.actor_id == member.id and entry.target_id == token.id
    assert entry.details["scopes"] == ["read", "write"] and entry.details["days"] == 30
    assert secret not in json.dumps(entry.details) and token.token_hash not in json.dumps(entry.details)

    answer = me(app, secret)
    assert answer.status_code == 200
    assert answer.get_json()["token"]["scopes"] == ["read", "write"] and answer.get_json()["id"] == member.id
    assert secret not in caplog.text
    assert "last used" in client.get("/auth/account").get_data(as_text=True)


def test_the_secret_is_not_shown_to_someone_else_who_gets_the_session(app, make_user, login):
    """The sealed secret names its token: another member's page (a shared browser) shows nothing of it."""
    first, second = make_user(), make_user()
    client = login(app.test_client(), first)
    client.post(CREATE, data=create_form())
    with client.session_transaction() as session:
        held = session["new_api_token"]
    other = login(app.test_client(), second)
    with other.session_transaction() as session:
        session["new_api_token"] = held
    assert not SECRET.search(other.get("/auth/account").get_data(as_text=True))
    with client.session_transaction() as session:
        session["new_api_token"] = {**held, "sealed": held["sealed"][:-2] + "AA"}  # tampered
    assert not SECRET.search(client.get("/auth/account").get_data(as_text=True))


@pytest.mark.parametrize(("form", "message"), [
    (create_form(name="  "), "Give the token a name"),
    (create_form(scopes=()), "Choose at least one scope."),
    (create_form(scopes=("read", "admin")), "Choose among the scopes listed."),
    (create_form(days=13), "Choose one of the expiries listed."),
    (create_form(days="soon"), "Choose one of the expiries listed."),
    (create_form(name="x" * 81), "at most 80 characters"),
])
def test_form_errors_come_back_with_400_and_what_was_typed(app, make_user, login, form, message):
    client = login(app.test_client(), make_user())
    response = client.post(CREATE, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    if form["token-name"].strip():
        assert f'value="{form["token-name"]}"' in page
    for chosen in set(form["token-scopes"]) & set(api_tokens.SCOPES):
        assert re.search(rf'value="{chosen}" checked', page), chosen
    if form["token-days"] in {str(days) for days in api_tokens.EXPIRY_DAYS}:
        assert f'<option value="{form["token-days"]}" selected>' in page
    assert not SECRET.search(page)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 0


def test_a_member_keeps_at_most_twenty_live_tokens(app, make_user, login):
    member = make_user()
    for _ in range(api_tokens.MAX_LIVE_TOKENS):
        issue(app, member)
    client = login(app.test_client(), member)
    response = client.post(CREATE, data=create_form(name="One too many"))
    assert response.status_code == 400 and "revoke one you no longer use first" in response.get_data(as_text=True)
    assert 'value="One too many"' in response.get_data(as_text=True)
    assert len(tokens_of(app, member)) == api_tokens.MAX_LIVE_TOKENS


def test_the_roster_scope_is_offered_to_program_staff_only(app, make_user, login):
    fellow, faculty, staff, admin = (make_user(role=r) for r in ("fellow", "faculty", "faculty", "admin"))
    make_staff(app, staff)
    for member, offered in ((fellow, False), (faculty, False), (staff, True), (admin, True)):
        client = login(app.test_client(), member)
        page = client.get("/auth/account").get_data(as_text=True)
        assert ('value="roster"' in page) is offered, member.role
        response = client.post(CREATE, data=create_form(scopes=("read", "roster")))
        assert response.status_code == (302 if offered else 400), member.role
    assert [t.scope_list for t in tokens_of(app, staff)] == [["read", "roster"]]
    assert tokens_of(app, fellow) == []
    with app.app_context(), pytest.raises(api_tokens.TokenError, match="program staff"):
        api_tokens.issue(db.session.get(User, faculty.id), "sync", ["roster"])


def test_a_pending_member_is_told_why_there_are_no_tokens_yet(app, make_user, login):
    pending = make_user(status="pending")
    client = login(app.test_client(), pending)
    page = client.get("/auth/account").get_data(as_text=True)
    assert 'id="api-tokens"' in page and "API tokens are for verified members" in page
    assert CREATE not in page
    assert client.post(CREATE, data=create_form()).status_code == 403
    assert tokens_of(app, pending) == []


def test_revoking_asks_first_then_the_token_stops_at_once(app, make_user, login):
    member, other = make_user(), make_user()
    token_id, secret = issue(app, member)
    other_id, other_secret = issue(app, other)
    client = login(app.test_client(), member)
    assert f"/auth/account/api-tokens/{token_id}/revoke" in client.get("/auth/account").get_data(as_text=True)

    asked = client.post(f"/auth/account/api-tokens/{token_id}/revoke")
    assert asked.status_code == 200 and "Revoke the token “script”?" in asked.get_data(as_text=True)
    assert 'name="confirm" value="yes"' in asked.get_data(as_text=True)
    assert me(app, secret).status_code == 200  # nothing happened yet

    done = client.post(f"/auth/account/api-tokens/{token_id}/revoke", data={"confirm": "yes"})
    assert done.status_code == 302 and done.headers["Location"] == "/auth/account#api-tokens"
    assert_problem(me(app, secret), 401)
    assert "You have no API tokens." in client.get("/auth/account").get_data(as_text=True)
    [entry] = audit(app, "api_token.revoked")
    assert entry.actor_id == member.id and entry.target_id == token_id
    assert "revoked already" in client.post(f"/auth/account/api-tokens/{token_id}/revoke", data={"confirm": "yes"},
                                            follow_redirects=True).get_data(as_text=True)
    assert len(audit(app, "api_token.revoked")) == 1

    # Another member's token is not found, and keeps working.
    assert client.post(f"/auth/account/api-tokens/{other_id}/revoke", data={"confirm": "yes"}).status_code == 404
    assert me(app, other_secret).status_code == 200


def test_an_expired_token_is_refused_and_leaves_the_account_page(app, make_user, login):
    member = make_user()
    made = utcnow()
    with time_machine.travel(made, tick=False):
        _, secret = issue(app, member, days=7)
    with time_machine.travel(made + timedelta(days=7) - timedelta(minutes=1), tick=False):
        assert me(app, secret).status_code == 200
    with time_machine.travel(made + timedelta(days=7, seconds=1), tick=False):
        assert_problem(me(app, secret), 401)
        page = login(app.test_client(), member).get("/auth/account").get_data(as_text=True)
        assert "You have no API tokens." in page


def test_a_deactivated_member_is_refused_at_once_and_their_tokens_are_revoked(app, make_user, login):
    member, admin = make_user(), make_user(role="admin")
    _, secret = issue(app, member)
    assert me(app, secret).status_code == 200
    response = login(app.test_client(), admin).post(f"/admin/members/{member.id}/deactivate",
                                                     data={"confirm": "yes"})
    assert response.status_code == 302
    assert_problem(me(app, secret), 401)
    assert all(token.revoked_at is not None for token in tokens_of(app, member))
    assert [entry.actor_id for entry in audit(app, "api_token.revoked")] == [admin.id]
    # Reactivated, they sign in again and make a new token: the old one stays dead.
    login(app.test_client(), admin).post(f"/admin/members/{member.id}/reactivate")
    assert_problem(me(app, secret), 401)


def test_a_member_rejected_without_the_admin_page_is_refused_too(app, make_user):
    """``authenticate`` itself reads the member's state at every request, whatever changed it."""
    member = make_user()
    _, secret = issue(app, member)
    assert me(app, secret).status_code == 200
    with app.app_context():
        db.session.get(User, member.id).status = MemberStatus.REJECTED
        db.session.commit()
    assert_problem(me(app, secret), 401)


def test_a_deleted_account_takes_its_tokens_with_it(app, make_user, login):
    member = make_user()
    _, secret = issue(app, member)
    client = login(app.test_client(), member)
    assert client.post("/members/me/delete", data={"password": member.password}).status_code == 302
    assert_problem(me(app, secret), 401)
    assert tokens_of(app, member) == []


def test_last_used_is_written_at_most_once_a_minute_and_costs_no_reload(app, make_user, count_queries):
    member = make_user()
    _, secret = issue(app, member)
    start = utcnow().replace(microsecond=0)

    def used_at():
        return tokens_of(app, member)[0].last_used_at.replace(tzinfo=start.tzinfo)

    with time_machine.travel(start, tick=False), count_queries() as first:
        assert me(app, secret).status_code == 200
    assert used_at() == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False), count_queries() as quiet:
        assert me(app, secret).status_code == 200
    assert used_at() == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert me(app, secret).status_code == 200
    assert used_at() == start + timedelta(seconds=61)
    # The use is one UPDATE more, nothing else: the member and the token are not read again after its commit.
    writes = [statement for statement in first if statement.lstrip().upper().startswith("UPDATE")]
    assert len(writes) == 1 and len(first) == len(quiet) + 1, (first, quiet)


# -- flask tokens -------------------------------------------------------------------------------------------------

def test_flask_tokens_create_prints_a_working_token_and_audits_it(app, make_user, runner):
    member = make_user(email="script.owner@example.org")
    result = runner.invoke(args=["tokens", "create", "Script.Owner@example.org", "--scope", "read,write",
                                 "--days", "7", "--name", "Nightly export"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert SECRET.fullmatch(secret)
    assert "Nightly export" in result.stderr and secret not in result.stderr
    answer = me(app, secret)
    assert answer.status_code == 200 and answer.get_json()["token"]["scopes"] == ["read", "write"]
    [token] = tokens_of(app, member)
    assert token.name == "Nightly export" and token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.expires_at - token.created_at <= timedelta(days=7)
    [entry] = audit(app, "api_token.created")
    assert entry.actor_id is None and entry.target_id == token.id and secret not in json.dumps(entry.details)

    listed = runner.invoke(args=["tokens", "list", member.email])
    assert listed.exit_code == 0 and "Nightly export" in listed.output and str(token.id) in listed.output
    assert secret not in listed.output

    revoked = runner.invoke(args=["tokens", "revoke", str(token.id)])
    assert revoked.exit_code == 0 and "is revoked" in revoked.output
    assert_problem(me(app, secret), 401)
    [entry] = audit(app, "api_token.revoked")
    assert entry.actor_id is None and entry.target_id == token.id
    again = runner.invoke(args=["tokens", "revoke", str(token.id)])
    assert again.exit_code == 0 and "revoked already" in again.output
    assert len(audit(app, "api_token.revoked")) == 1


@pytest.mark.parametrize(("arguments", "message"), [
    (["create", "nobody@example.org"], "no account has this address"),
    (["create", "@member", "--scope", "read,admin"], "Unknown scope admin"),
    (["create", "@member", "--scope", ","], "Choose at least one scope"),
    (["create", "@member", "--scope", "roster"], "program staff"),
    (["create", "@member", "--days", "0"], "from 1 to 365 days"),
    (["create", "@member", "--days", "366"], "from 1 to 365 days"),
    (["create", "@member", "--name", " "], "1 to 80 characters"),
    (["create", "@pending"], "verified, active member"),
    (["revoke", "999999"], "no token has this id"),
    (["revoke", "first"], "is not a valid integer"),
    (["list", "nobody@example.org"], "no account has this address"),
])
def test_flask_tokens_refuses_bad_input_clearly(app, make_user, runner, arguments, message):
    people = {"@member": make_user().email, "@pending": make_user(status="pending").email}
    result = runner.invoke(args=["tokens", *(people.get(a, a) for a in arguments)])
    assert result.exit_code not in (0, None), result.output
    assert message in result.output
    assert not SECRET.search(result.output)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 0
        assert db.session.scalar(select(db.func.count()).select_from(AuditLog)) == 0


# -- the boundary: tokens open the API only, sessions the pages only -----------------------------------------------

@pytest.mark.parametrize("path", ["/members/", "/auth/account", "/"])
def test_a_token_opens_no_page(app, make_user, path):
    _, secret = issue(app, make_user(), "read", "write")
    response = app.test_client().get(path, headers=bearer(secret))
    if path == "/":
        assert "Sign in" in response.get_data(as_text=True) and "Sign out" not in response.get_data(as_text=True)
    else:
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_a_signed_in_session_opens_no_api_operation(app, make_user, login):
    client = login(app.test_client(), make_user(role="admin"))
    assert client.get("/auth/account").status_code == 200  # the session is good for the pages
    body = assert_problem(client.get("/api/v1/me"), 401)
    assert "Bearer" in body["detail"]
    assert client.get("/api/v1/me").headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_api_posts_need_a_token_and_no_csrf_token(echo_app, make_user):
    app = echo_app(WTF_CSRF_ENABLED=True)
    member = make_user()
    client = app.test_client()
    assert_problem(client.post("/api/v1/test-echo", json={"text": "hello"}), 401)
    answer = client.post("/api/v1/test-echo", json={"text": "hello"}, headers=bearer(issue_token(app, member)))
    assert answer.status_code == 201 and answer.get_json() == {"text": "hello"}
    # The pages keep their CSRF check.
    assert client.post("/auth/login", data={"email": member.email, "password": member.password}).status_code == 400


def test_errors_are_rfc_9457_problems(echo_app, make_user):
    app = echo_app()
    member = make_user()
    client = app.test_client()
    read_only = bearer(issue_token(app, member, "read"))
    writer = bearer(issue_token(app, member, "write"))
    assert_problem(client.get("/api/v1/me", headers=bearer("fn_" + "x" * 43)), 401)
    assert "revoked" in assert_problem(client.get("/api/v1/me", headers=bearer("fn_" + "x" * 43)), 401)["detail"]
    assert "'write' scope" in assert_problem(client.post("/api/v1/test-echo", json={"text": "hi"}, headers=read_only),
                                             403)["detail"]
    assert_problem(client.get("/api/v1/nothing-here", headers=read_only), 404)
    not_allowed = client.delete("/api/v1/me", headers=read_only)
    assert_problem(not_allowed, 405)
    assert "GET" in not_allowed.headers["Allow"]
    invalid = assert_problem(client.post("/api/v1/test-echo", json={"text": "far too long"}, headers=writer), 422)
    assert "text" in invalid["errors"]["json"]
    pending = bearer(issue_token(app, make_user(status="pending")))
    assert "verification" in assert_problem(client.get("/api/v1/me", headers=pending), 403)["detail"]


def test_each_token_has_its_own_rate_limit(make_app, make_user):
    app = make_app(API_RATE_LIMIT="3 per minute")
    member = make_user()
    first, second = bearer(issue_token(app, member)), bearer(issue_token(app, member))
    client = app.test_client()
    assert [client.get("/api/v1/me", headers=first).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/me", headers=first)
    assert_problem(refused, 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_the_openapi_document_is_3_1_and_the_docs_page_shows_every_operation(echo_app):
    app = echo_app()
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    operations = [(method, path) for path, item in spec["paths"].items() for method in item
                  if method in ("get", "post", "put", "patch", "delete")]
    assert ("post", "/api/v1/test-echo") in operations and ("get", "/api/v1/me") in operations
    for method, path in operations:
        anchor = f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "")
        assert f'id="{anchor}"' in html, (method, path)
