"""``flask create-admin`` and ``flask reset-two-factor``: the operator's two ways into a member's account."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from sqlalchemy import select

from network.audit.models import record
from network.auth import two_factor
from network.auth.passwords import password_problem
from network.extensions import db
from network.members.models import MemberStatus, Role, User, normalize_email
from network.text.lines import single_line
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
