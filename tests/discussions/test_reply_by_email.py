"""Reply by email through the real SMTP tier: a notification mail goes out through the outbox to the test
SMTP server carrying the member's reply address; the reply is sent with ``smtplib`` to ``flask mail listen``'s
server (or piped to ``flask mail receive``), and what a member would notice is checked: the post in the
thread, or the answer in their mailbox saying why not."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import select

from network.admin.services import deactivate
from network.audit.models import AuditLog
from network.discussions.email_replies.addresses import address_for
from network.discussions.email_replies.listener import start_listener
from network.discussions.email_replies.models import ReplyAddress
from network.discussions.models import Post, SubscriptionLevel, Thread
from network.discussions.services import posting
from network.discussions.services.subscriptions import set_subscription
from network.extensions import db
from network.mail.services import deliver_outbox
from network.members.models import User
from network.profiles.services import delete_account
from network.types import utcnow
from tests.conftest import outbox
from tests.discussions.conftest import page_text
from tests.html_checks import check_page
from tests.servers import HOST, free_port

ROOT = Path(__file__).resolve().parents[2]

DOMAIN = "replies.example.org"
NEW_TEXT = "I use 22G spinal needles at L4-L5, with a 10 mm active tip."


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False, REPLY_EMAIL_DOMAIN=DOMAIN)


@pytest.fixture
def listener(app):
    """``flask mail listen``'s SMTP server on a free port: (host, port)."""
    port = free_port()
    controller = start_listener(app, HOST, port)
    yield HOST, port
    controller.stop()


@pytest.fixture
def notified(app, smtp, make_user, make_category, make_thread):
    """An alumna's thread, a fellow's reply, and the notification mail the alumna got through SMTP:
    ``(alumna, thread id, her reply address, the mail)``."""
    alumna, fellow = make_user(role="alumni", name="Dana Reyes"), make_user()
    category_id, _slug = make_category()
    thread_id, _posts = make_thread(category_id, alumna.id, title="Genicular nerve ablation")
    with app.test_request_context():
        posting.reply(db.session.get(User, fellow.id), db.session.get(Thread, thread_id), "Which needle do you use?")
        db.session.commit()
    mail = _deliver_and_wait(app, smtp, alumna.email, "New reply")
    return alumna, thread_id, mail["Reply-To"], mail


def _deliver_and_wait(app, smtp, recipient: str, subject_part: str):
    with app.app_context():
        deliver_outbox()
    return smtp.wait_for(lambda m: m["To"] == recipient and subject_part in str(m["Subject"]))


def _reply(sender: str, to: str, body: str, **headers) -> EmailMessage:
    """A reply as Gmail writes it: the new text, a signature, then the quoted original."""
    message = EmailMessage()
    message["From"] = f"Dana Reyes <{sender}>"
    message["To"] = to
    message["Subject"] = "Re: New reply in “Genicular nerve ablation”"
    message["Message-ID"] = make_msgid(domain="mail.example.org")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(f"{body}\n\n-- \nDana Reyes, MD\nPain Medicine\n\n"
                        "On Thu, Dec 3, 2026 at 9:14 AM Fellowship Network <no-reply@fellowship.example.org> wrote:\n"
                        "> Hello Dana Reyes,\n>\n> Which needle do you use?\n>\n"
                        "> Read and reply: https://network.example.org/discussions/p/2\n")
    return message


def _send(listener, message: EmailMessage, recipient: str) -> None:
    host, port = listener
    with smtplib.SMTP(host, port, timeout=60) as client:
        client.send_message(message, to_addrs=[recipient])


def _posts(app, thread_id: int) -> list[tuple[int, str, bool]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Post.author_id, Post.body, Post.held).where(Post.thread_id == thread_id).order_by(Post.id))]


def _answers(app) -> list:
    return outbox(app, "reply-by-email")


