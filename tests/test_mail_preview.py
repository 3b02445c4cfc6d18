"""Mail in development and the outbox preview (issue #18, item 13): every queued mail is also a readable
``.eml`` file in ``instance/mail/`` (each mail of a batch invitation too, none from a rolled-back request),
listed for administrators at "Mail preview" (development only); and any waiting or failed mail of the
outbox can be previewed by an administrator, with members' tokens hidden and nothing rendered as markup."""

from __future__ import annotations

import os
import re
from email import message_from_bytes, policy

import pytest
from sqlalchemy import update

from network.config import DevelopmentConfig, TestingConfig
from network.extensions import db
from network.mail.models import EmailOutbox, OutboxStatus
from network.mail.services import queue_email
from tests.conftest import outbox, sign_in_session
from tests.test_invitations import invite
from tests.test_programs import make_program

SCRIPT = "<script>alert('mail')</script>"


@pytest.fixture
def preview_app(make_app, tmp_path):
    return make_app(MAIL_PREVIEW=True, MAIL_PREVIEW_DIR=str(tmp_path / "mail"))


def eml_files(app) -> list[str]:
    folder = app.config["MAIL_PREVIEW_DIR"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def read_eml(app, name: str):
    with open(os.path.join(app.config["MAIL_PREVIEW_DIR"], name), "rb") as file:
        return message_from_bytes(file.read(), policy=policy.default)


def test_development_writes_mail_files_and_tests_and_production_do_not():
    assert DevelopmentConfig.MAIL_PREVIEW is True
    assert TestingConfig.MAIL_PREVIEW is False


def test_every_mail_of_a_batch_invitation_is_written_as_a_readable_eml(preview_app, make_user, login):
    setup = make_program(preview_app, make_user)
    emails = [f"new{n}@example.org" for n in range(5)]
    assert invite(preview_app, login, setup, "\n".join(emails)).status_code == 302
    files = eml_files(preview_app)
    assert len(files) == 5 and all(name.endswith("-cohort-invitation.eml") for name in files)
    messages = [read_eml(preview_app, name) for name in files]
    assert sorted(str(m["To"]) for m in messages) == emails
    links = {m.recipient: re.search(r"/invitations/[\w-]+", m.text_body).group(0)
             for m in outbox(preview_app, "cohort-invitation")}
    for message in messages:  # each file is that person's own mail, with their own link
        assert message["Subject"].startswith("You are invited to Class of 2027")
        text = message.get_body(("plain",)).get_content()
        assert links[str(message["To"])] in text
        assert message.get_body(("html",)) is not None


def test_a_single_mail_is_written_when_its_transaction_commits_and_not_when_it_rolls_back(preview_app):
    with preview_app.test_request_context():
        queue_email("password-changed", "rolled@example.org", "Rolled back", "password_changed",
                    user=None, name="Dr. Rolled")
        db.session.rollback()
        assert eml_files(preview_app) == []
        queue_email("password-changed", "kept@example.org", "Your password was changed", "password_changed",
                    user=None, name="Dr. Kept")
        assert eml_files(preview_app) == []  # not before the commit
        db.session.commit()
    [name] = eml_files(preview_app)
    message = read_eml(preview_app, name)
    assert str(message["To"]) == "kept@example.org" and "Fellowship Network" in str(message["From"])
    assert message["Subject"] == "Your password was changed" and message["Date"]


def _queue(app, recipient: str, subject: str) -> None:
    with app.test_request_context():
        queue_email("password-changed", recipient, subject, "password_changed", user=None, name=SCRIPT)
        db.session.commit()


def test_admins_list_and_read_the_written_mails_newest_first_as_text(preview_app, make_user, login):
    _queue(preview_app, "first@example.org", "The first mail")
    _queue(preview_app, "second@example.org", f"Second {SCRIPT}")
    admin = login(preview_app.test_client(), make_user(role="admin"))
    listing = admin.get("/admin/outbox/preview/")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert page.index("second@example.org") < page.index("first@example.org")
    assert SCRIPT not in page and "&lt;script&gt;" in page
    assert "Mail preview" in admin.get("/admin/outbox/").get_data(as_text=True)  # reachable from the outbox
    newest = eml_files(preview_app)[-1]
    shown = admin.get(f"/admin/outbox/preview/{newest}")
    assert shown.status_code == 200
    body = shown.get_data(as_text=True)
    assert "second@example.org" in body and "Text version" in body and "HTML version" in body
    assert "<script>" not in body.replace('<script src="', "")  # the mail's words are never markup
    for bad in ("../../etc/passwd", "nothing.eml", newest.replace(".eml", ".txt")):
        assert admin.get(f"/admin/outbox/preview/{bad}").status_code == 404


def test_only_admins_see_the_mail_preview(preview_app, make_user, login):
    _queue(preview_app, "someone@example.org", "Hello")
    name = eml_files(preview_app)[0]
    for role in ("fellow", "faculty", "alumni"):
        client = login(preview_app.test_client(), make_user(role=role))
        assert client.get("/admin/outbox/preview/").status_code == 403, role
        assert client.get(f"/admin/outbox/preview/{name}").status_code == 403, role
    assert preview_app.test_client().get("/admin/outbox/preview/").status_code == 302  # to sign in


@pytest.mark.parametrize("deployment", ["testing", "production"])
def test_the_mail_preview_is_not_there_outside_development(make_app, make_user, tmp_path, deployment):
    app = make_app(MAIL_PREVIEW=deployment == "production", MAIL_PREVIEW_DIR=str(tmp_path / "mail"))
    admin = make_user(role="admin")
    client = app.test_client()
    sign_in_session(client, app, admin)
    app.config["DEPLOYMENT"] = deployment  # production never, whatever MAIL_PREVIEW says
    with app.test_request_context():
        queue_email("password-changed", "x@example.org", "Hello", "password_changed", user=None, name="X")
        db.session.commit()
    assert eml_files(app) == []
    assert client.get("/admin/outbox/preview/").status_code == 404
    assert "Mail preview" not in client.get("/admin/outbox/").get_data(as_text=True)


# -- the outbox ---------------------------------------------------------------------------------------


def test_admins_preview_waiting_and_failed_mails_with_tokens_hidden(app, make_user, login, runner):
    member = make_user(email="reset.me@example.org")
    app.test_client().post("/auth/reset", data={"email": member.email})
    _queue(app, "failing@example.org", f"Failing {SCRIPT}")
    mails = outbox(app)
    reset = next(m for m in mails if m.kind == "password-reset")
    failing = next(m for m in mails if m.recipient == "failing@example.org")
    token_link = re.search(r"/auth/reset/([\w.-]+)", reset.text_body)
    assert token_link, reset.text_body
    with app.app_context():
        db.session.execute(update(EmailOutbox).where(EmailOutbox.id == failing.id)
                           .values(status=OutboxStatus.FAILED, attempts=6, last_error="SMTPRecipientsRefused"))
        db.session.commit()
    admin = login(app.test_client(), make_user(role="admin"))
    page = admin.get("/admin/outbox/").get_data(as_text=True)
    assert f'href="/admin/outbox/{reset.id}"' in page and f'href="/admin/outbox/{failing.id}"' in page
    shown = admin.get(f"/admin/outbox/{reset.id}")
    assert shown.status_code == 200
    body = shown.get_data(as_text=True)
    assert "reset.me@example.org" in body and reset.subject in body and "Text version" in body
    assert token_link.group(1) not in body and "/auth/reset/[hidden]" in body
    failed = admin.get(f"/admin/outbox/{failing.id}").get_data(as_text=True)
    assert "SMTPRecipientsRefused" in failed and "Retry this mail" in failed
    assert SCRIPT not in failed and "&lt;script&gt;" in failed
    assert admin.get("/admin/outbox/999999").status_code == 404
    for role in ("fellow", "faculty", "alumni"):
        client = login(app.test_client(), make_user(role=role))
        assert client.get(f"/admin/outbox/{reset.id}").status_code == 403, role


def test_the_outbox_page_costs_the_same_queries_with_many_mails(app, make_user, login, count_queries):
    admin = login(app.test_client(), make_user(role="admin"))
    counts = []
    for batch in (2, 30):
        for n in range(batch):
            _queue(app, f"m{batch}.{n}@example.org", f"Mail {n}")
        admin.get("/admin/outbox/")
        with count_queries() as statements:
            page = admin.get("/admin/outbox/")
        assert page.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
