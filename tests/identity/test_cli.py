"""``flask identity-provider add|list|disable|enable``: the admin form's rules from the command line, exit
status 2 on bad input, the operator's changes audited, and the client secret never taken as an argument nor
printed or logged."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from network.audit.models import AuditLog
from network.extensions import db
from network.identity.models import IdentityProvider, LinkedIdentity, ProviderKind
from network.identity.secrets import client_secret
from network.programs.models import Program
from tests.identity.registration_standins import SAML_DOCUMENTS, saml_metadata

SECRET = "cli-s3cret-that-stays-hidden-42"
DISCOVERY = "https://northbridge.okta.example/.well-known/openid-configuration"


@pytest.fixture
def app(registering_app):
    return registering_app()


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET + "\n")
    return str(path)


def add(runner, *args, **kwargs):
    return runner.invoke(args=["identity-provider", "add", *args], **kwargs)


def oidc(*extra, secret_file=None):
    args = ["--kind", "oidc", "--name", "Northbridge Health", "--metadata", DISCOVERY, "--client-id", "client-1"]
    if secret_file:
        args += ["--client-secret-file", secret_file]
    return [*args, *extra]


def stored(app, slug: str) -> IdentityProvider | None:
    with app.app_context():
        found = db.session.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug))
        db.session.expunge_all()
        return found


def entries(app, action: str) -> list[AuditLog]:
    with app.app_context():
        found = db.session.scalars(select(AuditLog).where(AuditLog.action == action)).all()
        db.session.expunge_all()
        return found


def test_add_oidc_with_a_secret_file_stores_it_sealed_and_audits_the_operator(app, runner, secret_file, caplog):
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        db.session.add(Program(slug="northbridge-pain", name="Northbridge Pain", institution="NB"))
        db.session.commit()
    result = add(runner, *oidc("--domains", "northbridge.org NBhealth.org", "--program", "northbridge-pain",
                               "--verifies-members", "--role-claim", "groups", "--role-map",
                               "staff=faculty,student=fellow", secret_file=secret_file))
    assert result.exit_code == 0, result.output
    assert "Northbridge Health is registered as northbridge-health" in result.output
    saved = stored(app, "northbridge-health")
    assert (saved.kind, saved.metadata_url, saved.client_id) == (ProviderKind.OIDC, DISCOVERY, "client-1")
    assert saved.email_domains == "northbridge.org nbhealth.org" and saved.verifies_members and saved.enabled
    assert saved.role_claim == "groups" and saved.role_map == {"staff": "faculty", "student": "fellow"}
    assert saved.program_id is not None
    with app.app_context():
        assert client_secret(saved) == SECRET
    entry, = entries(app, "identity-provider.register")
    assert entry.actor_id is None and entry.ip is None and entry.details["slug"] == "northbridge-health"
    assert SECRET not in str(entry.details) and SECRET not in result.output and SECRET not in caplog.text


def test_the_secret_comes_from_the_environment_or_a_hidden_prompt(app, runner, monkeypatch):
    monkeypatch.setenv("IDENTITY_PROVIDER_CLIENT_SECRET", SECRET)
    assert add(runner, *oidc("--slug", "from-env")).exit_code == 0
    monkeypatch.delenv("IDENTITY_PROVIDER_CLIENT_SECRET")
    prompted = add(runner, *oidc("--slug", "prompted"), input="typed-" + SECRET + "\n")
    assert prompted.exit_code == 0, prompted.output
    assert "Client secret" in prompted.output and SECRET not in prompted.output  # typing hidden
    with app.app_context():
        assert client_secret(stored(app, "from-env")) == SECRET
        assert client_secret(stored(app, "prompted")) == "typed-" + SECRET


def test_no_argument_takes_the_secret_itself(runner):
    result = add(runner, *oidc("--client-secret", SECRET))
    assert result.exit_code == 2 and "No such option" in result.output


def test_add_saml_from_a_metadata_file_or_an_address(app, runner, tmp_path):
    xml = tmp_path / "idp.xml"
    xml.write_text(saml_metadata("https://idp.state.example/idp"))
    from_file = add(runner, "--kind", "saml", "--name", "State University", "--metadata", str(xml),
                    "--role-claim", "eduPersonAffiliation", "--role-map", "faculty=faculty,student=fellow")
    assert from_file.exit_code == 0, from_file.output
    from_url = add(runner, "--kind", "saml", "--name", "Northbridge", "--metadata", next(iter(SAML_DOCUMENTS)),
                   "--disabled")
    assert from_url.exit_code == 0, from_url.output
    state, northbridge = stored(app, "state-university"), stored(app, "northbridge")
    assert (state.entity_id, state.metadata_url) == ("https://idp.state.example/idp", "")
    assert state.metadata_xml.startswith("<md:EntityDescriptor")
    assert northbridge.metadata_url == next(iter(SAML_DOCUMENTS)) and not northbridge.enabled


BAD = [
    (["--name", " "], "--name: Enter the name"),
    (["--slug", "Not A Slug"], "--slug: Use lower-case letters"),
    (["--client-id", ""], "--client-id: Enter the client (application) id"),
    (["--domains", "northbridge.org bad_domain"], "--domains: “bad_domain” is not a domain"),
    (["--program", "nowhere"], "--program: No program has the address name “nowhere”"),
    (["--role-map", "staff=admin", "--role-claim", "groups"], "--role-map: “admin” is not a role"),
    (["--role-map", "staff=faculty"], "--role-claim: Name the claim"),
    (["--metadata", "https://login.example.org/authorize"], "--metadata: That address is not an OpenID Connect"),
    (["--metadata", "/no/such/file.xml"], "--metadata: /no/such/file.xml is neither an http(s) address nor a file"),
    (["--kind", "ldap"], "Invalid value for '--kind'"),
]


@pytest.mark.parametrize(("extra", "message"), BAD, ids=[m.split(":")[0].strip("-") for _, m in BAD])
def test_bad_input_exits_with_status_2_and_says_what_is_wrong(app, runner, secret_file, extra, message):
    result = add(runner, *oidc(*extra, secret_file=secret_file))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert stored(app, "northbridge-health") is None and entries(app, "identity-provider.register") == []


def test_a_missing_secret_is_refused(app, runner):
    result = add(runner, *oidc(), input="\n")
    assert result.exit_code == 2 and "--client-secret-file: Enter the client secret" in result.output


def test_an_http_address_is_refused_in_production_only(make_app, standin_protocols, secret_file, tmp_path):
    http = "http://northbridge.okta.example/.well-known/openid-configuration"
    production = make_app(DEPLOYMENT="production", SECRET_KEY="a-long-production-like-secret-for-tests-0123456789",
                          PUBLIC_URL="https://network.example.org")
    refused = add(production.test_cli_runner(), *oidc("--metadata", http, secret_file=secret_file))
    assert refused.exit_code == 2 and "--metadata: Use an https:// address" in refused.output
    testing = make_app()
    assert add(testing.test_cli_runner(), *oidc("--metadata", http, secret_file=secret_file)).exit_code == 0


def test_list_disable_and_enable(app, runner, secret_file, make_user):
    assert runner.invoke(args=["identity-provider", "list"]).output == "No identity provider is registered.\n"
    assert add(runner, *oidc(secret_file=secret_file)).exit_code == 0
    member = make_user(role="fellow")
    with app.app_context():
        provider_id = db.session.scalar(select(IdentityProvider.id))
        db.session.add(LinkedIdentity(user_id=member.id, provider_id=provider_id, subject="sub-1"))
        db.session.commit()
    listed = runner.invoke(args=["identity-provider", "list"])
    assert listed.output.split() == ["northbridge-health", "oidc", "on", "1", "linked", "Northbridge", "Health"]

    off = runner.invoke(args=["identity-provider", "disable", "northbridge-health"])
    assert off.exit_code == 0 and "Northbridge Health is turned off." in off.output
    assert not stored(app, "northbridge-health").enabled
    twice = runner.invoke(args=["identity-provider", "disable", "northbridge-health"])
    assert twice.exit_code == 2 and "turned off already" in twice.output
    on = runner.invoke(args=["identity-provider", "enable", "northbridge-health"])
    assert on.exit_code == 0 and stored(app, "northbridge-health").enabled
    unknown = runner.invoke(args=["identity-provider", "enable", "nowhere"])
    assert unknown.exit_code == 2 and "no identity provider has the address name 'nowhere'" in unknown.output
    assert [e.actor_id for e in entries(app, "identity-provider.disable") + entries(app, "identity-provider.enable")] \
        == [None, None]
