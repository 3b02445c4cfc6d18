"""``flask digest program-staff``: the weekly brief for program staff (``flask digest`` gathers every digest)."""

import click
from flask.cli import with_appcontext

from network.cockpit.brief import send_program_briefs
from network.extensions import db


@click.command("program-staff")
@with_appcontext
def program_staff_brief_command() -> None:
    """Mail program staff this week's changes in their cockpits (safe to run again: one brief per ISO week)."""
    counts = send_program_briefs()
    db.session.commit()
    click.echo(f"queued {counts['sent']} briefs; {counts['already']} already done this week; "
               f"{counts['nothing']} staff members with nothing new; {counts['off']} who turned the brief off")
