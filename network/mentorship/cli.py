"""``flask mentorship expire``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from network.extensions import db
from network.mentorship import services
from network.text.words import plural

mentorship_cli = AppGroup("mentorship", help="Mentoring requests.")


@mentorship_cli.command("expire")
def expire_command():
    """Expire requests unanswered for 14 days (safe to run again)."""
    with current_app.test_request_context():
        count = services.expire_requests()
        db.session.commit()
    click.echo(f"expired {plural(count, 'request')}")
