"""Checking an identity provider's settings, one set of rules for the admin form and for
``flask identity-provider add``: each problem is reported against the field it concerns, in words for
the admin or operator who typed it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from network.extensions import db
from network.identity.models import IdentityProvider, ProviderKind
from network.identity.protocols import protocol_for
from network.members.models import Role
from network.programs.models import Program
from network.text.lines import single_line
from network.text.slugs import slugify

NAME_MAX = 120
SLUG_MAX = 60
URL_MAX = 500
CLIENT_ID_MAX = 255
#: A client secret is sealed into a column of 1,000 characters; real ones are under 100.
CLIENT_SECRET_MAX = 500
DOMAINS_MAX = 500
ROLE_CLAIM_MAX = 120
#: The roles a provider's claim may grant: never administrator.
MAPPED_ROLES = (Role.FELLOW, Role.ALUMNI, Role.FACULTY)

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*\.(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})")


class SettingsInvalid(ValueError):
    """The settings break a rule: ``errors`` maps each field's name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


@dataclass
class ProviderSettings:
    """Checked settings, ready to store. ``metadata`` (the columns the protocol read) is None when the
    stored metadata stays; ``client_secret`` is None when the stored secret stays."""

    kind: ProviderKind
    name: str
    slug: str
    metadata: dict | None
    client_id: str
    client_secret: str | None = field(repr=False)
    email_domains: str
    program_id: int | None
    verifies_members: bool
    role_claim: str
    role_map: dict
    enabled: bool


def require_https() -> bool:
    """Production reads metadata over https only: an http:// address could be answered by anyone between."""
    return current_app.config["DEPLOYMENT"] == "production"


def parse_domains(text: str) -> tuple[list[str], str | None]:
    """The domains in ``text`` (space or comma separated, lower-cased, a leading @ dropped), and the first
    problem, or None."""
    domains: list[str] = []
    for word in re.split(r"[\s,;]+", text.strip().lower()):
        word = word.removeprefix("@").rstrip(".")
        if not word:
            continue
        if not _DOMAIN.fullmatch(word):
            return domains, f"“{word}” is not a domain: write domains like northbridge.org, separated by spaces."
        if word not in domains:
            domains.append(word)
    if len(" ".join(domains)) > DOMAINS_MAX:
        return domains, f"List at most {DOMAINS_MAX} characters of domains."
    return domains, None


def parse_role_map(text: str | dict) -> tuple[dict[str, str], str | None]:
    """``value = role`` pairs, one a line or separated by commas (``staff=faculty, student=fellow``), as a
    mapping, and the first problem, or None. Values are kept as the provider sends them."""
    if isinstance(text, dict):
        text = "\n".join(f"{value} = {role}" for value, role in text.items())
    mapping: dict[str, str] = {}
    allowed = ", ".join(role.value for role in MAPPED_ROLES)
    for line in re.split(r"[\n,]+", text):
        line = line.strip()
        if not line:
            continue
        value, equals, role = (part.strip() for part in line.partition("="))
        if not equals or not value or not role:
            return mapping, f"Write each line as “value = role”, for example “staff = faculty” (not “{line}”)."
        if role.lower() not in allowed.split(", "):
            return mapping, f"“{role}” is not a role a provider may give: use {allowed}."
        if len(value) > ROLE_CLAIM_MAX:
            return mapping, f"Keep each value under {ROLE_CLAIM_MAX} characters."
        mapping[value] = role.lower()
    return mapping, None


