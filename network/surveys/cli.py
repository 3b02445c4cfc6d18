"""``flask surveys send``: the daily run of the alumni outcome surveys."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from network.extensions import db
from network.surveys.services import send_due
from network.text.words import plural

surveys_cli = AppGroup("surveys", help="Alumni outcome surveys.")


@surveys_cli.command("send")
def send_command() -> None:
    """Send the anniversary invitations (1 and 3 years after graduation) and the 14-day reminders; run it daily,
    a rerun sends nothing twice."""
    counts = send_due()
    db.session.commit()
    click.echo(f"{plural(counts['invitations'], 'survey invitation')} and "
               f"{plural(counts['reminders'], 'survey reminder')} sent.")
