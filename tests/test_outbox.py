"""The outbox is written with the event, and ``flask outbox send`` delivers it to a real SMTP server."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from sqlalchemy import select, update

from network.extensions import db
from network.mail.models import EmailOutbox, OutboxStatus
from network.mail.services import deliver_outbox
from network.types import utcnow
from tests.conftest import outbox
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
    link = re.search(r"https?://localhost(/auth/confirm/\S+)", text).group(1)
    assert client.get(link).status_code == 302
    [mail] = outbox(app)
    assert mail.status == OutboxStatus.SENT and mail.attempts == 1 and mail.sent_at is not None
    # Running again sends nothing twice.
    again = runner.invoke(args=["outbox", "send"])
    assert "sent 0" in again.output
    assert len(smtp.messages) == 1


def test_mail_is_not_written_when_the_event_is_not(app, make_user, smtp):
    make_user(email="dr.lee@hospital.org")
    register(app.test_client())  # duplicate: refused, so no mail either
    assert outbox(app) == []


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