def check_settings(kind: str | ProviderKind, *, name: str, slug: str = "", metadata: str = "", client_id: str = "",
                   client_secret: str = "", email_domains: str = "", program: str = "",
                   verifies_members: bool = False, role_claim: str = "", role_map: str | dict = "",
                   enabled: bool = True, provider: IdentityProvider | None = None) -> ProviderSettings:
    """The settings checked, for a new provider or for ``provider``; raises ``SettingsInvalid``.

    ``metadata`` is the OIDC discovery URL, or the SAML metadata URL or XML, read through the protocol
    module (over https only in production); on an edit, "" keeps what is stored. ``client_secret`` ""
    keeps the stored secret on an edit. ``program`` is a program's slug, or "" for none.
    """
    errors: dict[str, str] = {}
    try:
        kind = ProviderKind(kind)
    except ValueError:
        raise SettingsInvalid({"kind": "Choose the kind: oidc (OpenID Connect) or saml (SAML 2.0)."}) from None
    if provider is not None and provider.kind != kind:
        errors["kind"] = "A provider's kind cannot change: register the other kind as a new provider."
    name = single_line(name or "")
    if not name:
        errors["name"] = "Enter the name people see on the button, such as “Northbridge Health”."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Use at most {NAME_MAX} characters."
    slug = _check_slug((slug or "").strip(), name, provider, errors)

    client_id = (client_id or "").strip()
    client_secret = (client_secret or "").strip()
    if kind == ProviderKind.OIDC:
        if not client_id:
            errors["client_id"] = "Enter the client (application) id the provider gave for this site."
        elif len(client_id) > CLIENT_ID_MAX:
            errors["client_id"] = f"Use at most {CLIENT_ID_MAX} characters."
        if not client_secret and (provider is None or not provider.client_secret_sealed):
            errors["client_secret"] = "Enter the client secret the provider gave for this site."  # noqa: S105
        elif len(client_secret) > CLIENT_SECRET_MAX:
            errors["client_secret"] = f"Use at most {CLIENT_SECRET_MAX} characters."
    else:  # SAML signs in with certificates from the metadata: no client to register
        client_id, client_secret = "", ""

    domains, problem = parse_domains(email_domains or "")
    if problem:
        errors["email_domains"] = problem
    program_id = _check_program((program or "").strip(), errors)
    role_claim = single_line(role_claim or "")
    mapping, problem = parse_role_map(role_map or "")
    if problem:
        errors["role_map"] = problem
    elif len(role_claim) > ROLE_CLAIM_MAX:
        errors["role_claim"] = f"Use at most {ROLE_CLAIM_MAX} characters."
    elif mapping and not role_claim:
        errors["role_claim"] = "Name the claim or attribute that carries the values you map, such as “roles”."
    elif role_claim and not mapping:
        errors["role_map"] = "Map at least one value of the claim to a role, such as “staff = faculty”."

    columns = _read_metadata(kind, (metadata or "").strip(), provider, errors)
    if errors:
        raise SettingsInvalid(errors)
    return ProviderSettings(kind=kind, name=name, slug=slug, metadata=columns, client_id=client_id,
                            client_secret=client_secret or None, email_domains=" ".join(domains),
                            program_id=program_id, verifies_members=bool(verifies_members), role_claim=role_claim,
                            role_map=mapping, enabled=bool(enabled))


def _check_slug(slug: str, name: str, provider: IdentityProvider | None, errors: dict) -> str:
    given = bool(slug)
    slug = slug or slugify(name, SLUG_MAX, "")
    if not slug:
        if "name" not in errors:
            errors["slug"] = "Enter an address name of lower-case letters, digits and hyphens."
        return slug
    if len(slug) > SLUG_MAX or not _SLUG.fullmatch(slug):
        errors["slug"] = (f"Use lower-case letters, digits and single hyphens, at most {SLUG_MAX} characters, "
                          "such as “northbridge-health”.")
        return slug
    holder = db.session.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug))
    if holder is not None and holder is not provider:
        made = "" if given else " (made from the name)"
        errors["slug"] = f"The address name “{slug}”{made} is taken by {holder.name}: enter another."
    return slug


def _check_program(slug: str, errors: dict) -> int | None:
    if not slug:
        return None
    program_id = db.session.scalar(select(Program.id).where(Program.slug == slug))
    if program_id is None:
        errors["program"] = f"No program has the address name “{slug}”."
    return program_id


def _read_metadata(kind: ProviderKind, source: str, provider: IdentityProvider | None, errors: dict) -> dict | None:
    """The columns the protocol module reads from ``source``; None keeps the stored ones (an edit)."""
    if not source:
        if provider is None:
            errors["metadata"] = ("Enter the provider's discovery URL (…/.well-known/openid-configuration)."
                                  if kind == ProviderKind.OIDC else
                                  "Enter the identity provider's metadata URL, or give its metadata XML.")
        return None
    try:
        columns = protocol_for(kind).read_metadata(source, require_https=require_https())
    except ValueError as exc:
        errors["metadata"] = str(exc)
        return None
    if len(columns.get("metadata_url", "")) > URL_MAX:
        errors["metadata"] = f"Use an address of at most {URL_MAX} characters."
        return None
    entity_id = columns.get("entity_id", "")
    if entity_id:
        holder = db.session.scalar(select(IdentityProvider).where(IdentityProvider.entity_id == entity_id))
        if holder is not None and holder is not provider:
            errors["metadata"] = f"This identity provider ({entity_id}) is registered already, as {holder.name}."
            return None
    return columns
