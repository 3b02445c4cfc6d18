"""``flask outbox send [--loop]``: deliver the outbox, once or as a long-running worker."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from network.extensions import db
from network.mail.services import deliver_outbox

outbox_cli = AppGroup("outbox", help="The outgoing mail queue.")
log = logging.getLogger(__name__)


def _stop_on_signals(stop: threading.Event) -> dict:
    """SIGTERM and SIGINT end the loop after the mail in hand (each outcome is already committed; the
    rest of the batch goes back to the queue)."""
    previous = {}

    def handler(signum, frame):
        log.info("outbox worker: signal %s, stopping", signum)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(ValueError):  # not the main thread (e.g. a test runner thread): the caller stops us
            previous[signum] = signal.signal(signum, handler)
    return previous


@outbox_cli.command("send")
@click.option("--limit", default=100, show_default=True, help="Most mails to send per poll.")
@click.option("--loop", is_flag=True, help="Keep polling until SIGTERM or SIGINT.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls with --loop.")
def send_command(limit: int, loop: bool, interval: float) -> None:
    """Send every due mail once, retrying failures later with back-off; with --loop, keep going."""
    if not loop:
        counts = deliver_outbox(limit=limit)
        click.echo(f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}")
        return
    stop = threading.Event()
    previous = _stop_on_signals(stop)
    totals = {"sent": 0, "retry": 0, "failed": 0}
    click.echo(f"outbox worker: polling every {interval:g}s; stop with SIGTERM or Ctrl-C")
    try:
        while not stop.is_set():
            try:
                counts = deliver_outbox(limit=limit, should_stop=stop.is_set)
            except SQLAlchemyError:
                # The database is away (restart, failover): keep the worker alive and try again later.
                log.exception("outbox worker: database error, retrying in %ss", interval)
                db.session.rollback()
                counts = {"sent": 0, "retry": 0, "failed": 0}
            except Exception:
                # A bug must not stop every later mail (password resets, invitations): log it and poll on.
                log.exception("outbox worker: unexpected error, retrying in %ss", interval)
                db.session.rollback()
                counts = {"sent": 0, "retry": 0, "failed": 0}
            finally:
                db.session.remove()
            for key in totals:
                totals[key] += counts[key]
            if any(counts.values()):
                click.echo(f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}")
            if counts["sent"] + counts["retry"] + counts["failed"] < limit:
                stop.wait(interval)  # nothing more due right now
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo(f"outbox worker stopped: sent {totals['sent']}, to retry {totals['retry']}, "
               f"failed {totals['failed']}")
