"""Two-step sign-in: set-up with a local QR code, sign-in codes that work once, recovery codes, turning it off,
and the roles that must have it."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from network.audit.models import AuditLog
from network.auth.models import RecoveryCode, TwoFactor
from network.auth.sealing import SealError, seal, unseal
from network.extensions import db
from tests.html_checks import check_page

SETUP = "/auth/account/two-factor/setup"
STATUS = "/auth/account/two-factor"


def sign_in(client, member, remember=False):
    data = {"email": member.email, "password": member.password}
    if remember:
        data["remember"] = "y"
    return client.post("/auth/login", data=data)


def setup_key(page: bytes) -> str:
    match = re.search(rb'id="setup-key">([A-Z2-7 ]+)</code>', page)
    assert match, "the set-up page shows no key to type in"
    return match.group(1).decode().replace(" ", "")


def code_for(key: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(key).at(time.time() + 30 * steps_ahead)


def turn_on(client) -> tuple[str, list[str]]:
    """Set up two-step sign-in through the pages; the key and the recovery codes shown."""
    assert client.post(SETUP).headers["Location"] == SETUP
    key = setup_key(client.get(SETUP).data)
    response = client.post("/auth/account/two-factor/enable", data={"code": code_for(key)})
    assert response.status_code == 200
    codes = re.findall(rb"<li class=\"col\">([a-z0-9]{5}-[a-z0-9]{5})</li>", response.data)
    return key, [c.decode() for c in codes]


def audit_actions(app, user_id):
    with app.app_context():
        return [a.action for a in db.session.scalars(select(AuditLog).where(AuditLog.actor_id == user_id)
                                                     .order_by(AuditLog.id))]


def test_set_up_shows_a_local_qr_code_and_the_key_and_turns_on_only_with_a_right_code(app, make_user, login):
    member = make_user()
    client = login(app.test_client(), member)
    start = client.post(SETUP)
    assert start.status_code == 302
    page = client.get(SETUP)
    assert page.status_code == 200
    assert check_page(page.data) == []
    svg = re.search(rb"<svg[^>]*>.*?</svg>", page.data, re.DOTALL).group(0)
    assert b'role="img"' in svg and b"<path" in svg
    assert b"style=" not in svg and b"<script" not in svg.lower()
    assert b"http" not in svg.replace(b"http://www.w3.org/2000/svg", b""), "the QR code must not load anything"
    key = setup_key(page.data)
    assert len(key) == 32

    wrong_code = "000000" if code_for(key) != "000000" else "111111"
    wrong = client.post("/auth/account/two-factor/enable", data={"code": wrong_code})
    assert wrong.status_code == 400
    assert b"That code is not right" in wrong.data
    with app.app_context():
        assert db.session.get(TwoFactor, member.id).enabled_at is None

    assert check_page(client.get(STATUS).data) == []
    right = client.post("/auth/account/two-factor/enable", data={"code": code_for(key)})
    assert right.status_code == 200
    assert check_page(right.data) == []
    assert b"shown <strong>only this once</strong>" in right.data
    codes = re.findall(rb"<li class=\"col\">([a-z0-9]{5}-[a-z0-9]{5})</li>", right.data)
    assert len(codes) == len(set(codes)) == 10
    with app.app_context():
        row = db.session.get(TwoFactor, member.id)
        assert row.enabled_at is not None
        assert key not in row.secret_sealed, "the secret is stored encrypted"
        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == member.id)).all()
        assert len(stored) == 10 and not {c.decode() for c in codes} & set(stored)
    # The key is never shown again once it is on.
    assert client.get(SETUP).headers["Location"] == STATUS
    status_page = client.get(STATUS)
    assert key.encode() not in status_page.data
    assert check_page(status_page.data) == []
    assert re.search(rb"10 unused recovery\s+codes", status_page.data)
    assert "two-factor.enable" in audit_actions(app, member.id)


def test_turning_it_on_signs_out_every_other_device(app, make_user, login):
    member = make_user()
    other_device = login(app.test_client(), member)
    assert other_device.get("/auth/account").status_code == 200
    client = login(app.test_client(), member)
    turn_on(client)
    assert client.get("/auth/account").status_code == 200
    assert other_device.get("/auth/account").headers["Location"].startswith("/auth/login")


def test_sign_in_asks_for_the_code_and_a_code_works_only_once(app, make_user, login):
    member = make_user()
    key, _ = turn_on(login(app.test_client(), member))

    client = app.test_client()
    first = sign_in(client, member)
    assert first.headers["Location"] == "/auth/login/code"
    # The password alone signs nobody in.
    assert client.get("/auth/account").headers["Location"].startswith("/auth/login")
    assert sign_in(client, member).headers["Location"] == "/auth/login/code"
    page = client.get("/auth/login/code")
    assert page.status_code == 200 and check_page(page.data) == []
    assert client.post("/auth/login/code", data={"code": "12345"}).status_code == 400
    # The code of the set-up's time step is used up; the next step's code (clock drift) is accepted once.
    code = code_for(key, steps_ahead=1)
    done = client.post("/auth/login/code", data={"code": code})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/auth/account").status_code == 200

    replay = app.test_client()
    assert sign_in(replay, member).headers["Location"] == "/auth/login/code"
    refused = replay.post("/auth/login/code", data={"code": code})
    assert refused.status_code == 400
    assert b"already used" in refused.data
    assert replay.get("/auth/account").headers["Location"].startswith("/auth/login")


def test_codes_from_too_long_ago_are_refused(app, make_user):
    from network.auth import two_factor
    from network.members.models import User

    member = make_user()
    with app.test_request_context():
        user = db.session.get(User, member.id)
        two_factor.start_enrolment(user)
        secret = two_factor.pending_secret(user.id)
        now = time.time()
        two_factor.enable(user, pyotp.TOTP(secret).at(now), now=now)
        with pytest.raises(two_factor.CodeRefused):
            two_factor.verify(user, pyotp.TOTP(secret).at(now - 90), now=now)
        assert two_factor.verify(user, pyotp.TOTP(secret).at(now + 30), now=now) == "app"
        db.session.rollback()


def test_a_recovery_code_signs_in_once_and_is_audited(app, make_user, login):
    member = make_user()
    _, codes = turn_on(login(app.test_client(), member))
    client = app.test_client()
    sign_in(client, member)
    used = client.post("/auth/login/code", data={"code": codes[3].upper()}, follow_redirects=True)
    assert used.status_code == 200
    assert b"9 left" in used.data
    assert "two-factor.recovery-code-used" in audit_actions(app, member.id)

    again = app.test_client()
    sign_in(again, member)
    assert again.post("/auth/login/code", data={"code": codes[3]}).status_code == 400
    assert again.get("/auth/account").headers["Location"].startswith("/auth/login")


def test_the_wait_for_a_code_runs_out(make_app, make_user, login):
    app = make_app(TWO_FACTOR_PENDING_SECONDS=1)
    member = make_user()
    _, codes = turn_on(login(app.test_client(), member))
    client = app.test_client()
    sign_in(client, member)
    time.sleep(2.1)
    late = client.post("/auth/login/code", data={"code": codes[0]})
    assert late.headers["Location"] == "/auth/login"
    assert client.get("/auth/account").headers["Location"].startswith("/auth/login")


def test_code_step_is_rate_limited(make_app, make_user, login):
    app = make_app(TWO_FACTOR_RATE_LIMIT="3 per minute")
    member = make_user()
    turn_on(login(app.test_client(), member))
    statuses = []
    for _ in range(4):
        # A new address each time does not help: the limit also counts per member.
        client = app.test_client()
        sign_in(client, member)
        statuses.append(client.post("/auth/login/code", data={"code": "000001"},
                                    environ_base={"REMOTE_ADDR": f"10.0.0.{len(statuses) + 1}"}).status_code)
    assert statuses == [400, 400, 400, 429]


def test_turning_it_off_needs_the_password_and_a_code(app, make_user, login):
    member = make_user()
    client = login(app.test_client(), member)
    _, codes = turn_on(client)
    wrong = client.post("/auth/account/two-factor/disable",
                        data={"disable-password": "not my password", "disable-code": codes[0]})
    assert wrong.status_code == 400 and b"not your current password" in wrong.data
    no_code = client.post("/auth/account/two-factor/disable",
                          data={"disable-password": member.password, "disable-code": "000000"})
    assert no_code.status_code == 400
    with app.app_context():
        assert db.session.get(TwoFactor, member.id).enabled_at is not None
    off = client.post("/auth/account/two-factor/disable",
                      data={"disable-password": member.password, "disable-code": codes[1]})
    assert off.headers["Location"] == STATUS
    with app.app_context():
        assert db.session.get(TwoFactor, member.id) is None
        assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == member.id)).all() == []
    assert "two-factor.disable" in audit_actions(app, member.id)
    # Signing in needs only the password again.
    fresh = app.test_client()
    assert sign_in(fresh, member).headers["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones(app, make_user, login):
    member = make_user()
    client = login(app.test_client(), member)
    _, old = turn_on(client)
    response = client.post("/auth/account/two-factor/recovery-codes",
                           data={"codes-password": member.password, "codes-code": old[0]})
    assert response.status_code == 200
    new = re.findall(rb"<li class=\"col\">([a-z0-9]{5}-[a-z0-9]{5})</li>", response.data)
    assert len(new) == 10 and b"old codes no longer work" in response.data
    other = app.test_client()
    sign_in(other, member)
    assert other.post("/auth/login/code", data={"code": old[5]}).status_code == 400
    assert other.post("/auth/login/code", data={"code": new[5].decode()}).status_code == 302


@pytest.fixture
def strict_app(make_app):
    return make_app(TWO_FACTOR_REQUIRED_ROLES=("admin", "faculty"))


@pytest.mark.parametrize("role", ["faculty", "admin"])
def test_required_roles_reach_nothing_but_the_set_up_until_it_is_on(strict_app, make_user, role):
    app = strict_app
    member = make_user(role=role)
    client = app.test_client()
    assert sign_in(client, member).headers["Location"] == "/"
    for page in ("/", "/auth/account", "/members/", "/discussions/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.headers["Location"] == STATUS, page
    notice = client.get(STATUS)
    assert b"you need two-step" in notice.data
    assert client.post("/auth/account/sign-out-everywhere").status_code == 403
    turn_on(client)
    assert client.get("/").status_code == 200
    assert client.get("/auth/account").status_code == 200


def test_a_pending_faculty_member_is_asked_once_admitted(strict_app, make_user, login):
    member = make_user(role="faculty", status="pending")
    client = login(strict_app.test_client(), member)
    assert client.get("/").headers["Location"] == "/pending"
    with strict_app.app_context():
        from network.members.models import MemberStatus, User

        db.session.get(User, member.id).status = MemberStatus.VERIFIED
        db.session.commit()
    assert client.get("/").headers["Location"] == STATUS


def test_members_of_other_roles_are_not_asked(strict_app, make_user):
    member = make_user(role="fellow")
    client = strict_app.test_client()
    sign_in(client, member)
    assert client.get("/auth/account").status_code == 200


def test_a_required_member_who_turns_it_off_must_set_it_up_again(strict_app, make_user):
    app = strict_app
    member = make_user(role="faculty")
    client = app.test_client()
    sign_in(client, member)
    _, codes = turn_on(client)
    client.post("/auth/account/two-factor/disable",
                data={"disable-password": member.password, "disable-code": codes[0]})
    assert client.get("/").headers["Location"] == STATUS


def test_development_and_testing_do_not_require_it(app):
    assert tuple(app.config["TWO_FACTOR_REQUIRED_ROLES"]) == ()


def test_production_requires_it_for_admins_and_faculty():
    from network.config import Config

    assert set(Config.TWO_FACTOR_REQUIRED_ROLES) == {"admin", "faculty"}


def test_sealed_secrets_need_the_same_key_and_resist_tampering():
    sealed = seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "key-one" * 6, "two-factor-secret")
    assert "JBSWY3DP" not in sealed
    assert unseal(sealed, "key-one" * 6, "two-factor-secret") == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert seal("same", "k" * 40, "p") != seal("same", "k" * 40, "p"), "a fresh nonce every time"
    with pytest.raises(SealError):
        unseal(sealed, "key-two" * 6, "two-factor-secret")
    version, nonce, body, tag = sealed.split(".")
    # Change the first character: every bit of it is ciphertext (the last one may be padding only).
    flipped = ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(SealError):
        unseal(f"{version}.{nonce}.{flipped}.{tag}", "key-one" * 6, "two-factor-secret")


def test_an_operator_can_reset_a_member_who_lost_phone_and_codes(app, make_user, login, runner):
    member = make_user()
    phone = login(app.test_client(), member)
    turn_on(phone)
    result = runner.invoke(args=["reset-two-factor", member.email.upper()])
    assert result.exit_code == 0, result.output
    assert "is off" in result.output
    with app.app_context():
        assert db.session.get(TwoFactor, member.id) is None
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "two-factor.reset")).one()
        assert entry.actor_id is None and entry.target_id == member.id
    assert phone.get("/auth/account").headers["Location"].startswith("/auth/login")
    assert sign_in(app.test_client(), member).headers["Location"] == "/"
    assert "nothing to reset" in runner.invoke(args=["reset-two-factor", member.email]).output
    assert runner.invoke(args=["reset-two-factor", "nobody@example.org"]).exit_code != 0


def test_the_requirement_costs_no_query_once_the_session_passed_it(strict_app, make_app, make_user):
    """The same page for two faculty members, one under the requirement (with their code) and one on an app
    that does not ask it of faculty: the same queries."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    app, lenient = strict_app, make_app()
    faculty, colleague = make_user(role="faculty"), make_user(role="faculty")
    with_code, without = app.test_client(), lenient.test_client()
    sign_in(with_code, faculty)
    turn_on(with_code)
    sign_in(without, colleague)
    counts = []
    for client in (with_code, without):
        client.get("/auth/account")  # warm up (the first request of a session records last_seen)
        queries = []

        def count(*args, queries=queries):
            queries.append(args[2])

        event.listen(Engine, "before_cursor_execute", count)
        try:
            assert client.get("/auth/account").status_code == 200
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        counts.append(len(queries))
    assert counts[0] == counts[1] > 0
