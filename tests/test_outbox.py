"""The outbox is written with the event, and ``flask outbox send`` delivers it to a real SMTP server."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from network.extensions import db
from network.mail.models import EmailOutbox, OutboxStatus
from network.mail.services import deliver_outbox
from network.types import utcnow
from tests.conftest import outbox
from tests.html_checks import check_page
from tests.servers import free_port


def register(client, email="dr.lee@hospital.org"):
    return client.post("/auth/register", data={"name": "Dr. Lee", "email": email,
                                                "password": "plexus block at dawn 42", "role": "alumni"})


def test_flask_outbox_send_delivers_text_and_html_with_a_working_link(app, runner, smtp):
    client = app.test_client()
    register(client)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    message = smtp.wait_for(lambda m: m["To"] == "dr.lee@hospital.org")
    assert message["Subject"] == "Confirm your email for Fellowship Network"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Confirm my email address" in html
    link = re.search(r"http://127\.0\.0\.1:5000(/auth/confirm/\S+)", text).group(1)
    assert client.get(link).status_code == 302
    [mail] = outbox(app)
    assert mail.status == OutboxStatus.SENT and mail.attempts == 1 and mail.sent_at is not None
    # Running again sends nothing twice.
    again = runner.invoke(args=["outbox", "send"])
    assert "sent 0" in again.output
    assert len(smtp.messages) == 1


def test_mail_is_not_written_when_the_event_is_not(app, make_user, smtp):
    make_user(email="dr.lee@hospital.org")
    register(app.test_client())  # the address is taken: no account, so no confirmation (its owner is told)
    assert [mail.kind for mail in outbox(app)] == ["registration-attempt"]


def test_unreachable_server_is_retried_with_back_off_then_marked_failed(make_app, smtp):
    app = make_app(MAIL_PORT=free_port(), OUTBOX_MAX_ATTEMPTS=3, OUTBOX_RETRY_BASE_SECONDS=60)
    register(app.test_client())
    with app.app_context():
        counts = deliver_outbox()
        assert counts == {"sent": 0, "retry": 1, "failed": 0}
        mail = db.session.scalars(select(EmailOutbox)).one()
        assert mail.status == OutboxStatus.PENDING and mail.attempts == 1
        first_delay = mail.next_attempt_at - utcnow()
        assert timedelta(seconds=50) < first_delay <= timedelta(seconds=60)
        assert "ConnectionRefusedError" in mail.last_error
        # Not due yet: nothing happens.
        assert deliver_outbox() == {"sent": 0, "retry": 0, "failed": 0}
        for expected in ({"sent": 0, "retry": 1, "failed": 0}, {"sent": 0, "retry": 0, "failed": 1}):
            db.session.execute(update(EmailOutbox).values(next_attempt_at=utcnow()))
            db.session.commit()
            assert deliver_outbox() == expected
        mail = db.session.scalars(select(EmailOutbox)).one()
        assert mail.status == OutboxStatus.FAILED and mail.attempts == 3
    assert smtp.messages == []


def test_a_failed_attempt_is_sent_when_the_server_is_back(make_app, smtp):
    app = make_app(MAIL_PORT=free_port())
    register(app.test_client())
    with app.app_context():
        assert deliver_outbox()["retry"] == 1
        app.config["MAIL_PORT"] = smtp.port
        db.session.execute(update(EmailOutbox).values(next_attempt_at=utcnow()))
        db.session.commit()
        assert deliver_outbox()["sent"] == 1
    assert smtp.wait_for()["To"] == "dr.lee@hospital.org"


def test_two_workers_never_send_the_same_mail(make_app, smtp):
    app = make_app(RATELIMIT_ENABLED=False)
    client = app.test_client()
    for n in range(12):
        register(client, email=f"dr.{n}@hospital.org")
        client.post("/auth/logout")
    results = []

    def worker():
        with app.app_context():
            results.append(deliver_outbox())
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(r["sent"] for r in results) == 12
    recipients = [m["To"] for m in smtp.messages]
    assert sorted(recipients) == sorted(f"dr.{n}@hospital.org" for n in range(12))


def test_development_prints_mail_to_the_log(make_app, caplog):
    app = make_app(MAIL_ECHO=True)
    with caplog.at_level("WARNING", logger="network.mail.services"):
        register(app.test_client())
    assert "Mail to dr.lee@hospital.org" in caplog.text
    assert "/auth/confirm/" in caplog.text


# -- the worker under failure: a stopped server, back-off, two workers at once, the loop, failed mails --------

def smtp_on_port(port: int):
    """An SMTP sink like the ``smtp`` fixture's, on a chosen port (so it can be "restarted" there)."""
    from aiosmtpd.controller import Controller

    from tests.servers import HOST, SmtpServer, _StoringHandler

    server = SmtpServer(None, port)
    controller = Controller(_StoringHandler(server), hostname=HOST, port=port, ready_timeout=10,
                            enable_SMTPUTF8=True)
    server._controller = controller
    controller.start()
    return server


