"""``flask mail receive`` and ``flask mail listen``: replies by email come in, from a mail server's pipe
transport (one message on standard input) or over SMTP (an aiosmtpd listener behind the real mail server)."""

from __future__ import annotations

import logging
import signal
import sys
import threading

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from network.discussions.email_replies.addresses import reply_domain
from network.discussions.email_replies.listener import start_listener
from network.discussions.email_replies.receiving import receive

mail_cli = AppGroup("mail", help="Replies by email, coming in.")
log = logging.getLogger(__name__)

#: sysexits' EX_TEMPFAIL: a mail server keeps the message and delivers it again later.
TEMPORARY_FAILURE = 75


def _domain_or_exit() -> str:
    domain = reply_domain()
    if domain is None:
        click.echo("Reply by email is off: set FLASK_REPLY_EMAIL_DOMAIN to the domain of the reply addresses.",
                   err=True)
        raise SystemExit(1)
    return domain


@mail_cli.command("receive")
@click.option("--recipient", help="The address the mail was for (Postfix: ${original_recipient}); default: "
                                  "the message's Delivered-To, X-Original-To, To and Cc.")
@click.option("--sender", help="The envelope sender (Postfix: ${sender}); an empty one marks a bounce.")
def receive_command(recipient: str | None, sender: str | None) -> None:
    """Read one message on standard input and post it as a reply, or answer the member why not."""
    _domain_or_exit()
    raw = sys.stdin.buffer.read()
    try:
        outcome = receive(raw, [recipient] if recipient else None, sender)
    except SQLAlchemyError:
        log.exception("mail receive: database error; the mail server will deliver it again")
        raise SystemExit(TEMPORARY_FAILURE) from None
    # A refusal exits 0 as well: the member is answered by mail, and a bounce could go to a forged sender.
    click.echo(f"{outcome.status}: {outcome.reason}")


@mail_cli.command("listen")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8025, show_default=True, help="Port to listen on.")
def listen_command(host: str, port: int) -> None:
    """Take replies by email over SMTP (for reply+…@ addresses only) until SIGTERM or Ctrl-C."""
    domain = _domain_or_exit()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    controller = start_listener(current_app._get_current_object(), host, port)
    click.echo(f"Listening on {host}:{port} for replies to reply+…@{domain}; stop with SIGTERM or Ctrl-C")
    sys.stdout.flush()
    try:
        stop.wait()
    finally:
        controller.stop()
    click.echo("Listener stopped.")
