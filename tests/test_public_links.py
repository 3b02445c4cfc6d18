"""Every link that leaves the request (mails, CLI-queued mails, exports) is built from PUBLIC_URL, never
from the request's Host or X-Forwarded-Host: a forged header must not put an attacker's host in front
of a valid reset, confirmation or invitation token."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from network.extensions import db
from network.mail.models import EmailOutbox
from network.members.models import User
from network.mentorship.models import Mentorship
from network.notifications import services
from network.types import utcnow
from tests.conftest import outbox
from tests.test_data_export import read_export
from tests.test_programs import make_program

PUBLIC = "https://network.test"
ATTACKER = "attacker.example"
URL = re.compile(r"https?://[^\s\"'<>)]+")
PASSWORD = "a long enough passphrase 2026"

# A forged Host header straight to the app, and X-Forwarded-Host through a proxy that passes it on.
FORGERIES = {
    "host": ({"Host": ATTACKER}, {}),
    "x-forwarded-host": ({"X-Forwarded-Host": ATTACKER}, {"PROXY_COUNT": 1}),
}


@pytest.fixture(params=list(FORGERIES))
def forged(request, make_app):
    """``(app, headers)``: an app with PUBLIC_URL set and the forged headers to send it."""
    headers, config = FORGERIES[request.param]
    app = make_app(PUBLIC_URL=PUBLIC, RATELIMIT_ENABLED=False, **config)
    return app, headers


def links_of(mail) -> list[str]:
    found = URL.findall(mail.text_body) + URL.findall(mail.html_body)
    return found + ([mail.unsubscribe_url] if mail.unsubscribe_url else [])


def assert_only_public_links(mails, kind: str) -> None:
    mails = [m for m in mails if m.kind == kind]
    assert mails, f"no {kind} mail was queued"
    for mail in mails:
        links = links_of(mail)
        assert links, f"{kind} mail has no link"
        assert ATTACKER not in mail.text_body + mail.html_body + (mail.unsubscribe_url or "")
        for link in links:
            assert link.startswith(PUBLIC + "/"), (kind, link)


def _register(app, client, make_user, login, headers):
    client.post("/auth/register", headers=headers, data={
        "name": "Dr. Lee", "email": "dr.lee@hospital.org", "password": PASSWORD, "role": "alumni"})


def _resend_confirmation(app, client, make_user, login, headers):
    member = make_user(status="pending", confirmed=False)
    login(client, member)
    assert client.post("/auth/confirm/resend", headers=headers).status_code == 302


def _forgot_password(app, client, make_user, login, headers):
    member = make_user()
    assert client.post("/auth/reset", headers=headers, data={"email": member.email}).status_code == 302


def _reset_password(app, client, make_user, login, headers):
    from network.auth.tokens import make_reset_token
    from network.members.models import User

    member = make_user()
    with app.app_context():
        token = make_reset_token(db.session.get(User, member.id))
    response = client.post(f"/auth/reset/{token}", headers=headers, data={"password": PASSWORD + " new"})
    assert response.status_code == 302


def _invite(app, client, make_user, login, headers):
    setup = make_program(app, make_user)
    login(client, setup["director"])
    response = client.post(f"/cohorts/{setup['cohort']}/invitations", headers=headers,
                           data={"invite-emails": "new.fellow@example.org", "invite-role": "fellow"})
    assert response.status_code == 302


def _resend_invitation(app, client, make_user, login, headers):
    from network.cohorts.models import Invitation

    setup = make_program(app, make_user)
    login(client, setup["director"])
    client.post(f"/cohorts/{setup['cohort']}/invitations",
                data={"invite-emails": "new.fellow@example.org", "invite-role": "fellow"})
    with app.app_context():
        db.session.execute(delete(EmailOutbox))
        db.session.commit()
        invitation_id = db.session.scalar(select(Invitation.id))
    response = client.post(f"/cohorts/{setup['cohort']}/invitations/{invitation_id}/resend", headers=headers)
    assert response.status_code == 302


def _verify_member(app, client, make_user, login, headers):
    pending = make_user(status="pending")
    login(client, make_user(role="admin"))
    assert client.post(f"/admin/members/{pending.id}/verify", headers=headers).status_code == 302


def _reject_member(app, client, make_user, login, headers):
    pending = make_user(status="pending")
    login(client, make_user(role="admin"))
    response = client.post(f"/admin/members/{pending.id}/reject", headers=headers,
                           data={"reason": "We could not find you on a roster."})
    assert response.status_code == 302


def _message(app, client, make_user, login, headers):
    sender, recipient = make_user(), make_user(role="alumni")
    login(client, sender)
    response = client.post(f"/messages/new?to={recipient.id}", headers=headers,
                           data={"body": "Could we talk about my study?"})
    assert response.status_code == 302


MAILS_FROM_REQUESTS = [
    ("confirm-email", _register),
    ("confirm-email", _resend_confirmation),
    ("password-reset", _forgot_password),
    ("password-changed", _reset_password),
    ("cohort-invitation", _invite),
    ("cohort-invitation", _resend_invitation),
    ("member-verified", _verify_member),
    ("member-rejected", _reject_member),
    ("message-new", _message),
]


def signing_in(login):
    """``login`` whose session cookie also goes to the forged host (the test client files cookies by host)."""

    def sign_in(client, member):
        login(client, member)
        cookie = client.get_cookie("fn_session")
        client.set_cookie("fn_session", cookie.value, domain=ATTACKER)
        return client

    return sign_in


@pytest.mark.parametrize(("kind", "action"), MAILS_FROM_REQUESTS,
                         ids=[action.__name__.strip("_") for _, action in MAILS_FROM_REQUESTS])
def test_mails_queued_in_a_forged_request_link_to_the_public_url(forged, make_user, login, kind, action):
    app, headers = forged
    client = app.test_client()
    action(app, client, make_user, signing_in(login), headers)
    assert_only_public_links(outbox(app), kind)


def test_the_reset_link_mailed_over_smtp_names_the_public_host(make_app, make_user, smtp):
    """The attack as reported: a forged Host on the reset form, the mail as the victim receives it."""
    from network.mail.services import deliver_outbox

    app = make_app(PUBLIC_URL=PUBLIC)
    member = make_user()
    app.test_client().post("/auth/reset", data={"email": member.email}, headers={"Host": ATTACKER})
    with app.app_context():
        assert deliver_outbox()["sent"] == 1
    message = smtp.wait_for(lambda m: m["To"] == member.email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert ATTACKER not in message.as_string()
    assert re.search(re.escape(PUBLIC) + r"/auth/reset/[\w.-]+", text)


def test_mails_queued_by_cli_commands_link_to_the_public_url(make_app, make_user, login):
    """``flask reminders send`` and ``flask digest daily`` run with no request at all."""
    app = make_app(PUBLIC_URL=PUBLIC)
    mentor, mentee = make_user(role="alumni"), make_user()
    with app.app_context():
        db.session.add(Mentorship(mentor_id=mentor.id, mentee_id=mentee.id, type="research", cadence_days=30,
                                  started_at=utcnow() - timedelta(days=60)))
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert_only_public_links(outbox(app), "reminder-meeting")
    reader = make_user()
    login(app.test_client(), reader).post("/notifications/settings", data={"group_message": "daily"})
    with app.test_request_context(headers={"Host": ATTACKER}):
        services.notify_members([db.session.get(User, reader.id)], "message-new", "Dr. A wrote",
                                "/messages/", mail_subject="Dr. A wrote", mail_template="mentorship_event")
        db.session.commit()
    result = runner.invoke(args=["digest", "daily"])
    assert result.exit_code == 0 and "1 digest mail queued." in result.output
    assert_only_public_links(outbox(app), "daily-digest")


def test_the_data_export_links_to_the_public_url(forged, make_user, login):
    app, headers = forged
    member, saved = make_user(), make_user()
    client = signing_in(login)(app.test_client(), member)
    client.post(f"/members/{saved.id}/save")
    response = client.get("/members/me/export", headers=headers)
    assert response.status_code == 200
    data, page = read_export(response)
    assert ATTACKER not in json.dumps(data) + page
    for entry in data["saved_members"]:
        assert entry["profile"].startswith(PUBLIC + "/members/")


# -- network/urls.py on its own -------------------------------------------------------------------------

def _bare_app(public: str):
    from flask import Flask

    app = Flask("links")
    app.config["PUBLIC_URL"] = public
    app.add_url_rule("/auth/reset/<token>", "auth.reset_password", lambda token: "")
    return app


@pytest.mark.parametrize(("public", "expected"), [
    ("https://network.test", "https://network.test/auth/reset/abc"),
    ("https://network.test/", "https://network.test/auth/reset/abc"),
    ("https://network.test:8443/fellows", "https://network.test:8443/fellows/auth/reset/abc"),
])
def test_public_url_builds_on_the_configured_address_and_its_prefix(public, expected):
    from network.urls import absolute, public_url

    with _bare_app(public).test_request_context("/", headers={"Host": ATTACKER, "X-Forwarded-Host": ATTACKER}):
        assert public_url("auth.reset_password", token="abc") == expected
        assert absolute("/auth/reset/abc") == expected
        # A link already made absolute from the request keeps its path, not its host.
        assert absolute(f"http://{ATTACKER}/auth/reset/abc") == expected


@pytest.mark.parametrize("value", [None, "", "network.test", "ftp://network.test", "https://", "https://network.test?x=1",
                                   "https://network.test/#top", "https://u:p@network.test", "https://network.test:99999",
                                   "https://net work.test"])
def test_an_invalid_public_url_is_refused_with_a_reason(value):
    from network.urls import InvalidPublicURL, parse_public_url

    with pytest.raises(InvalidPublicURL, match="PUBLIC_URL"):
        parse_public_url(value)
