"""``flask digest opportunities``: the weekly opportunity digest (``flask digest`` gathers every area's digest)."""

import click
from flask.cli import with_appcontext

from network.extensions import db
from network.opportunities.digest import send_weekly_digests


@click.command("opportunities")
@with_appcontext
def opportunities_digest_command() -> None:
    """Queue this week's opportunity digest (safe to run again: one mail per member per ISO week)."""
    counts = send_weekly_digests()
    db.session.commit()
    click.echo(f"queued {counts['sent']} digests; {counts['already']} already sent this week; "
               f"{counts['nothing']} members with nothing new")
