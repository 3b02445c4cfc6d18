"""Commands: ``flask create-admin``, ``flask demo`` and ``flask check-config``."""

from __future__ import annotations

import click
import redis
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from network.audit.models import record
from network.auth import two_factor
from network.auth.passwords import password_problem
from network.config import default_worker_count, unsafe_settings
from network.demo import DEMO_PASSWORD, DEMO_SIGN_INS, seed_demo
from network.extensions import db
from network.members.models import MemberStatus, Role, User, normalize_email
from network.text.lines import single_line
from network.text.words import plural
from network.types import utcnow


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default=None, help="Display name of a new admin (default: the part before @).")
@click.option("--password", default=None, help="Password of a new admin; asked for when omitted.")
@with_appcontext
def create_admin_command(email: str, name: str | None, password: str | None) -> None:
    """Make EMAIL an administrator, creating the account if needed."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    user = db.session.scalars(select(User).where(User.email == normalize_email(email))).first()
    now = utcnow()
    if user is None:
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problem = password_problem(password, (email, name or email.split("@")[0]))
        if problem:
            raise click.BadParameter(problem, param_hint="--password")
        user = User(email=normalize_email(email), name=single_line(name or email.split("@")[0]), role=Role.ADMIN)
        user.set_password(password)
        db.session.add(user)
        action = "created"
    else:
        user.role = Role.ADMIN
        action = "promoted"
    user.status = MemberStatus.VERIFIED
    user.verified_at = user.verified_at or now
    user.email_confirmed_at = user.email_confirmed_at or now
    db.session.flush()
    record(None, "member.make-admin", "user", user.id, email=user.email, how=action)
    db.session.commit()
    click.echo(f"{user.email} is an administrator ({action}).")


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


@click.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def reset_two_factor_command(email: str) -> None:
    """Turn off EMAIL's two-step sign-in (lost phone and recovery codes); audit-logged."""
    user = db.session.scalars(select(User).where(User.email == normalize_email(email))).first()
    if user is None:
        raise click.BadParameter("no account has this address", param_hint="EMAIL")
    if two_factor.setting(user.id) is None:
        click.echo(f"{user.email} has no two-step sign-in; nothing to reset.")
        return
    two_factor.disable(user, by_operator=True)
    db.session.commit()
    click.echo(f"Two-step sign-in of {user.email} is off and their sessions are ended. "
               "They sign in with their password and set it up again (required roles are asked at once).")