def queue_mails(app, count: int) -> list[str]:
    from network.mail.services import queue_email

    recipients = [f"member{n}@hospital.org" for n in range(count)]
    with app.test_request_context():
        for n, recipient in enumerate(recipients):
            queue_email("discussion-reply", recipient, f"Reply number {n}", "mentorship_event",
                        user={"name": f"Dr. {n}"}, title=f"Reply number {n}", link="http://localhost/")
        db.session.commit()
    return recipients


def test_fifty_mails_survive_a_stopped_server_and_two_workers_send_each_exactly_once(make_app):
    port = free_port()
    smtp_on_port(port).stop()  # the mail server goes down
    app = make_app(MAIL_PORT=port, OUTBOX_MAX_ATTEMPTS=5, OUTBOX_RETRY_BASE_SECONDS=60)
    recipients = queue_mails(app, 50)
    with app.app_context():
        assert deliver_outbox(limit=100) == {"sent": 0, "retry": 50, "failed": 0}
    # Nothing lost: every mail is still there, pending, with its attempt counted and a later retry time.
    mails = outbox(app)
    assert len(mails) == 50
    assert {(m.status, m.attempts) for m in mails} == {(OutboxStatus.PENDING, 1)}
    assert all(m.next_attempt_at > utcnow() + timedelta(seconds=50) for m in mails)
    assert all("ConnectionRefusedError" in m.last_error for m in mails)
    server = smtp_on_port(port)  # back up, same address
    try:
        with app.app_context():
            assert deliver_outbox() == {"sent": 0, "retry": 0, "failed": 0}  # back-off: not due yet
            db.session.execute(update(EmailOutbox).values(next_attempt_at=utcnow()))
            db.session.commit()
        results = []
        start = threading.Barrier(2)

        def worker():
            with app.app_context():
                start.wait()
                sent = 0
                while True:  # small batches, so the two workers interleave their claims
                    counts = deliver_outbox(limit=4)
                    sent += counts["sent"]
                    if not any(counts.values()):
                        break
                results.append(sent)
                db.session.remove()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        received = server.messages
    finally:
        server.stop()
    assert sum(results) == 50 and len(results) == 2
    assert len(received) == 50
    assert sorted(m["To"] for m in received) == sorted(recipients)
    assert len({m["Message-ID"] for m in received}) == 50
    assert {(m.status, m.attempts) for m in outbox(app)} == {(OutboxStatus.SENT, 2)}


