"""Development's inbox: every queued mail also written as a readable ``.eml`` file under ``instance/mail/``.

On by ``MAIL_PREVIEW`` (development's default), never in production. A file is written when the
transaction that queued its mail commits, so a rolled-back request leaves none; each mail of a batch
(an invitation import) gets its own file. Administrators list and read them at "Mail preview".
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from network.text.lines import single_line
from network.types import utcnow

#: ``db.session.info`` key: the files the current transaction will write when it commits.
PENDING = "mail_preview_files"
#: Only names this module writes are ever read back: no path can be smuggled into the show page.
FILE_NAME = re.compile(r"\d{8}T\d{12}-[0-9a-f]{12}-[a-z0-9-]{1,48}\.eml")
#: The preview page lists at most this many, newest first.
LIST_LIMIT = 200


def enabled() -> bool:
    """The mail preview is on: asked for (development's default) and never in production."""
    config = current_app.config
    return bool(config.get("MAIL_PREVIEW")) and config.get("DEPLOYMENT") != "production"


def directory() -> str:
    return current_app.config.get("MAIL_PREVIEW_DIR") or os.path.join(current_app.instance_path, "mail")


def keep(session: Session, kind: str, recipient: str, subject: str, text_body: str, html_body: str) -> None:
    """Write this mail as a ``.eml`` file once the session commits (nothing when the preview is off)."""
    if not enabled():
        return
    message = EmailMessage()
    message["From"] = single_line(current_app.config["MAIL_DEFAULT_SENDER"])
    message["To"] = single_line(recipient)
    message["Subject"] = single_line(subject)
    message["Date"] = format_datetime(utcnow())
    message["X-Mail-Kind"] = single_line(kind)
    message.set_content(text_body)
    message.add_alternative(html_body, subtype="html")
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    slug = re.sub(r"[^a-z0-9-]+", "-", kind.lower()).strip("-")[:48] or "mail"
    name = f"{stamp}-{uuid.uuid4().hex[:12]}-{slug}.eml"
    session.info.setdefault(PENDING, []).append((directory(), name, message.as_bytes(policy=policy.SMTP)))


@event.listens_for(Session, "after_commit")
def _write_kept(session: Session) -> None:
    for folder, name, data in session.info.pop(PENDING, []):
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as file:
            file.write(data)


@event.listens_for(Session, "after_rollback")
def _drop_kept(session: Session) -> None:
    session.info.pop(PENDING, None)


@dataclass(frozen=True)
class PreviewMail:
    name: str
    sender: str
    recipient: str
    subject: str
    date: str
    kind: str
    text_body: str
    html_body: str


def _parse(name: str, data: bytes) -> PreviewMail:
    message = message_from_bytes(data, policy=policy.default)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return PreviewMail(name=name, sender=str(message["From"] or ""), recipient=str(message["To"] or ""),
                       subject=str(message["Subject"] or ""), date=str(message["Date"] or ""),
                       kind=str(message["X-Mail-Kind"] or ""), text_body=text.get_content() if text else "",
                       html_body=html.get_content() if html else "")


def listing(limit: int = LIST_LIMIT) -> tuple[list[PreviewMail], int]:
    """The newest ``limit`` mails (their names begin with the time they were queued) and how many there are."""
    folder = directory()
    try:
        names = sorted((n for n in os.listdir(folder) if FILE_NAME.fullmatch(n)), reverse=True)
    except FileNotFoundError:
        return [], 0
    mails = []
    for name in names[:limit]:
        with open(os.path.join(folder, name), "rb") as file:
            mails.append(_parse(name, file.read()))
    return mails, len(names)


def read(name: str) -> PreviewMail | None:
    """One mail by its file name; None for a name this module did not write or a file that is gone."""
    if not FILE_NAME.fullmatch(name):
        return None
    try:
        with open(os.path.join(directory(), name), "rb") as file:
            return _parse(name, file.read())
    except FileNotFoundError:
        return None
