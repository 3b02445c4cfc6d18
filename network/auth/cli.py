"""``flask create-admin`` and ``flask reset-two-factor``, the operator's two ways into a member's account, and
``flask tokens create|list|revoke``, personal access tokens for scripts and operators (audited, actor None)."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from network.audit.models import record
from network.auth import api_tokens, two_factor
from network.auth.models import ApiToken
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


tokens_cli = AppGroup("tokens", help="Personal access tokens for the JSON API (the account page makes them too).")


def _member(email: str) -> User:
    user = db.session.scalars(select(User).where(User.email == normalize_email(email))).first()
    if user is None:
        raise click.BadParameter("no account has this address", param_hint="EMAIL")
    return user


@tokens_cli.command("create")
@click.argument("email")
@click.option("--scope", "scopes", default="read", show_default=True,
              help=f"Comma-separated, from {', '.join(api_tokens.SCOPES)} (roster: program staff only).")
@click.option("--days", type=int, default=api_tokens.DEFAULT_DAYS, show_default=True,
              help=f"How long it lasts, 1 to {max(api_tokens.EXPIRY_DAYS)} days.")
@click.option("--name", default="Command line", show_default=True, help="What will use it.")
def create_token_command(email: str, scopes: str, days: int, name: str) -> None:
    """Make a token for EMAIL and print it (the only time it is shown; only its hash is kept)."""
    user = _member(email)
    try:
        token, secret = api_tokens.issue(user, name, api_tokens.parse_scopes(scopes), days)
    except api_tokens.TokenError as exc:
        raise click.UsageError(str(exc)) from exc
    db.session.commit()
    click.echo(f"Token {token.id} “{token.name}” for {user.email} ({', '.join(token.scope_list)}), expires "
               f"{token.expires_at:%Y-%m-%d %H:%M} UTC. It is printed once, below:", err=True)
    click.echo(secret)  # alone on standard output, for TOKEN=$(flask tokens create ...)


@tokens_cli.command("list")
@click.argument("email")
def list_tokens_command(email: str) -> None:
    """The live tokens of EMAIL: id, name, scopes, expiry and last use (never the secret)."""
    user = _member(email)
    tokens = db.session.scalars(api_tokens.live_tokens(user.id)).all()
    if not tokens:
        click.echo(f"{user.email} has no live token.")
    for token in tokens:
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(f"{token.id:>6}  {token.name}  [{' '.join(token.scope_list)}]  expires "
                   f"{token.expires_at:%Y-%m-%d}  last used {used}")


@tokens_cli.command("revoke")
@click.argument("token_id", metavar="ID", type=click.IntRange(1))
def revoke_token_command(token_id: int) -> None:
    """Stop token ID at once (``flask tokens list EMAIL`` shows the ids)."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.BadParameter("no token has this id", param_hint="ID")
    if not api_tokens.revoke(token):
        click.echo(f"Token {token.id} “{token.name}” was revoked already.")
        return
    db.session.commit()
    click.echo(f"Token {token.id} “{token.name}” is revoked: it is refused from its next request.")
