"""``flask reminders send``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from network.extensions import db
from network.reminders.services import send_reminders
from network.text.words import plural

reminders_cli = AppGroup("reminders", help="Reminders for mentorships and waiting requests.")


@reminders_cli.command("send")
def send_command() -> None:
    """Remind overdue mentorships and mentors with requests waiting 7 days (at most weekly per item)."""
    counts = send_reminders()
    db.session.commit()
    click.echo(f"{plural(counts['meetings'], 'overdue mentorship')} and "
               f"{plural(counts['requests'], 'waiting request')} reminded.")
