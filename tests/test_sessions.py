"""Sessions: a new one at every sign-in, idle and absolute timeouts (remember-me included), deactivation
ends every session; request ids in headers and logs."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.auth import sessions
from network.extensions import db
from network.members.models import MemberSession, User


def sign_in(client, member, remember=False):
    data = {"email": member.email, "password": member.password}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    return response


def signed_in(client) -> bool:
    response = client.get("/auth/account")
    if response.status_code == 200:
        return True
    assert response.headers["Location"].startswith("/auth/login")
    return False


def test_sign_in_starts_a_new_session_and_drops_what_was_planted(app, make_user):
    member = make_user()
    client = app.test_client()
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["_user_id"] = "999:1"
    before = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    sign_in(client, member)
    after = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{member.id}:")
        assert session[sessions.SIGNED_IN_AT] <= time.time()
    assert signed_in(client)


def test_a_session_idle_for_too_long_ends(app, make_user):
    member = make_user()
    client = app.test_client()
    sign_in(client, member)
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN_AT] = int(time.time()) - int(timedelta(hours=2, minutes=1).total_seconds())
    response = client.get("/auth/account", follow_redirects=True)
    assert b"You were away for a while" in response.data
    assert response.request.path == "/auth/login"
    assert not signed_in(client)


def test_activity_keeps_a_session_alive(app, make_user):
    member = make_user()
    client = app.test_client()
    sign_in(client, member)
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN_AT] = int(time.time()) - int(timedelta(hours=1, minutes=50).total_seconds())
    assert signed_in(client)
    with client.session_transaction() as session:
        assert session[sessions.LAST_SEEN_AT] >= time.time() - 5


def test_a_session_ends_after_the_absolute_timeout_even_when_active(app, make_user):
    member = make_user()
    client = app.test_client()
    sign_in(client, member)
    with client.session_transaction() as session:
        session[sessions.SIGNED_IN_AT] = int(time.time()) - int(timedelta(days=14, minutes=1).total_seconds())
    response = client.get("/auth/account", follow_redirects=True)
    assert b"signed in for a long time" in response.data
    assert not signed_in(client)


def test_timeouts_come_from_config(make_app, make_user):
    app = make_app(SESSION_IDLE_TIMEOUT=timedelta(seconds=1))
    member = make_user()
    client = app.test_client()
    sign_in(client, member)
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN_AT] = int(time.time()) - 3
    assert not signed_in(client)


def test_remember_me_outlives_the_browser_and_idleness_but_not_the_absolute_timeout(app, make_user, monkeypatch):
    member = make_user()
    client = app.test_client()
    sign_in(client, member, remember=True)
    remember = client.get_cookie(app.config["REMEMBER_COOKIE_NAME"])
    assert remember is not None
    # Closing the browser drops the session cookie; the remember-me cookie signs the member back in.
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert signed_in(client)
    # Idle for three hours: still signed in, as asked.
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN_AT] = int(time.time()) - 3 * 3600
    assert signed_in(client)
    # Fifteen days later, a fresh browser with only the remember-me cookie is not signed in.
    later = time.time() + timedelta(days=15).total_seconds()
    monkeypatch.setattr(sessions, "_now", lambda: int(later))
    fresh = app.test_client()
    fresh.set_cookie(app.config["REMEMBER_COOKIE_NAME"], remember.value)
    assert not signed_in(fresh)


def test_signing_out_forgets_the_remember_me_cookie_too(app, make_user):
    member = make_user()
    client = app.test_client()
    sign_in(client, member, remember=True)
    assert client.get_cookie(app.config["REMEMBER_COOKIE_NAME"]) is not None
    response = client.post("/auth/logout", follow_redirects=True)
    assert b"You are signed out" in response.data
    assert client.get_cookie(app.config["REMEMBER_COOKIE_NAME"]) is None
    assert not signed_in(client)
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert not signed_in(client)


def test_a_sign_in_without_remember_me_drops_an_older_remember_me_cookie(app, make_user):
    earlier, member = make_user(), make_user()
    client = app.test_client()
    sign_in(client, earlier, remember=True)
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    with app.app_context():  # e.g. they signed out everywhere from another device
        db.session.get(User, earlier.id).end_other_sessions()
        db.session.commit()
    sign_in(client, member)
    assert client.get_cookie(app.config["REMEMBER_COOKIE_NAME"]) is None
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN_AT] = int(time.time()) - 3 * 3600
    assert not signed_in(client)
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert not signed_in(client)


def test_remember_me_lasts_no_longer_than_the_absolute_timeout(app):
    assert app.config["REMEMBER_COOKIE_DURATION"] <= app.config["SESSION_ABSOLUTE_TIMEOUT"]
    assert app.config["SESSION_IDLE_TIMEOUT"] == timedelta(hours=2)
    assert app.config["SESSION_ABSOLUTE_TIMEOUT"] == timedelta(days=14)


def test_deactivation_by_an_admin_ends_every_session_and_remember_me(app, make_user, login):
    member = make_user()
    admin = make_user(role="admin")
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, member, remember=True)
    sign_in(laptop, member)
    assert signed_in(phone) and signed_in(laptop)
    remember = phone.get_cookie(app.config["REMEMBER_COOKIE_NAME"]).value

    admin_client = login(app.test_client(), admin)
    response = admin_client.post(f"/admin/members/{member.id}/deactivate", data={"confirm": "yes"})
    assert response.status_code == 302
    assert not signed_in(phone)
    assert not signed_in(laptop)
    cookie_only = app.test_client()
    cookie_only.set_cookie(app.config["REMEMBER_COOKIE_NAME"], remember)
    assert not signed_in(cookie_only)
    # A deactivated member cannot sign in again either.
    assert app.test_client().post("/auth/login", data={"email": member.email,
                                                       "password": member.password}).status_code == 403
    # Reactivation lets them sign in afresh; the old sessions stay ended.
    admin_client.post(f"/admin/members/{member.id}/reactivate")
    assert not signed_in(laptop)
    sign_in(app.test_client(), member)


def test_static_files_cost_a_signed_in_member_no_query(app, make_user, count_queries):
    member = make_user()
    client = app.test_client()
    sign_in(client, member)
    client.get("/auth/account")
    with count_queries() as queries:
        for path in ("/static/css/app.css", "/bootstrap/static/css/bootstrap.min.css"):
            response = client.get(path)
            response.close()
            assert response.status_code == 200
    assert queries == []


def test_a_bumped_session_version_ends_sessions_made_before(app, make_user):
    member = make_user()
    client = app.test_client()
    sign_in(client, member)
    with app.app_context():
        db.session.get(User, member.id).end_other_sessions()
        db.session.commit()
    assert not signed_in(client)


@pytest.mark.parametrize("login_id", ["1", "1:x", "1:1:soon", "1:1:1:1", "::", "-1:1"])
def test_malformed_login_ids_sign_nobody_in(app, make_user, login_id):
    make_user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = login_id
    assert not signed_in(client)


def test_every_response_carries_a_request_id(client):
    first = client.get("/auth/login")
    second = client.get("/auth/login")
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize(("incoming", "kept"), [
    ("proxy-7f3a9c2e-0001", True),
    ("b3c1f2a4d5e6f708192a3b4c5d6e7f80", True),
    ("short", False),
    ("x" * 200, False),
    ("evil id; Set-Cookie: a=b", False),
    ("<script>alert(1)</script>", False),
])
def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(client, incoming, kept):
    response = client.get("/auth/login", headers={"X-Request-ID": incoming})
    assert (response.headers["X-Request-ID"] == incoming) is kept
    assert "\n" not in response.headers["X-Request-ID"]


def test_json_log_lines_carry_the_request_id(app):
    from network.logging import JsonFormatter, RequestIdFilter

    with app.test_request_context("/", headers={"X-Request-ID": "proxy-request-12345"}):
        app.preprocess_request()
        record = logging.makeLogRecord({"name": "network.test", "levelname": "INFO", "levelno": logging.INFO,
                                        "msg": "member %s signed in", "args": (7,), "program": 3})
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "member 7 signed in"
    assert line["request_id"] == "proxy-request-12345"
    assert line["level"] == "INFO" and line["logger"] == "network.test" and line["program"] == 3


# -- revocation on the server: sign-out ends the session, not only the browser's copy of it (ASVS 3.3.1) --

def test_a_session_cookie_copied_before_sign_out_opens_nothing_after_it(app, make_user):
    member = make_user()
    client = app.test_client()
    sign_in(client, member)
    assert client.get("/messages/").status_code == 200
    copied = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client.post("/auth/logout")
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    for path in ("/auth/account", "/messages/"):
        response = thief.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), path


def test_a_remember_me_cookie_copied_before_sign_out_signs_nobody_in_after_it(app, make_user):
    member = make_user()
    client = app.test_client()
    sign_in(client, member, remember=True)
    copied = client.get_cookie(app.config["REMEMBER_COOKIE_NAME"]).value
    client.post("/auth/logout")
    thief = app.test_client()
    thief.set_cookie(app.config["REMEMBER_COOKIE_NAME"], copied)
    assert not signed_in(thief)
    assert thief.get("/messages/").headers["Location"].startswith("/auth/login")


def test_signing_out_on_one_device_leaves_the_others_signed_in(app, make_user):
    member = make_user()
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, member, remember=True)
    sign_in(laptop, member, remember=True)
    phone.post("/auth/logout")
    assert not signed_in(phone)
    assert signed_in(laptop)
    laptop.delete_cookie(app.config["SESSION_COOKIE_NAME"])  # the laptop's remember-me cookie still works too
    assert signed_in(laptop)


def test_the_account_page_lists_sessions_and_ends_one_of_them(app, make_user):
    member = make_user()
    phone, laptop = app.test_client(), app.test_client()
    phone.post("/auth/login", data={"email": member.email, "password": member.password, "remember": "y"},
               headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 "
                                      "Mobile/15E148 Safari/604.1"})
    laptop.post("/auth/login", data={"email": member.email, "password": member.password},
                headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"})
    page = laptop.get("/auth/account").get_data(as_text=True)
    assert "Safari on iPhone" in page and "Firefox on Linux" in page
    assert "This device" in page
    with app.app_context():
        phone_session = db.session.scalars(
            select(MemberSession).where(MemberSession.user_id == member.id,
                                        MemberSession.user_agent == "Safari on iPhone")).one()
    response = laptop.post(f"/auth/account/sessions/{phone_session.id}/end", follow_redirects=True)
    assert "signed out" in response.get_data(as_text=True)
    assert not signed_in(phone)
    phone.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert not signed_in(phone)  # its remember-me cookie went with it
    assert signed_in(laptop)


def test_nobody_ends_another_members_session(app, make_user):
    member, other = make_user(), make_user()
    victim = app.test_client()
    sign_in(victim, member)
    with app.app_context():
        row_id = db.session.scalars(select(MemberSession.id).where(MemberSession.user_id == member.id)).one()
    intruder = app.test_client()
    sign_in(intruder, other)
    assert intruder.post(f"/auth/account/sessions/{row_id}/end").status_code == 404
    assert signed_in(victim)


def test_sign_out_everywhere_ends_every_other_session_row(app, make_user):
    member = make_user()
    devices = [app.test_client() for _ in range(3)]
    for device in devices:
        sign_in(device, member, remember=True)
    copied = devices[1].get_cookie(app.config["REMEMBER_COOKIE_NAME"]).value
    devices[0].post("/auth/account/sign-out-everywhere")
    assert signed_in(devices[0])
    thief = app.test_client()
    thief.set_cookie(app.config["REMEMBER_COOKIE_NAME"], copied)
    assert not signed_in(thief)
    with app.app_context():
        live = db.session.scalars(select(MemberSession).where(MemberSession.user_id == member.id,
                                                              MemberSession.revoked_at.is_(None))).all()
    assert len(live) == 1


def test_a_session_row_records_activity_at_most_once_a_minute(app, make_user, count_queries):
    member = make_user()
    client = app.test_client()
    sign_in(client, member)
    with count_queries() as quiet:
        client.get("/auth/account")
    assert not any(q.lstrip().upper().startswith("UPDATE MEMBER_SESSION") for q in quiet)
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN_AT] = int(time.time()) - 61
    with count_queries() as touched:
        client.get("/auth/account")
    assert sum(q.lstrip().upper().startswith("UPDATE MEMBER_SESSION") for q in touched) == 1
