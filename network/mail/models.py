"""The outbox: a mail is a row written in the same transaction as the event that causes it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.types import enum_column, intpk, utc_now


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


class EmailOutbox(db.Model):
    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(48))  # "confirm-email", "password-reset", ...
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus, "outbox_status", length=16),
                                                 default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[utc_now]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[utc_now]
    sent_at: Mapped[datetime | None]
    # The signed one-click unsubscribe address for this mail's kind (None for account mails).
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    # The member's signed reply address for a thread (``Reply-To``): answering the mail posts a reply.
    reply_to: Mapped[str | None] = mapped_column(String(254))

    def __repr__(self) -> str:
        return f"<EmailOutbox {self.id} {self.kind} {self.status}>"
