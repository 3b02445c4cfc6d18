"""``flask mail listen``'s SMTP server (aiosmtpd): it takes mail for reply addresses only, refusing any other
recipient, and a forged one, at RCPT (so no mail is accepted that would later need a bounce), and hands each
message to ``receiving.receive``. The database work runs in a worker thread with its own app context, so a
slow database never stalls the SMTP conversation of another sender. Meant to sit behind the site's real mail
server (MX), which does the spam and size filtering; it speaks neither TLS nor AUTH."""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.exc import SQLAlchemyError

from network.discussions.email_replies.addresses import find_address
from network.discussions.email_replies.receiving import receive
from network.extensions import db

log = logging.getLogger(__name__)

#: The largest message taken (replies with a photo in the signature are a few MB at most).
MAX_MESSAGE_BYTES = 10 * 1024 * 1024


class ReplyHandler:
    """aiosmtpd's handler: RCPT checks the reply address, DATA posts the reply."""

    def __init__(self, app):
        self.app = app

    def _in_app(self, work, *args):
        with self.app.app_context():
            try:
                return work(*args)
            finally:
                db.session.remove()

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        known = await asyncio.get_running_loop().run_in_executor(
            None, self._in_app, lambda: find_address(address) is not None)
        if not known:
            log.info("reply listener: recipient refused at RCPT")
            return "550 5.1.1 No such reply address here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        try:
            await asyncio.get_running_loop().run_in_executor(None, self._in_app, self._deliver, envelope)
        except SQLAlchemyError:
            log.exception("reply listener: database error; the sending server will try again")
            return "451 4.3.0 Temporary failure, try again later"
        return "250 Message accepted"

    @staticmethod
    def _deliver(envelope: Envelope) -> None:
        for recipient in envelope.rcpt_tos:
            receive(envelope.original_content or envelope.content, [recipient], envelope.mail_from)


def start_listener(app, host: str = "127.0.0.1", port: int = 8025) -> Controller:
    """Start the SMTP server in a thread of its own; ``stop()`` the returned controller to end it."""
    controller = Controller(ReplyHandler(app), hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES)
    controller.start()
    return controller