def test_a_reply_through_smtp_posts_only_the_new_text_as_the_member(app, smtp, listener, notified, client, login):
    alumna, thread_id, address, mail = notified
    assert address.startswith("reply+") and address.endswith("@" + DOMAIN)
    assert "replying to this mail" in mail.get_body(("plain",)).get_content()
    _send(listener, _reply(alumna.email, address, NEW_TEXT), address)
    author_id, body, held = _posts(app, thread_id)[-1]
    assert (author_id, body, held) == (alumna.id, NEW_TEXT, False)
    page = page_text(login(client, alumna).get(f"/discussions/t/{thread_id}"))
    assert NEW_TEXT in page and "Dana Reyes, MD" not in page and "Which needle do you use?" in page
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "post.by-email"))
        assert entry.actor_id == alumna.id and NEW_TEXT not in str(entry.details)
    assert _answers(app) == []  # a posted reply is not answered


def test_the_same_message_twice_posts_once(app, listener, notified):
    alumna, thread_id, address, _mail = notified
    message = _reply(alumna.email, address, NEW_TEXT)
    _send(listener, message, address)
    _send(listener, message, address)
    assert [body for _a, body, _h in _posts(app, thread_id)].count(NEW_TEXT) == 1


def test_a_reply_to_a_locked_thread_is_refused_by_mail(app, smtp, listener, notified):
    alumna, thread_id, address, _mail = notified
    with app.app_context():
        db.session.get(Thread, thread_id).locked = True
        db.session.commit()
    before = _posts(app, thread_id)
    _send(listener, _reply(alumna.email, address, NEW_TEXT), address)
    assert _posts(app, thread_id) == before
    answer = _deliver_and_wait(app, smtp, alumna.email, "not posted")
    text = answer.get_body(("plain",)).get_content()
    assert "The thread is locked: it takes no more replies." in text and "Nothing was posted." in text
    assert answer["Auto-Submitted"] == "auto-replied" and answer["Reply-To"] is None
    assert NEW_TEXT not in text  # the answer never carries the reply's text


@pytest.mark.parametrize("recipient", [
    "forged", f"reply+1-{'a' * 32}@{DOMAIN}", f"someone@{DOMAIN}", "someone@elsewhere.example.org"])
def test_forged_and_foreign_addresses_are_refused_at_rcpt(app, listener, notified, recipient):
    alumna, thread_id, address, _mail = notified
    if recipient == "forged":  # the right shape and row, a signature changed by one character
        local, _, domain = address.partition("@")
        recipient = local[:-1] + ("a" if local[-1] != "a" else "b") + "@" + domain
    before = _posts(app, thread_id)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        _send(listener, _reply(alumna.email, recipient, NEW_TEXT), recipient)
    assert _posts(app, thread_id) == before and _answers(app) == []


def test_an_expired_address_is_refused_and_the_member_told(app, smtp, listener, notified):
    alumna, thread_id, address, _mail = notified
    with app.app_context():
        row = db.session.scalar(select(ReplyAddress).where(ReplyAddress.user_id == alumna.id))
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    before = _posts(app, thread_id)
    _send(listener, _reply(alumna.email, address, NEW_TEXT), address)
    assert _posts(app, thread_id) == before
    text = _deliver_and_wait(app, smtp, alumna.email, "not posted").get_body(("plain",)).get_content()
    assert "This reply address no longer works: it expired" in text


def test_flask_mail_receive_posts_a_piped_message(app, runner, notified):
    alumna, thread_id, address, _mail = notified
    raw = _reply(alumna.email, address, "Piped through the mail server.").as_bytes()
    result = runner.invoke(args=["mail", "receive", "--recipient", address], input=raw)
    assert result.exit_code == 0 and "posted" in result.output
    # Without --recipient the address is read from the message's headers.
    raw = _reply(alumna.email, address, "A second one, found by its To header.").as_bytes()
    assert "posted" in runner.invoke(args=["mail", "receive"], input=raw).output
    assert [body for _a, body, _h in _posts(app, thread_id)][-2:] == [
        "Piped through the mail server.", "A second one, found by its To header."]


def test_a_reply_with_patient_identifiers_is_held_not_posted(app, smtp, listener, notified, make_user, login):
    alumna, thread_id, address, _mail = notified
    _send(listener, _reply(alumna.email, address, "Her DOB 03/14/1962, MRN 48213377: same approach?"), address)
    author_id, _body, held = _posts(app, thread_id)[-1]
    assert (author_id, held) == (alumna.id, True)
    other = login(app.test_client(), make_user())
    assert "48213377" not in page_text(other.get(f"/discussions/t/{thread_id}"))
    text = _deliver_and_wait(app, smtp, alumna.email, "held for review").get_body(("plain",)).get_content()
    assert "a moderator will review it" in text and "48213377" not in text


