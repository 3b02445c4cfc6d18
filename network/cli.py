"""The ``flask`` commands: the app's own (``flask demo``, ``flask check-config``) and every area's, each
defined in its area's ``cli.py`` and registered here, one way, by ``register_commands``."""

from __future__ import annotations

import click
import redis
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from network.auth.cli import create_admin_command, reset_two_factor_command, tokens_cli
from network.cockpit.cli import program_staff_brief_command
from network.config import default_worker_count, unsafe_settings
from network.demo import DEMO_PASSWORD, DEMO_SIGN_INS, seed_demo
from network.discussions.cli import mail_cli
from network.extensions import db
from network.identity.cli import identity_provider_cli
from network.mail.cli import outbox_cli
from network.matching.cli import matching_cli
from network.members.models import User
from network.mentorship.cli import mentorship_cli
from network.notifications.cli import daily_digest_command
from network.opportunities.cli import opportunities_digest_command
from network.reminders.cli import reminders_cli
from network.surveys.cli import surveys_cli
from network.text.words import plural


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no members yet.")
@click.option("--force-production", is_flag=True,
              help="Seed even a production deployment (its accounts share one published password).")
@with_appcontext
def demo_command(if_empty: bool, force_production: bool) -> None:
    """Seed a believable pain-medicine network (safe to run again). Development and testing only."""
    deployment = current_app.config["DEPLOYMENT"]
    if deployment not in ("development", "testing") and not force_production:
        # The demo administrator and faculty sign in with a password printed in the README.
        click.echo(f"Refusing to seed the demo into a {deployment} deployment: its accounts, administrators "
                   f"included, share the published password {DEMO_PASSWORD!r}. Run it with "
                   "FLASK_DEPLOYMENT=development, or add --force-production if this really is a throwaway "
                   "production-like database.", err=True)
        raise SystemExit(1)
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has members; demo data not added.")
        return
    summary = seed_demo()
    db.session.commit()
    click.echo(f"Demo network ready: {summary}.")
    click.echo(f"Sign in with any of these (password {DEMO_PASSWORD}):")
    for email, what in DEMO_SIGN_INS:
        click.echo(f"  {email:<22} {what}")


@click.command("check-config")
@click.option("--workers", type=int, default=None,
              help="App processes you will run (default: what gunicorn.conf.py starts).")
@click.option("--connect/--no-connect", default=False,
              help="Also check that the database and Redis answer.")
@with_appcontext
def check_config_command(workers: int | None, connect: bool) -> None:
    """Report settings unsafe for production; exit with status 1 if there is any."""
    workers = workers or default_worker_count()
    problems, notes = unsafe_settings(current_app.config, debug=current_app.debug, workers=workers)
    if connect:
        problems.extend(_unreachable_services())
    for problem in problems:
        click.echo(f"UNSAFE  {problem}")
    for note in notes:
        click.echo(f"note    {note}")
    if problems:
        click.echo(f"{plural(len(problems), 'unsafe setting')} for production with "
                   f"{plural(workers, 'app process', 'app processes')}.")
        raise SystemExit(1)
    click.echo(f"Configuration is fit for production with {plural(workers, 'app process', 'app processes')}.")


def _unreachable_services() -> list[str]:
    problems = []
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        problems.append(f"The database does not answer: {type(exc).__name__}.")
    storage = str(current_app.config.get("RATELIMIT_STORAGE_URI") or "")
    if storage.startswith(("redis://", "rediss://", "unix://")):
        try:
            redis.Redis.from_url(storage, socket_timeout=3, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis does not answer at the rate-limit storage address: {type(exc).__name__}.")
    return problems


#: ``flask digest``: one group for the digest mails of every area.
digest_cli = AppGroup("digest", help="Digest mails.")
digest_cli.add_command(daily_digest_command)
digest_cli.add_command(opportunities_digest_command)
digest_cli.add_command(program_staff_brief_command)

COMMANDS = (create_admin_command, reset_two_factor_command, demo_command, check_config_command, digest_cli,
            identity_provider_cli, mail_cli, matching_cli, mentorship_cli, outbox_cli, reminders_cli, surveys_cli,
            tokens_cli)


def register_commands(app) -> None:
    """Put every command on the app's ``flask``."""
    for command in COMMANDS:
        app.cli.add_command(command)