def test_the_worker_loop_keeps_polling_and_stops_cleanly_on_sigterm(make_app, database_url, smtp):
    import os
    import signal
    import subprocess
    import sys
    import time

    app = make_app()
    queue_mails(app, 3)
    env = dict(os.environ, FLASK_DEPLOYMENT="testing", FLASK_SQLALCHEMY_DATABASE_URI=database_url,
               FLASK_MAIL_SERVER=smtp.host, FLASK_MAIL_PORT=str(smtp.port), FLASK_APP="wsgi")
    env.pop("DATABASE_URL", None)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    worker = subprocess.Popen([sys.executable, "-m", "flask", "outbox", "send", "--loop", "--interval", "0.2"],
                              cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        smtp.wait_for(lambda m: m["To"] == "member2@hospital.org", timeout=30)
        time.sleep(0.5)
        with app.test_request_context():
            from network.mail.services import queue_email

            queue_email("discussion-reply", "late@hospital.org", "Later", "mentorship_event",
                        user={"name": "Dr. Late"}, title="Later", link="http://localhost/")
            db.session.commit()
        smtp.wait_for(lambda m: m["To"] == "late@hospital.org", timeout=15)  # still polling
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "outbox worker stopped: sent 4" in output
    assert len(smtp.messages) == 4


def test_admins_see_failed_mails_and_retry_them(make_app, make_user, login, smtp):
    from network.audit.models import AuditLog

    app = make_app(MAIL_PORT=free_port(), OUTBOX_MAX_ATTEMPTS=1)
    queue_mails(app, 1)
    with app.app_context():
        assert deliver_outbox()["failed"] == 1
    admin = login(app.test_client(), make_user(role="admin"))
    page = admin.get("/admin/outbox/")
    text = page.data.decode()
    assert page.status_code == 200 and "member0@hospital.org" in text and "ConnectionRefusedError" in text
    assert check_page(page.data) == []
    assert re.search(r'id="count-failed">1<', text)
    assert login(app.test_client(), make_user(role="alumni")).get("/admin/outbox/").status_code == 403
    [mail] = outbox(app)
    assert admin.post(f"/admin/outbox/{mail.id}/retry").status_code == 302
    assert admin.post(f"/admin/outbox/{mail.id}/retry").status_code == 409  # no longer failed
    [mail] = outbox(app)
    assert mail.status == OutboxStatus.PENDING and mail.attempts == 0
    with app.app_context():
        assert db.session.scalar(select(AuditLog.action).where(AuditLog.target_id == mail.id)) == "mail.retry"
        app.config["MAIL_PORT"] = smtp.port
        assert deliver_outbox()["sent"] == 1
    assert smtp.wait_for()["To"] == "member0@hospital.org"
    assert "No failed mails." in admin.get("/admin/outbox/").data.decode()


def test_a_stopping_worker_gives_its_untried_mails_back_to_the_queue(app, smtp):
    queue_mails(app, 5)
    tried = []

    def stop_after_two():
        tried.append(1)
        return len(tried) > 2

    with app.app_context():
        assert deliver_outbox(limit=10, should_stop=stop_after_two)["sent"] == 2
    mails = outbox(app)
    assert [m.status for m in mails] == [OutboxStatus.SENT] * 2 + [OutboxStatus.PENDING] * 3
    assert [m.attempts for m in mails] == [1, 1, 0, 0, 0] and all(m.claimed_until is None for m in mails[2:])
    with app.app_context():
        assert deliver_outbox()["sent"] == 3  # due at once, not after the claim expires
    assert len(smtp.messages) == 5


# -- one bad mail never stops the queue ---------------------------------------------------------------------

def add_raw_mail(app, recipient: str, subject: str, **fields) -> int:
    """An outbox row as any writer could leave it (bulk inserts, old rows): nothing cleaned on the way in."""
    with app.app_context():
        mail = EmailOutbox(kind="discussion-reply", recipient=recipient, subject=subject, text_body="Hello",
                           html_body="<p>Hello</p>", **fields)
        db.session.add(mail)
        db.session.commit()
        return mail.id


POISONED_SUBJECTS = {
    "crlf-bcc": "Reply in Thread\r\nBcc: attacker@evil.example",
    "lf": "Reply in\nThread",
    "line-separator": "Reply in\u2028Thread",
    "paragraph-separator": "Reply in\u2029Thread",
    "next-line": "Reply in\x85Thread",
    "vertical-tab": "Reply in\x0bThread",
}


@pytest.mark.parametrize("subject", list(POISONED_SUBJECTS.values()), ids=list(POISONED_SUBJECTS))
def test_a_line_break_in_a_subject_is_folded_and_the_next_mail_still_goes(app, smtp, subject):
    poisoned = add_raw_mail(app, "first@hospital.org", subject)
    add_raw_mail(app, "second@hospital.org", "Password reset")
    with app.app_context():
        assert deliver_outbox() == {"sent": 2, "retry": 0, "failed": 0}
    first = smtp.wait_for(lambda m: m["To"] == "first@hospital.org")
    smtp.wait_for(lambda m: m["To"] == "second@hospital.org")
    assert first["Bcc"] is None and "attacker@evil.example" not in first["To"]
    assert " ".join(first["Subject"].split()) == " ".join(subject.replace("\u2028", " ").replace("\u2029", " ")
                                                          .replace("\x85", " ").replace("\x0b", " ").split())
    assert all(m["To"] != "attacker@evil.example" for m in smtp.messages)
    with app.app_context():
        assert db.session.get(EmailOutbox, poisoned).status == OutboxStatus.SENT


@pytest.mark.parametrize("recipient", ["first@hospital.org\r\nBcc: attacker@evil.example", "not an address",
                                       "first@hospital.org, attacker@evil.example"],
                         ids=["crlf", "garbage", "two-addresses"])
def test_a_mail_that_cannot_be_built_is_marked_failed_with_its_error_and_the_queue_goes_on(app, smtp, recipient):
    bad = add_raw_mail(app, recipient, "Invitation")
    add_raw_mail(app, "second@hospital.org", "Password reset")
    with app.app_context():
        assert deliver_outbox() == {"sent": 1, "retry": 0, "failed": 1}
        mail = db.session.get(EmailOutbox, bad)
        assert mail.status == OutboxStatus.FAILED and mail.claimed_until is None
        assert "recipient" in mail.last_error
        assert deliver_outbox() == {"sent": 0, "retry": 0, "failed": 0}  # never claimed again
    assert [m["To"] for m in smtp.messages] == ["second@hospital.org"]


def test_the_worker_loop_survives_a_poisoned_mail(make_app, database_url, smtp):
    import os
    import signal
    import subprocess
    import sys

    app = make_app()
    add_raw_mail(app, "first@hospital.org\r\nBcc: attacker@evil.example", "Poisoned\r\nBcc: attacker@evil.example")
    add_raw_mail(app, "reset@hospital.org", "Reset your password\u2028now")
    env = dict(os.environ, FLASK_DEPLOYMENT="testing", FLASK_SQLALCHEMY_DATABASE_URI=database_url,
               FLASK_MAIL_SERVER=smtp.host, FLASK_MAIL_PORT=str(smtp.port), FLASK_APP="wsgi")
    env.pop("DATABASE_URL", None)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    worker = subprocess.Popen([sys.executable, "-m", "flask", "outbox", "send", "--loop", "--interval", "0.2"],
                              cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        smtp.wait_for(lambda m: m["To"] == "reset@hospital.org", timeout=30)
        add_raw_mail(app, "invited@hospital.org", "You are invited")
        smtp.wait_for(lambda m: m["To"] == "invited@hospital.org", timeout=15)  # still polling
        assert worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "outbox worker stopped: sent 2, to retry 0, failed 1" in output
    assert sorted(m["To"] for m in smtp.messages) == ["invited@hospital.org", "reset@hospital.org"]


def test_queue_email_stores_a_single_line_subject(app):
    from network.mail.services import queue_email

    with app.test_request_context():
        queue_email("discussion-reply", "member@hospital.org", "New reply in\r\nBcc: x@evil.example\u2028thread",
                    "mentorship_event", user={"name": "Dr. A"}, title="t", link="/")
        db.session.commit()
    [mail] = outbox(app)
    assert mail.subject == "New reply in Bcc: x@evil.example thread"