def test_weaker_identifiers_need_the_page_to_confirm(app, smtp, listener, notified):
    alumna, thread_id, address, _mail = notified
    before = _posts(app, thread_id)
    _send(listener, _reply(alumna.email, address, "Call her at 617-555-0134 about the block."), address)
    assert _posts(app, thread_id) == before
    text = _deliver_and_wait(app, smtp, alumna.email, "not posted").get_body(("plain",)).get_content()
    assert "may identify a patient (phone number)" in text and "617-555-0134" not in text


def test_a_deactivated_member_is_refused_without_an_answer(app, listener, notified, make_user):
    alumna, thread_id, address, _mail = notified
    admin = make_user(role="admin")
    with app.test_request_context():
        deactivate(db.session.get(User, alumna.id), db.session.get(User, admin.id))
        db.session.commit()
    before = _posts(app, thread_id)
    _send(listener, _reply(alumna.email, address, NEW_TEXT), address)
    assert _posts(app, thread_id) == before and _answers(app) == []


def test_an_auto_reply_is_never_answered(app, listener, notified):
    alumna, thread_id, address, _mail = notified
    with app.app_context():
        db.session.get(Thread, thread_id).locked = True  # a refusal would be answered, were it a person
        db.session.commit()
    before = _posts(app, thread_id)
    _send(listener, _reply(alumna.email, address, "I am out of the office until Monday.",
                           Auto_Submitted="auto-replied"), address)
    vacation = _reply(alumna.email, address, "Out of office", Precedence="auto_reply")
    _send(listener, vacation, address)
    bounce = _reply("MAILER-DAEMON@mail.example.org", address, "Delivery failed")
    _send(listener, bounce, address)
    assert _posts(app, thread_id) == before and _answers(app) == []


def test_another_sender_an_empty_reply_and_a_long_one_are_answered(app, smtp, listener, notified):
    alumna, thread_id, address, _mail = notified
    before = _posts(app, thread_id)
    _send(listener, _reply("colleague@example.org", address, "Forwarded to me; my answer."), address)
    _send(listener, _reply(alumna.email, address, ""), address)
    _send(listener, _reply(alumna.email, address, "x " * 10_001), address)
    assert _posts(app, thread_id) == before
    with app.app_context():
        deliver_outbox()
    texts = [m.get_body(("plain",)).get_content() for m in smtp.messages if "not posted" in str(m["Subject"])]
    assert len(texts) == 3
    assert "another address than your account's" in texts[0]
    assert "We found no text of yours in the mail" in texts[1]
    assert "a post can have at most 20,000" in texts[2]


def test_the_posting_rate_limit_holds_by_mail(make_app, smtp, make_user, make_category, make_thread):
    app = make_app(REPLY_EMAIL_DOMAIN=DOMAIN, POST_RATE_LIMIT="1 per minute")
    alumna = make_user(role="alumni")
    category_id, _slug = make_category()
    thread_id, _posts_ids = make_thread(category_id, alumna.id)
    with app.test_request_context():
        address = address_for(db.session.get(User, alumna.id), thread_id)
        db.session.commit()
    runner = app.test_cli_runner()
    outputs = [runner.invoke(args=["mail", "receive"], input=_reply(alumna.email, address, f"Reply {n}").as_bytes())
               .output for n in range(2)]
    assert outputs == ["posted: ok\n", "refused: rate-limited\n"]
    text = _deliver_and_wait(app, smtp, alumna.email, "not posted").get_body(("plain",)).get_content()
    assert "faster than the network allows" in text


