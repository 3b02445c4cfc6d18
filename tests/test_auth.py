"""Accounts: registration, confirmation, sign in, passwords and sessions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.members.models import MemberStatus, User
from tests.conftest import DEFAULT_PASSWORD, outbox

GOOD_PASSWORD = "plexus block at dawn 42"


def register(client, **overrides):
    data = {"name": "Dr. Ana Silva", "email": "ana.silva@hospital.org", "password": GOOD_PASSWORD, "role": "fellow"}
    data.update(overrides)
    return client.post("/auth/register", data=data)


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def link_from(mail, path: str) -> str:
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s\"<]+)", mail.text_body)
    assert match, mail.text_body
    return match.group(1)


def test_register_creates_pending_member_and_queues_confirmation(app, client):
    response = register(client, email="  Ana.Silva@Hospital.ORG ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert user.email == "ana.silva@hospital.org"
        assert user.status == MemberStatus.PENDING
        assert user.password_hash != GOOD_PASSWORD
    [mail] = outbox(app, "confirm-email")
    assert mail.recipient == "ana.silva@hospital.org"
    assert "/auth/confirm/" in mail.text_body and "/auth/confirm/" in mail.html_body
    client.post("/auth/login", data={"email": "ana.silva@hospital.org", "password": GOOD_PASSWORD})
    page = client.get("/pending")
    assert b"waiting for verification" in page.data


def _registration_answer(client, email):
    """What a visitor sees after registering: the response, the page it leads to, the cookies it leaves."""
    response = register(client, email=email)
    with client.session_transaction() as session:  # (the cookie's bytes hold a timestamp; its contents)
        kept = dict(session)
    cookies = sorted(header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie"))
    page = client.get(response.headers["Location"]) if response.status_code == 302 else response
    return response.status_code, response.headers.get("Location"), cookies, kept, page.get_data(as_text=True)


@pytest.mark.parametrize("email", ["ana.silva@hospital.org", "ANA.SILVA@HOSPITAL.ORG", " Ana.Silva@hospital.org"])
def test_registering_a_taken_address_answers_as_for_a_new_one_and_mails_the_owner(app, make_user, email):
    owner = make_user(email="ana.silva@hospital.org")
    new_answer = _registration_answer(app.test_client(), "someone.new@hospital.org")
    taken_answer = _registration_answer(app.test_client(), email)
    assert taken_answer == new_answer
    assert new_answer[0] == 302
    assert "already exists" not in taken_answer[-1]
    assert user_count(app) == 2  # the owner and the new address; nobody was made for the taken one
    [mail] = outbox(app, "registration-attempt")
    assert mail.recipient == owner.email
    assert "tried to create an account with this address" in mail.text_body
    assert "/auth/reset" in mail.text_body and "/auth/reset" in mail.html_body
    assert [m.recipient for m in outbox(app, "confirm-email")] == ["someone.new@hospital.org"]
    with app.app_context():
        assert db.session.get(User, owner.id).check_password(owner.password)  # nothing about it changed


def test_no_account_answer_says_409(app, make_user):
    make_user(email="ana.silva@hospital.org")
    for response in (register(app.test_client(), email="ana.silva@hospital.org"),
                     register(app.test_client(), email="ana.silva@hospital.org", password="short")):
        assert response.status_code != 409


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", b"at least 12 characters"),
        ("1q2w3e4r5t6y", b"most common"),
        ("qwertyuiop123", b"most common"),
        ("x" * 257, b"at most 256 characters"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(app, client, password, message):
    response = register(client, password=password)
    assert response.status_code == 400
    assert message in response.data
    assert user_count(app) == 0


def test_long_passphrases_and_no_composition_rules(app, client):
    passphrase = "plexus block at dawn and the night shift ends with coffee by the window " * 2
    response = register(client, password=passphrase[:128])  # 128 characters, lower case and spaces only
    assert response.status_code == 302
    assert user_count(app) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, b"Enter an email address"),
        ({"name": ""}, b"Enter your name"),
        ({"name": "n" * 121}, b"at most 120"),
        ({"role": "admin"}, b"Not a valid choice"),
        ({"role": ""}, b"Choose the role"),
    ],
)
def test_bad_registration_input_gets_a_message_next_to_the_field(app, client, overrides, message):
    response = register(client, **overrides)
    assert response.status_code == 400
    assert message in response.data
    assert b'aria-invalid="true"' in response.data
    assert user_count(app) == 0


def test_oversized_form_is_refused_with_413(app, client):
    response = register(client, name="x" * (300 * 1024))
    assert response.status_code == 413
    assert b"too large" in response.data
    assert user_count(app) == 0


def test_confirmation_link_confirms_once(app, client):
    register(client)
    link = link_from(outbox(app, "confirm-email")[0], "/auth/confirm/")
    response = client.get(link)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(User)).one().email_confirmed_at is not None
    again = client.get(link, follow_redirects=True)
    assert b"already confirmed" in again.data


def test_tampered_and_expired_confirmation_links_are_refused(app, client):
    register(client)
    link = link_from(outbox(app, "confirm-email")[0], "/auth/confirm/")
    tampered = client.get(link[:-3] + "abc")
    assert tampered.status_code == 400
    assert b"not valid" in tampered.data
    app.config["EMAIL_CONFIRM_MAX_AGE"] = -1
    expired = client.get(link)
    assert expired.status_code == 400
    assert b"expired" in expired.data
    with app.app_context():
        assert db.session.scalars(select(User)).one().email_confirmed_at is None


def test_sign_in_and_out(app, make_user):
    member = make_user()
    client = app.test_client()
    response = client.post("/auth/login", data={"email": member.email.upper(), "password": member.password})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert member.name.encode() in home.data
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/auth/account").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(app, make_user):
    member = make_user()
    client = app.test_client()
    wrong = client.post("/auth/login", data={"email": member.email, "password": "not the password at all"})
    unknown = client.post("/auth/login", data={"email": "nobody@example.org", "password": "not the password at all"})
    assert wrong.status_code == unknown.status_code == 400
    message = b"That email and password do not match an account"
    assert message in wrong.data and message in unknown.data
    assert client.get("/auth/account").status_code == 302  # not signed in


def test_rejected_member_cannot_sign_in(app, make_user):
    member = make_user(status="rejected")
    response = app.test_client().post("/auth/login", data={"email": member.email, "password": member.password})
    assert response.status_code == 403
    assert b"not admitted" in response.data


def test_remember_me_sets_a_long_lived_cookie(app, make_user):
    member = make_user()
    client = app.test_client()
    client.post("/auth/login", data={"email": member.email, "password": member.password, "remember": "y"})
    cookie = client.get_cookie("fn_remember")
    assert cookie is not None and cookie.http_only and cookie.expires is not None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_next_only_goes_to_this_site(app, make_user, target):
    member = make_user()
    response = app.test_client().post("/auth/login", query_string={"next": target},
                                      data={"email": member.email, "password": member.password})
    assert response.headers["Location"] == "/"


def test_next_returns_to_the_page_asked_for(app, make_user):
    member = make_user()
    client = app.test_client()
    first = client.get("/auth/account")
    assert first.headers["Location"].startswith("/auth/login?next=")
    response = client.post(first.headers["Location"], data={"email": member.email, "password": member.password})
    assert response.headers["Location"] == "/auth/account"


def test_sign_in_is_rate_limited_with_a_429_page(app, make_user):
    member = make_user()
    client = app.test_client()
    codes = [client.post("/auth/login", data={"email": member.email, "password": "wrong password!!"}).status_code
             for _ in range(11)]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429
    last = client.post("/auth/login", data={"email": member.email, "password": member.password})
    assert last.status_code == 429
    assert b"Too many attempts" in last.data
    assert 0 < int(last.headers["Retry-After"]) <= 60


def test_a_429_says_when_the_breached_limit_ends(make_app, make_user):
    app = make_app(LOGIN_RATE_LIMIT="2 per hour")
    member = make_user()
    client = app.test_client()
    codes = [client.post("/auth/login", data={"email": member.email, "password": "wrong password!!"}).status_code
             for _ in range(3)]
    assert codes == [400, 400, 429]
    refused = client.post("/auth/login", data={"email": member.email, "password": member.password})
    assert refused.status_code == 429
    assert 3000 < int(refused.headers["Retry-After"]) <= 3600  # the hour's window, not a stock minute


def test_reset_answers_the_same_for_known_and_unknown_addresses(app, make_user):
    member = make_user()
    client = app.test_client()
    known = client.post("/auth/reset", data={"email": member.email}, follow_redirects=True)
    unknown = client.post("/auth/reset", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert known.data.replace(member.email.encode(), b"") == unknown.data.replace(b"nobody@example.org", b"")
    assert [m.recipient for m in outbox(app, "password-reset")] == [member.email]


def test_reset_is_rate_limited(app):
    client = app.test_client()
    codes = [client.post("/auth/reset", data={"email": f"x{i}@example.org"}).status_code for i in range(6)]
    assert codes[-1] == 429


def test_reset_link_works_once_and_ends_other_sessions(app, make_user, login):
    member = make_user()
    other_device = login(app.test_client(), member)
    assert other_device.get("/auth/account").status_code == 200
    client = app.test_client()
    client.post("/auth/reset", data={"email": member.email})
    link = link_from(outbox(app, "password-reset")[0], "/auth/reset/")
    assert client.get(link).status_code == 200
    weak = client.post(link, data={"password": "short"})
    assert weak.status_code == 400
    response = client.post(link, data={"password": GOOD_PASSWORD})
    assert response.status_code == 302
    reused = client.post(link, data={"password": "another fine passphrase"})
    assert reused.status_code == 400
    assert b"already been used" in reused.data
    assert other_device.get("/auth/account").status_code == 302  # signed out
    old = client.post("/auth/login", data={"email": member.email, "password": member.password})
    assert old.status_code == 400
    new = client.post("/auth/login", data={"email": member.email, "password": GOOD_PASSWORD})
    assert new.status_code == 302
    assert [m.kind for m in outbox(app)] == ["password-reset", "password-changed"]


def test_expired_reset_link_is_refused(app, make_user):
    member = make_user()
    client = app.test_client()
    client.post("/auth/reset", data={"email": member.email})
    link = link_from(outbox(app, "password-reset")[0], "/auth/reset/")
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.post(link, data={"password": GOOD_PASSWORD})
    assert response.status_code == 400
    assert b"expired" in response.data
    with app.app_context():
        assert db.session.get(User, member.id).check_password(DEFAULT_PASSWORD)


def test_change_password_keeps_this_session_and_ends_the_others(app, make_user, login):
    member = make_user()
    this_device = app.test_client()
    this_device.post("/auth/login", data={"email": member.email, "password": member.password, "remember": "y"})
    other_device = app.test_client()
    other_device.post("/auth/login", data={"email": member.email, "password": member.password, "remember": "y"})
    wrong = this_device.post("/auth/account/password",
                             data={"current_password": "nope nope nope", "password": GOOD_PASSWORD})
    assert wrong.status_code == 400
    assert b"not your current password" in wrong.data
    response = this_device.post("/auth/account/password",
                                data={"current_password": member.password, "password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert this_device.get("/auth/account").status_code == 200
    # The other device's session and its remember-me cookie both stopped working.
    assert other_device.get("/auth/account").status_code == 302
    other_device.delete_cookie("fn_session")
    assert other_device.get("/auth/account").status_code == 302


def test_sign_out_everywhere(app, make_user):
    member = make_user()
    devices = [app.test_client() for _ in range(3)]
    for device in devices:
        device.post("/auth/login", data={"email": member.email, "password": member.password, "remember": "y"})
    response = devices[0].post("/auth/account/sign-out-everywhere")
    assert response.status_code == 302
    assert devices[0].get("/auth/account").status_code == 200
    assert [d.get("/auth/account").status_code for d in devices[1:]] == [302, 302]


def test_resend_confirmation(app, make_user, login):
    member = make_user(status="pending", confirmed=False)
    client = login(app.test_client(), member)
    response = client.post("/auth/confirm/resend", follow_redirects=True)
    assert b"We sent a new confirmation link" in response.data
    assert [m.recipient for m in outbox(app, "confirm-email")] == [member.email]


# -- every action that checks a password or a code again is rate-limited, per member and per address --

def _start_two_factor_setup(client):
    client.post("/auth/account/two-factor/setup")


def _turn_two_factor_on(client):
    from tests.test_two_factor import turn_on

    turn_on(client)


REAUTH_ACTIONS = {
    "change password": (None, "/auth/account/password",
                        {"current_password": "not my password at all", "password": GOOD_PASSWORD}),
    "delete account": (None, "/members/me/delete", {"password": "not my password at all"}),
    "two-step set-up": (_start_two_factor_setup, "/auth/account/two-factor/enable", {"code": "000000"}),
    "two-step off": (_turn_two_factor_on, "/auth/account/two-factor/disable",
                     {"disable-password": "not my password at all", "disable-code": "abcde-fghjk"}),
    "new recovery codes": (_turn_two_factor_on, "/auth/account/two-factor/recovery-codes",
                           {"codes-password": "not my password at all", "codes-code": "abcde-fghjk"}),
}


@pytest.mark.parametrize("action", sorted(REAUTH_ACTIONS))
def test_guessing_a_password_or_code_again_is_limited_per_member(make_app, make_user, login, action):
    prepare, path, data = REAUTH_ACTIONS[action]
    app = make_app(REAUTH_RATE_LIMIT="3 per minute")
    member = make_user()
    client = login(app.test_client(), member)
    if prepare:
        prepare(client)
    # A new address for each guess does not help: the limit also counts per member.
    statuses = [client.post(path, data=data, environ_base={"REMOTE_ADDR": f"10.0.1.{n}"}).status_code
                for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    refused = client.post(path, data=data, environ_base={"REMOTE_ADDR": "10.0.1.9"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_guessing_passwords_of_many_members_from_one_address_is_limited(make_app, make_user, login):
    app = make_app(REAUTH_RATE_LIMIT="3 per minute")
    statuses = []
    for _ in range(4):
        client = login(app.test_client(), make_user())
        statuses.append(client.post("/members/me/delete", data={"password": "not my password at all"}).status_code)
    assert statuses == [400, 400, 400, 429]


# -- the password rule, on every form (and command) that sets a password --

def _set_by_registering(app, make_user, login, password):
    response = register(app.test_client(), name="Dr. Ana Silva", email="ana.silva@hospital.org", password=password)
    return response.status_code == 302, response.get_data(as_text=True), ("ana.silva@hospital.org", "Dr. Ana Silva")


def _set_by_reset_link(app, make_user, login, password):
    member = make_user()
    client = app.test_client()
    client.post("/auth/reset", data={"email": member.email})
    link = link_from(outbox(app, "password-reset")[-1], "/auth/reset/")
    response = client.post(link, data={"password": password})
    return response.status_code == 302, response.get_data(as_text=True), (member.email, member.name)


def _set_by_changing(app, make_user, login, password):
    member = make_user()
    client = login(app.test_client(), member)
    response = client.post("/auth/account/password", data={"current_password": member.password, "password": password})
    return response.status_code == 302, response.get_data(as_text=True), (member.email, member.name)


def _set_by_invitation(app, make_user, login, password):
    from tests.test_invitations import invite, link_for
    from tests.test_programs import make_program

    invite(app, login, make_program(app, make_user), "new.fellow@example.org")
    response = app.test_client().post(link_for(app, "new.fellow@example.org"),
                                      data={"name": "Dr. New Fellow", "password": password})
    return response.status_code == 302, response.get_data(as_text=True), ("new.fellow@example.org", "Dr. New Fellow")


def _set_by_create_admin(app, make_user, login, password):
    result = app.test_cli_runner().invoke(args=["create-admin", "chief@example.org", "--name", "Chief Admin",
                                                "--password", password])
    return result.exit_code == 0, result.output, ("chief@example.org", "Chief Admin")


PASSWORD_SETTERS = {"register": _set_by_registering, "reset link": _set_by_reset_link, "change": _set_by_changing,
                    "invitation sign-up": _set_by_invitation, "create-admin": _set_by_create_admin}
WEAK_PASSWORDS = {
    "one character repeated": (lambda email, name: "aaaaaaaaaaaa", "repeats a character"),
    "a run of digits": (lambda email, name: "123456789012", "a run of neighbouring"),
    "common with digits": (lambda email, name: "password1234", "most common"),
    "the email address": (lambda email, name: email, "your name or email address"),
    "the name and a year": (lambda email, name: f"{name} 2025", "your name or email address"),
}


@pytest.mark.parametrize("weak", sorted(WEAK_PASSWORDS))
@pytest.mark.parametrize("setter", sorted(PASSWORD_SETTERS))
def test_every_password_form_refuses_guessable_passwords_with_a_reason(app, make_user, login, setter, weak):
    make_password, reason = WEAK_PASSWORDS[weak]
    # The account's address and name, as each setter makes them (make_user's first fellow for the others).
    email, name = {"register": ("ana.silva@hospital.org", "Dr. Ana Silva"),
                   "invitation sign-up": ("new.fellow@example.org", "Dr. New Fellow"),
                   "create-admin": ("chief@example.org", "Chief Admin"),
                   }.get(setter, ("fellow1@example.org", "Test Fellow 1"))
    accepted, text, account = PASSWORD_SETTERS[setter](app, make_user, login, make_password(email, name))
    assert account == (email, name)
    assert not accepted
    assert reason in text


@pytest.mark.parametrize("setter", sorted(PASSWORD_SETTERS))
def test_every_password_form_accepts_a_decent_passphrase(app, make_user, login, setter):
    accepted, text, _ = PASSWORD_SETTERS[setter](app, make_user, login, GOOD_PASSWORD)
    assert accepted, text


@pytest.mark.parametrize("password", ["abcabcabcabc", "zyxwvutsrqpo", "qwertzuiop12", "aaaa1234bbbb", "iloveyou!!!!",
                                      "passwordpassword", "1111222233334444", "asdfghjkl;'#"])
def test_the_password_rule_refuses_predictable_shapes(password):
    from network.auth.passwords import password_problem

    assert password_problem(password) is not None


@pytest.mark.parametrize("password", ["correct horse battery staple", "Tr0ub4dor&3xyz", "kx8Qm2Lp9Zw4",
                                      "silva plexus at dawn", "nerve blocks before breakfast"])
def test_the_password_rule_accepts_unpredictable_ones_even_with_a_name_word(password):
    from network.auth.passwords import password_problem

    assert password_problem(password, ("Dr. Ana Silva", "ana.silva@hospital.org")) is None
