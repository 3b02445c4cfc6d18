"""Queue mail in the outbox and deliver it over SMTP."""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid

from flask import current_app, render_template
from sqlalchemy import func, or_, select, update

from network.extensions import db
from network.mail.models import EmailOutbox, OutboxStatus
from network.mail.preview import keep as keep_preview
from network.notifications.unsubscribe import unsubscribe_path
from network.text.lines import has_line_break, single_line
from network.types import utcnow
from network.urls import absolute

log = logging.getLogger(__name__)

#: How long a worker may hold a claimed mail before another may take it over.
CLAIM_SECONDS = 300
#: Kinds that answer a mail (reply by email's answers): marked ``Auto-Submitted: auto-replied`` (RFC 3834),
#: so no well-behaved mail program answers them in turn.
AUTO_REPLY_KINDS = frozenset({"reply-by-email"})


def queue_email(kind: str, recipient: str, subject: str, template: str, *, reply_to: str | None = None,
                **context) -> EmailOutbox:
    """Add a mail to the outbox in the current transaction.

    ``template`` names a pair ``mail/<template>.txt`` and ``mail/<template>.html``. Every mail but the
    account ones gets a signed one-click unsubscribe link for its kind (an area's own ``unsubscribe``
    address, if it passes one, is used instead). ``reply_to`` (a member's reply address for a thread)
    becomes the ``Reply-To`` header, and the templates see it to say that replying works.
    """
    subject = single_line(subject)  # a name or title with a line break must not split the header
    context.setdefault("subject", subject)
    context["reply_to"] = reply_to
    unsubscribe_url = context.get("unsubscribe")
    if unsubscribe_url is None:
        member_id = getattr(context.get("user"), "id", None)
        path = unsubscribe_path(member_id if isinstance(member_id, int) else recipient, kind)
        unsubscribe_url = absolute(path) if path else None
        context["unsubscribe_url"] = unsubscribe_url
    text_body = render_template(f"mail/{template}.txt", **context)
    if context.get("unsubscribe_url"):
        text_body = text_body.rstrip("\n") + f"\n\nStop these emails: {unsubscribe_url}\n"
    mail = EmailOutbox(
        kind=kind,
        recipient=recipient,
        subject=subject,
        text_body=text_body,
        html_body=render_template(f"mail/{template}.html", **context),
        unsubscribe_url=unsubscribe_url,
        reply_to=reply_to,
    )
    db.session.add(mail)
    keep_preview(db.session, kind, recipient, subject, mail.text_body, mail.html_body)
    if current_app.config["MAIL_ECHO"]:
        # Development has no mail server: the console is the inbox (and instance/mail/, the mail preview).
        log.warning("Mail to %s: %s\n%s", recipient, subject, mail.text_body)
    return mail


class UnbuildableMail(ValueError):
    """The outbox row cannot become a mail (its recipient is not one address): retrying will not help."""


def build_message(mail: EmailOutbox, sender: str) -> EmailMessage:
    """The MIME message for an outbox row: a plain-text part and an HTML alternative.

    Every header value is folded onto one line here, whoever wrote the row: a line break in a subject
    (a member's name, a thread title) would otherwise add headers or make ``email`` refuse the mail."""
    message = EmailMessage()
    message["From"] = single_line(sender)
    message["To"] = _one_recipient(mail.recipient)
    message["Subject"] = single_line(mail.subject)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}", domain="fellowship.network")
    if mail.reply_to:
        message["Reply-To"] = _one_recipient(mail.reply_to)
    if mail.kind in AUTO_REPLY_KINDS:
        message["Auto-Submitted"] = "auto-replied"
    if mail.unsubscribe_url:
        # RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" to the address.
        message["List-Unsubscribe"] = f"<{single_line(mail.unsubscribe_url)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


def _one_recipient(recipient: str) -> str:
    """The row's recipient, refused unless it is exactly one address. Never folded like a subject: a
    recipient with a line break and a "Bcc:" after it would still name a second person."""
    addresses = getaddresses([recipient]) if not has_line_break(recipient) else []
    if len(addresses) != 1 or "@" not in addresses[0][1] or addresses[0][1] != recipient.strip():
        raise UnbuildableMail(f"the recipient {recipient[:100]!r} is not one email address")
    return recipient.strip()


