"""The outbox page: failed mails and mails waiting to be sent pile up."""

from __future__ import annotations

from sqlalchemy import insert

from network.extensions import db


def populate(app, people, named, count):
    from network.mail.models import EmailOutbox
    from network.types import utcnow

    with app.app_context():
        now = utcnow()
        db.session.execute(insert(EmailOutbox), [
            {"kind": "discussion-reply", "recipient": f"failed{n}@example.org", "subject": "A reply",
             "text_body": "t", "html_body": "<p>h</p>", "status": "failed", "attempts": 6,
             "next_attempt_at": now, "last_error": "ConnectionRefusedError", "created_at": now}
            for n in range(count)])
        db.session.execute(insert(EmailOutbox), [
            {"kind": "discussion-reply", "recipient": f"waiting{n}@example.org", "subject": "A reply",
             "text_body": "t", "html_body": "<p>h</p>", "status": "pending", "attempts": 0,
             "next_attempt_at": now, "created_at": now}
            for n in range(count)])
        db.session.commit()
