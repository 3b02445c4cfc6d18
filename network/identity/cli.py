"""``flask identity-provider add|list|disable|enable``: the operator registers institutions' sign-in with the
rules of the admin form (``settings.check_settings``), audited as done from the command line.

A client secret is never an argument (it would stay in the shell's history and the process list): it is
read from ``--client-secret-file``, from the ``IDENTITY_PROVIDER_CLIENT_SECRET`` environment variable, or
asked for with the typing hidden.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import AppGroup

from network.extensions import db
from network.identity import registry
from network.identity.models import IdentityProvider, ProviderKind
from network.identity.overview import by_slug, listing
from network.identity.settings import SettingsInvalid, check_settings

identity_provider_cli = AppGroup("identity-provider", help="Institutions' identity providers (OpenID Connect, SAML).")

SECRET_VARIABLE = "IDENTITY_PROVIDER_CLIENT_SECRET"  # noqa: S105 (the variable's name, not a secret)  # nosec B105
#: The option that carries each setting, for the error messages.
OPTIONS = {"kind": "--kind", "name": "--name", "slug": "--slug", "metadata": "--metadata",
           "client_id": "--client-id", "client_secret": "--client-secret-file", "email_domains": "--domains",
           "program": "--program", "role_claim": "--role-claim", "role_map": "--role-map"}
#: Exit status for bad input, as click's own usage errors.
BAD_INPUT = 2


def _refuse(message: str):
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(BAD_INPUT)


def _metadata_source(value: str) -> str:
    """An address as given (the protocol module fetches it), or the XML read from a file."""
    if value.startswith(("http://", "https://")) or not value:
        return value
    path = Path(value)
    if not path.is_file():
        _refuse(f"--metadata: {value} is neither an http(s) address nor a file.")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _refuse(f"--metadata: {value} cannot be read as text: {type(exc).__name__}.")


def _client_secret(kind: ProviderKind, secret_file: str | None) -> str:
    if kind != ProviderKind.OIDC:
        return ""
    if secret_file:
        try:
            return Path(secret_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            _refuse(f"--client-secret-file: {secret_file} cannot be read: {type(exc).__name__}.")
    if os.environ.get(SECRET_VARIABLE):
        return os.environ[SECRET_VARIABLE].strip()
    return click.prompt("Client secret", hide_input=True, default="", show_default=False)


def _provider(slug: str) -> IdentityProvider:
    provider = db.session.scalar(by_slug(slug))
    if provider is None:
        _refuse(f"no identity provider has the address name {slug!r} (see `flask identity-provider list`).")
    return provider


@identity_provider_cli.command("add")
@click.option("--kind", required=True, type=click.Choice([k.value for k in ProviderKind]),
              help="oidc (OpenID Connect) or saml (SAML 2.0).")
@click.option("--name", required=True, help="Shown on the button: “Sign in with NAME”.")
@click.option("--slug", default="", help="Address name (default: made from the name).")
@click.option("--metadata", required=True,
              help="OIDC: the discovery URL. SAML: the metadata URL, or the path of the metadata XML file.")
@click.option("--client-id", default="", help="OIDC: the client id the provider issued for this site.")
@click.option("--client-secret-file", default=None, type=click.Path(dir_okay=False),
              help=f"OIDC: a file holding the client secret (else ${SECRET_VARIABLE}, else asked for, hidden).")
@click.option("--domains", default="", help="Allowed email domains, such as \"northbridge.org nbhealth.org\".")
@click.option("--program", default="", help="The address name (slug) of the program its members join.")
@click.option("--verifies-members", is_flag=True, help="The institution vouches: its members are verified at once.")
@click.option("--role-claim", default="", help="The claim or attribute that carries a person's role.")
@click.option("--role-map", default="", help="Its values mapped to roles: \"staff=faculty,student=fellow\".")
@click.option("--disabled", is_flag=True, help="Register it turned off (no button until turned on).")
def add_command(kind, name, slug, metadata, client_id, client_secret_file, domains, program, verifies_members,
                role_claim, role_map, disabled):
    """Register an identity provider, with the checks of the admin form."""
    kind = ProviderKind(kind)
    source = _metadata_source(metadata.strip())
    try:
        settings = check_settings(kind, name=name, slug=slug, metadata=source, client_id=client_id,
                                  client_secret=_client_secret(kind, client_secret_file), email_domains=domains,
                                  program=program, verifies_members=verifies_members, role_claim=role_claim,
                                  role_map=role_map, enabled=not disabled)
    except SettingsInvalid as exc:
        for field, message in exc.errors.items():
            click.echo(f"Error: {OPTIONS.get(field, field)}: {message}", err=True)
        raise click.exceptions.Exit(BAD_INPUT) from None
    provider = registry.register(settings, None)
    db.session.commit()
    click.echo(f"{provider.name} is registered as {provider.slug} ({provider.kind.label}, "
               f"{'on' if provider.enabled else 'off'}). Its IT office's values are on its admin page.")


@identity_provider_cli.command("list")
def list_command():
    """Every registered provider: address name, kind, state, program and linked members."""
    rows = db.session.execute(listing()).all()
    if not rows:
        click.echo("No identity provider is registered.")
        return
    for provider, program_name, linked in rows:
        click.echo(f"{provider.slug:<30} {provider.kind.value:<5} {'on' if provider.enabled else 'off':<4} "
                   f"{linked:>5} linked  {provider.name}" + (f" ({program_name})" if program_name else ""))


@identity_provider_cli.command("disable")
@click.argument("slug")
def disable_command(slug):
    """Turn SLUG's sign-in off (its button goes; linked members keep their other ways in)."""
    _switch(slug, registry.disable, "is turned off")


@identity_provider_cli.command("enable")
@click.argument("slug")
def enable_command(slug):
    """Turn SLUG's sign-in on again."""
    _switch(slug, registry.enable, "is turned on")


def _switch(slug: str, change, done: str) -> None:
    provider = _provider(slug)
    try:
        change(provider, None)
    except registry.RegistryError as exc:
        _refuse(str(exc))
    db.session.commit()
    click.echo(f"{provider.name} {done}.")

