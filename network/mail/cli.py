"""``flask outbox send``: deliver the outbox."""

import click
from flask.cli import AppGroup

from network.mail.services import deliver_outbox

outbox_cli = AppGroup("outbox", help="The outgoing mail queue.")


@outbox_cli.command("send")
@click.option("--limit", default=100, show_default=True, help="Most mails to send in this run.")
def send_command(limit: int) -> None:
    """Send every due mail once, retrying failures later with back-off."""
    counts = deliver_outbox(limit=limit)
    click.echo(f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}")
