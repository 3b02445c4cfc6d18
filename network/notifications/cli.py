"""``flask digest daily``: the daily digest of notifications (``flask digest`` gathers every area's digest)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from network.extensions import db
from network.notifications import services
from network.text.words import plural


@click.command("daily")
@with_appcontext
def daily_digest_command():
    """Mail each member their unread notifications they chose to get in the daily digest (safe to rerun)."""
    sent = services.send_daily_digests()
    db.session.commit()
    click.echo(f"{plural(sent, 'digest mail')} queued.")