def test_unfollowing_the_thread_and_the_account_page_stop_the_addresses(app, smtp, listener, notified, client, login,
                                                                        make_user):
    alumna, thread_id, address, _mail = notified
    with app.app_context():
        set_subscription(db.session.get(User, alumna.id), db.session.get(Thread, thread_id), SubscriptionLevel.MUTE)
        db.session.commit()
    _send(listener, _reply(alumna.email, address, NEW_TEXT), address)
    assert "expired" in _deliver_and_wait(app, smtp, alumna.email, "not posted").get_body(("plain",)).get_content()
    # Following it again and being notified gives a new address; the old one stays dead.
    login(client, alumna)
    client.post(f"/discussions/t/{thread_id}/subscription", data={"level": "watch"})
    fellow = make_user()
    with app.test_request_context():
        posting.reply(db.session.get(User, fellow.id), db.session.get(Thread, thread_id), "Another question.")
        db.session.commit()
    smtp.clear()
    new_address = _deliver_and_wait(app, smtp, alumna.email, "New reply")["Reply-To"]
    assert new_address != address
    # The account page stops them all: the address dies, and the next mail carries none.
    page = client.get("/auth/account")
    assert check_page(page.data) == [] and "Stop replies by email" in page_text(page)
    response = client.post("/discussions/reply-by-email", data={"action": "stop"}, follow_redirects=True)
    assert "Replies by email are stopped" in page_text(response)
    assert "Turn replies by email back on" in page_text(response)
    before = _posts(app, thread_id)
    _send(listener, _reply(alumna.email, new_address, NEW_TEXT), new_address)
    assert _posts(app, thread_id) == before
    with app.test_request_context():
        posting.reply(db.session.get(User, fellow.id), db.session.get(Thread, thread_id), "A third question.")
        db.session.commit()
    smtp.clear()
    mail = _deliver_and_wait(app, smtp, alumna.email, "New reply")
    assert mail["Reply-To"] is None and "replying to this mail" not in mail.get_body(("plain",)).get_content()
    assert client.post("/discussions/reply-by-email", data={"action": "later"}).status_code == 400
    client.post("/discussions/reply-by-email", data={"action": "resume"})
    assert "Stop replies by email" in page_text(client.get("/auth/account"))


def test_without_a_reply_domain_mails_carry_no_reply_address(make_app, smtp, make_user, make_category, make_thread):
    app = make_app(RATELIMIT_ENABLED=False)
    alumna, fellow = make_user(role="alumni"), make_user()
    category_id, _slug = make_category()
    thread_id, _posts_ids = make_thread(category_id, alumna.id)
    with app.test_request_context():
        posting.reply(db.session.get(User, fellow.id), db.session.get(Thread, thread_id), "Which needle?")
        db.session.commit()
    mail = _deliver_and_wait(app, smtp, alumna.email, "New reply")
    assert mail["Reply-To"] is None and "replying to this mail" not in mail.get_body(("plain",)).get_content()
    result = app.test_cli_runner().invoke(args=["mail", "receive"], input=b"From: x@example.org\n\nhello\n")
    assert result.exit_code == 1 and "Reply by email is off" in result.output


def test_a_deleted_account_takes_its_addresses_with_it(app, listener, notified):
    alumna, thread_id, address, _mail = notified
    with app.test_request_context():
        delete_account(db.session.get(User, alumna.id))
        db.session.commit()
        assert db.session.scalars(select(ReplyAddress).where(ReplyAddress.user_id == alumna.id)).all() == []
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        _send(listener, _reply(alumna.email, address, NEW_TEXT), address)


def test_the_flask_mail_listen_command_takes_a_reply(app, database_url, notified):
    """The command itself, as a service runs it: a process of its own, stopped by SIGTERM."""
    alumna, thread_id, address, _mail = notified
    port = free_port()
    env = {**os.environ, "FLASK_APP": "wsgi.py", "FLASK_DEPLOYMENT": "testing", "FLASK_RATELIMIT_ENABLED": "false",
           "FLASK_SQLALCHEMY_DATABASE_URI": database_url, "FLASK_REPLY_EMAIL_DOMAIN": DOMAIN}
    process = subprocess.Popen([sys.executable, "-m", "flask", "mail", "listen", "--port", str(port)], env=env,
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "Listening on 127.0.0.1:" in process.stdout.readline()
        _send((HOST, port), _reply(alumna.email, address, "Through the command."), address)
    finally:
        process.send_signal(signal.SIGTERM)
        output, errors = process.communicate(timeout=120)  # (a loaded CI machine starts the app slowly)
    assert process.returncode == 0 and "Listener stopped." in output, errors
    assert _posts(app, thread_id)[-1][:2] == (alumna.id, "Through the command.")