def _claim_due(limit: int) -> list[int]:
    """Claim up to ``limit`` due mails for this worker; returns their ids.

    Each claim is a conditional UPDATE, so two workers never take the same mail.
    """
    now = utcnow()
    candidates = db.session.scalars(
        select(EmailOutbox.id)
        .where(
            or_(
                (EmailOutbox.status == OutboxStatus.PENDING) & (EmailOutbox.next_attempt_at <= now),
                (EmailOutbox.status == OutboxStatus.SENDING) & (EmailOutbox.claimed_until < now),
            )
        )
        .order_by(EmailOutbox.next_attempt_at, EmailOutbox.id)
        .limit(limit)
    ).all()
    claimed = []
    for mail_id in candidates:
        result = db.session.execute(
            update(EmailOutbox)
            .where(
                EmailOutbox.id == mail_id,
                or_(
                    EmailOutbox.status == OutboxStatus.PENDING,
                    (EmailOutbox.status == OutboxStatus.SENDING) & (EmailOutbox.claimed_until < now),
                ),
            )
            .values(status=OutboxStatus.SENDING, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        )
        db.session.commit()
        if result.rowcount == 1:
            claimed.append(mail_id)
    return claimed


def _release(ids: list[int]) -> None:
    """Give claimed mails back to the queue untried (no attempt counted)."""
    db.session.execute(update(EmailOutbox)
                       .where(EmailOutbox.id.in_(ids), EmailOutbox.status == OutboxStatus.SENDING)
                       .values(status=OutboxStatus.PENDING, claimed_until=None))
    db.session.commit()


def _smtp_connection(config) -> smtplib.SMTP:
    cls = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    smtp = cls(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    if config["MAIL_USE_TLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def deliver_outbox(limit: int = 100, should_stop=None) -> dict[str, int]:
    """Send the due mails; returns counts of sent, retried and failed.

    A mail that cannot be sent is retried with exponential back-off and marked
    failed after ``OUTBOX_MAX_ATTEMPTS`` attempts. When ``should_stop()`` turns true (the
    worker got SIGTERM), the claimed mails not yet tried go back to the queue at once.
    """
    config = current_app.config
    counts = {"sent": 0, "retry": 0, "failed": 0}
    ids = _claim_due(limit)
    if not ids:
        return counts
    smtp = None
    connect_error: Exception | None = None
    if config["MAIL_SERVER"]:
        try:
            smtp = _smtp_connection(config)
        except (OSError, smtplib.SMTPException) as exc:
            connect_error = exc
    for position, mail_id in enumerate(ids):
        if should_stop is not None and should_stop():
            _release(ids[position:])
            break
        mail = db.session.get(EmailOutbox, mail_id)
        mail.attempts += 1
        try:
            message = build_message(mail, config["MAIL_DEFAULT_SENDER"])
            if connect_error is not None:
                raise connect_error
            if smtp is None:
                log.warning("No MAIL_SERVER configured; mail %s to %s logged only:\n%s",
                            mail.id, mail.recipient, mail.text_body)
            else:
                smtp.send_message(message)
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            mail.claimed_until = None
            if mail.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
                mail.status = OutboxStatus.FAILED
                counts["failed"] += 1
                log.error("mail %s to %s failed for good: %s", mail.id, mail.recipient, mail.last_error)
            else:
                delay = config["OUTBOX_RETRY_BASE_SECONDS"] * 2 ** (mail.attempts - 1)
                mail.status = OutboxStatus.PENDING
                mail.next_attempt_at = utcnow() + timedelta(seconds=delay)
                counts["retry"] += 1
                log.warning("mail %s to %s will be retried in %ss: %s", mail.id, mail.recipient,
                            delay, mail.last_error)
        except Exception as exc:  # this mail cannot be built or sent; the queue goes on
            # Not a passing fault of the server: retrying would fail the same way, first in the queue each
            # time. Mark it failed (an administrator sees it on the outbox page) and go on.
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            mail.claimed_until = None
            mail.status = OutboxStatus.FAILED
            counts["failed"] += 1
            log.error("mail %s cannot be sent and is marked failed: %s", mail.id, mail.last_error)
        else:
            mail.status = OutboxStatus.SENT
            mail.sent_at = utcnow()
            mail.claimed_until = None
            mail.last_error = None
            counts["sent"] += 1
        # Commit each mail's outcome at once: a crash later never resends it.
        db.session.commit()
    if smtp is not None:
        # Every outcome is committed: a goodbye the server does not answer changes nothing.
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return counts


def waiting_mails(limit: int = 100) -> list[EmailOutbox]:
    """The mails not sent yet (waiting or being sent), the next due first (for the administrators' page)."""
    return list(db.session.scalars(
        select(EmailOutbox).where(EmailOutbox.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
        .order_by(EmailOutbox.next_attempt_at, EmailOutbox.id).limit(limit)))


#: A link's secret part: a path segment or query value of 20 or more token characters (sign-in, reset,
#: confirmation, invitation and unsubscribe tokens).
_SECRET = re.compile(r"(?<=[/=])[A-Za-z0-9_\-.~]{20,}")
_LINK = re.compile(r"(https?://[^/\s\"'<>]+)([^\s\"'<>]*)")


def without_secrets(body: str) -> str:
    """``body`` with every link's token hidden: an administrator previewing a queued password reset or
    invitation must not hold a working link into someone else's account."""
    return _LINK.sub(lambda link: link.group(1) + _SECRET.sub("[hidden]", link.group(2)), body)


def failed_mails(limit: int = 100) -> list[EmailOutbox]:
    """The mails given up on, newest first (for the administrators' page)."""
    return list(db.session.scalars(select(EmailOutbox).where(EmailOutbox.status == OutboxStatus.FAILED)
                                   .order_by(EmailOutbox.id.desc()).limit(limit)))


def retry(mail: EmailOutbox) -> bool:
    """Put a failed mail back in the queue with a fresh set of attempts; False if it was not failed."""
    if mail.status != OutboxStatus.FAILED:
        return False
    mail.status = OutboxStatus.PENDING
    mail.attempts = 0
    mail.next_attempt_at = utcnow()
    mail.claimed_until = None
    return True


def outbox_counts() -> dict[str, int]:
    """How many mails are in each state, in one query."""
    rows = db.session.execute(select(EmailOutbox.status, func.count()).group_by(EmailOutbox.status)).all()
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({OutboxStatus(status).value: n for status, n in rows})
    return counts
