"""Registering identity providers on the admin pages: the form's rules (shared with the CLI), the values an
IT office copies, turning a provider off and on, who may do it, and the client secret kept out of every
page, the audit log and the logs."""

from __future__ import annotations

import io
import logging
import re

import pytest
from sqlalchemy import select

from network.audit.models import AuditLog
from network.extensions import db
from network.identity.models import IdentityProvider, LinkedIdentity, ProviderKind
from network.identity.secrets import client_secret
from network.programs.models import Program
from tests.conftest import sign_in_session
from tests.html_checks import check_page
from tests.identity.registration_standins import SAML_DOCUMENTS, saml_metadata

SECRET = "s3cr3t-Value-nobody-may-see-7f2a"
DISCOVERY = "https://login.northbridge.example/tenant/v2.0/.well-known/openid-configuration"
NEW_OIDC = "/admin/identity-providers/new/oidc"
NEW_SAML = "/admin/identity-providers/new/saml"
OIDC_FORM = {"name": "Northbridge Health", "slug": "", "metadata_url": DISCOVERY, "client_id": "client-123",
             "client_secret": SECRET, "email_domains": "Northbridge.org, nbhealth.org", "program": "",
             "verifies_members": "y", "role_claim": "roles", "role_map": "staff = faculty\nresident = fellow",
             "enabled": "y"}


@pytest.fixture
def app(registering_app):
    return registering_app(RATELIMIT_ENABLED=False)


@pytest.fixture
def admin(app, make_user, client):
    sign_in_session(client, app, make_user(role="admin"))
    return client


def provider(app, slug: str) -> IdentityProvider:
    with app.app_context():
        found = db.session.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug))
        db.session.expunge_all()
        return found


def audit(app, action: str) -> list[AuditLog]:
    with app.app_context():
        entries = db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()
        db.session.expunge_all()
        return entries


def error_of(body: str, field: str) -> str:
    """The error message tied to the field (``<field>-error``), which its input names in aria-describedby."""
    match = re.search(rf'<div id="{field}-error"[^>]*>([^<]*)</div>', body)
    assert match, f"no error shown on {field}"
    assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error', body) or \
        re.search(rf'aria-describedby="[^"]*{field}-error[^"]*"[^>]*id="{field}"', body), f"{field}: error not tied"
    return match.group(1)


def test_an_admin_registers_an_oidc_provider_and_its_page_shows_the_redirect_uri(app, admin, caplog):
    caplog.set_level(logging.DEBUG)
    form = admin.get(NEW_OIDC)
    assert form.status_code == 200 and check_page(form.data) == []
    response = admin.post(NEW_OIDC, data=OIDC_FORM)
    assert response.status_code == 302
    saved = provider(app, "northbridge-health")
    assert response.location == f"/admin/identity-providers/{saved.id}"
    assert (saved.kind, saved.name, saved.metadata_url, saved.client_id) == (
        ProviderKind.OIDC, "Northbridge Health", DISCOVERY, "client-123")
    assert saved.email_domains == "northbridge.org nbhealth.org"
    assert saved.role_map == {"staff": "faculty", "resident": "fellow"} and saved.role_claim == "roles"
    assert saved.verifies_members and saved.enabled and saved.program_id is None
    assert SECRET not in saved.client_secret_sealed
    with app.app_context():
        assert client_secret(saved) == SECRET

    page = admin.get(response.location)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and check_page(page.data) == []
    assert "http://127.0.0.1:5000/auth/login/with/northbridge-health/return" in body
    assert "Leave it empty to keep the current secret" in body
    entry, = audit(app, "identity-provider.register")
    assert entry.details["slug"] == "northbridge-health" and entry.actor_id is not None
    assert SECRET not in str(entry.details)
    assert SECRET not in caplog.text and "northbridge-health" in caplog.text


def test_a_saml_provider_from_pasted_xml_an_upload_or_an_address_shows_entity_id_metadata_and_acs(app, admin):
    pasted = admin.post(NEW_SAML, data={"name": "State University", "metadata_xml": saml_metadata(
        "https://idp.state.example/idp"), "email_domains": "state.edu", "role_claim": "eduPersonAffiliation",
        "role_map": "faculty = faculty\nstudent = fellow", "enabled": "y"})
    assert pasted.status_code == 302
    uploaded = admin.post(NEW_SAML, data={"name": "Lakeside College", "metadata_url": "", "enabled": "y",
                                          "metadata_file": (io.BytesIO(saml_metadata("https://idp.lakeside.example")
                                                                       .encode()), "idp.xml")})
    assert uploaded.status_code == 302
    fetched = admin.post(NEW_SAML, data={"name": "Northbridge SAML", "slug": "nb-saml",
                                         "metadata_url": next(iter(SAML_DOCUMENTS))})
    assert fetched.status_code == 302
    state, lakeside, northbridge = (provider(app, s) for s in ("state-university", "lakeside-college", "nb-saml"))
    assert (state.entity_id, state.metadata_url) == ("https://idp.state.example/idp", "")
    assert lakeside.entity_id == "https://idp.lakeside.example"
    assert northbridge.metadata_url == next(iter(SAML_DOCUMENTS)) and not northbridge.enabled
    assert state.client_id == "" and state.client_secret_sealed == ""

    page = admin.get(pasted.location)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and check_page(page.data) == []
    assert "https://idp.state.example/idp" in body
    assert body.count("http://127.0.0.1:5000/auth/login/with/state-university/metadata") == 2  # entity id, metadata
    assert "http://127.0.0.1:5000/auth/login/with/state-university/return" in body
    assert "Client secret" not in body


BAD = [
    ("name", {"name": ""}, "Enter the name people see"),
    ("name", {"name": "N" * 121}, "at most 120"),
    ("slug", {"slug": "North Bridge!"}, "lower-case letters"),
    ("metadata_url", {"metadata_url": ""}, "discovery URL"),
    ("metadata_url", {"metadata_url": "https://login.example.org/authorize"}, "not an OpenID Connect discovery"),
    ("metadata_url", {"metadata_url": "https://login.example.invalid/.well-known/openid-configuration"},
     "does not answer"),
    ("client_id", {"client_id": ""}, "client (application) id"),
    ("client_secret", {"client_secret": ""}, "Enter the client secret"),
    ("email_domains", {"email_domains": "northbridge.org not_a_domain"}, "“not_a_domain” is not a domain"),
    ("email_domains", {"email_domains": "northbridge"}, "is not a domain"),
    ("program", {"program": "no-such-program"}, "No program has the address name"),
    ("role_map", {"role_map": "staff = admin"}, "“admin” is not a role a provider may give"),
    ("role_map", {"role_map": "staff faculty"}, "value = role"),
    ("role_map", {"role_claim": "roles", "role_map": ""}, "Map at least one value"),
    ("role_claim", {"role_claim": ""}, "Name the claim"),
]


@pytest.mark.parametrize(("field", "change", "message"), BAD, ids=[f"{f}-{n}" for n, (f, _, _) in enumerate(BAD)])
def test_each_rule_refuses_the_form_with_a_message_on_its_field(app, admin, field, change, message):
    response = admin.post(NEW_OIDC, data={**OIDC_FORM, **change})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in error_of(body, field)
    assert check_page(response.data) == []
    assert SECRET not in body  # a refused form never sends the secret back
    with app.app_context():
        assert db.session.scalar(select(IdentityProvider.id)) is None


SAML_BAD = [
    ("metadata_url", {}, "metadata URL, or give its metadata XML"),
    ("metadata_xml", {"metadata_xml": "<not metadata"}, "That is not XML"),
    ("metadata_file", {"metadata_file": (b"<html></html>", "idp.xml")}, "not an identity provider"),
    ("metadata_url", {"metadata_url": "https://idp.unknown.invalid/metadata"}, "does not answer"),
    ("role_map", {"role_claim": "eduPersonAffiliation", "role_map": "student = administrator"}, "not a role"),
]


@pytest.mark.parametrize(("field", "change", "message"), SAML_BAD, ids=[f for f, _, _ in SAML_BAD])
def test_each_saml_metadata_problem_is_shown_on_the_field_it_came_from(app, admin, field, change, message):
    # A file is sent from a fresh stream each time (the SQLite and PostgreSQL runs share the parameters).
    change = {name: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
              for name, value in change.items()}
    response = admin.post(NEW_SAML, data={"name": "State University", "enabled": "y", **change})
    assert response.status_code == 400
    assert message in error_of(response.get_data(as_text=True), field)
    assert check_page(response.data) == []


def test_a_taken_address_name_and_a_registered_saml_idp_are_refused(app, admin):
    assert admin.post(NEW_OIDC, data=OIDC_FORM).status_code == 302
    again = admin.post(NEW_OIDC, data=OIDC_FORM)
    assert again.status_code == 400
    assert "“northbridge-health” (made from the name) is taken by Northbridge Health" in error_of(
        again.get_data(as_text=True), "slug")
    xml = saml_metadata("https://idp.state.example/idp")
    assert admin.post(NEW_SAML, data={"name": "State", "metadata_xml": xml}).status_code == 302
    twice = admin.post(NEW_SAML, data={"name": "State again", "metadata_xml": xml})
    assert twice.status_code == 400
    assert "is registered already, as State" in error_of(twice.get_data(as_text=True), "metadata_xml")


def test_http_discovery_is_refused_in_production_and_accepted_in_testing(app, make_app, standin_protocols,
                                                                          make_user):
    http_url = "http://login.northbridge.example/.well-known/openid-configuration"
    production = make_app(DEPLOYMENT="production", SECRET_KEY="a-long-production-like-secret-for-tests-0123456789",
                          TWO_FACTOR_REQUIRED_ROLES=(), RATELIMIT_ENABLED=False, PUBLIC_URL="https://localhost",
                          PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    client = production.test_client()
    sign_in_session(client, production, make_user(role="admin"))
    form = client.get(NEW_OIDC, base_url="https://localhost")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    refused = client.post(NEW_OIDC, base_url="https://localhost", headers={"Referer": "https://localhost" + NEW_OIDC},
                          data={**OIDC_FORM, "metadata_url": http_url, "csrf_token": token})
    assert refused.status_code == 400
    assert "Use an https:// address" in error_of(refused.get_data(as_text=True), "metadata_url")
    assert provider(production, "northbridge-health") is None

    testing = app.test_client()
    sign_in_session(testing, app, make_user(role="admin"))
    assert testing.post(NEW_OIDC, data={**OIDC_FORM, "metadata_url": http_url}).status_code == 302


def test_editing_keeps_a_blank_secret_and_audits_which_fields_changed_never_the_secret(app, admin, caplog):
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        db.session.add(Program(slug="northbridge-pain", name="Northbridge Pain Fellowship", institution="NB"))
        db.session.commit()
    created = admin.post(NEW_OIDC, data=OIDC_FORM)
    url = created.location
    page = admin.get(url).get_data(as_text=True)
    assert 'value="northbridge.org nbhealth.org"' in page and "staff = faculty" in page and SECRET not in page

    kept = admin.post(url, data={**OIDC_FORM, "client_secret": "", "email_domains": "northbridge.org",
                                 "program": "northbridge-pain"})
    assert kept.status_code == 302
    saved = provider(app, "northbridge-health")
    with app.app_context():
        assert client_secret(saved) == SECRET
        assert saved.program_id == db.session.scalar(select(Program.id)) and saved.email_domains == "northbridge.org"
    first, = audit(app, "identity-provider.update")
    assert first.details["changed"] == ["email_domains", "program_id"]

    new_secret = "an0ther-secret-for-rotation-91"
    assert admin.post(url, data={**OIDC_FORM, "client_secret": new_secret, "email_domains": "northbridge.org",
                                 "program": "northbridge-pain", "slug": "nb"}).status_code == 302
    renamed = provider(app, "nb")
    with app.app_context():
        assert client_secret(renamed) == new_secret
    _, second = audit(app, "identity-provider.update")
    assert second.details["changed"] == ["slug", "client_secret"]
    log_page = admin.get("/admin/audit").get_data(as_text=True)
    assert "client_secret" in log_page
    for secret in (SECRET, new_secret):
        assert secret not in log_page and secret not in str(second.details) and secret not in caplog.text
        for path in ("/admin/identity-providers/", url, "/admin/"):
            assert secret not in admin.get(path).get_data(as_text=True)


def test_an_unchanged_address_is_not_read_again_unless_asked(app, admin, monkeypatch):
    created = admin.post(NEW_OIDC, data=OIDC_FORM)
    reads = []
    from network.identity import protocols

    read = protocols.PROTOCOLS[ProviderKind.OIDC].read_metadata
    monkeypatch.setattr(protocols.PROTOCOLS[ProviderKind.OIDC], "read_metadata",
                        lambda source, **kw: reads.append(source) or read(source, **kw))
    assert admin.post(created.location, data={**OIDC_FORM, "client_secret": ""}).status_code == 302
    assert reads == []
    assert admin.post(created.location, data={**OIDC_FORM, "client_secret": "", "reread": "y"}).status_code == 302
    assert reads == [DISCOVERY]


def test_turning_off_asks_first_then_turning_on_again_is_audited(app, admin):
    created = admin.post(NEW_OIDC, data=OIDC_FORM)
    saved = provider(app, "northbridge-health")
    disable = f"/admin/identity-providers/{saved.id}/disable"
    asked = admin.post(disable)
    assert asked.status_code == 200 and "Turn off sign-in with Northbridge Health?" in asked.get_data(as_text=True)
    assert provider(app, "northbridge-health").enabled
    done = admin.post(disable, data={"confirm": "yes"})
    assert done.status_code == 302 and done.location == created.location
    assert not provider(app, "northbridge-health").enabled
    assert "Turn on" in admin.get(created.location).get_data(as_text=True)
    again = admin.post(disable, data={"confirm": "yes"})
    assert again.status_code == 409
    enable = f"/admin/identity-providers/{saved.id}/enable"
    assert admin.post(enable).status_code == 302 and provider(app, "northbridge-health").enabled
    assert admin.post(enable).status_code == 409
    assert len(audit(app, "identity-provider.disable")) == 1 and len(audit(app, "identity-provider.enable")) == 1


def test_the_list_shows_kind_program_state_and_linked_members(app, admin, make_user):
    empty = admin.get("/admin/identity-providers/")
    assert "No identity provider yet" in empty.get_data(as_text=True)
    alumna, fellow = make_user(role="alumni"), make_user(role="fellow")
    with app.app_context():
        program = Program(slug="lakeside", name="Lakeside Pain Fellowship", institution="Lakeside")
        db.session.add(program)
        db.session.flush()
        one = IdentityProvider(slug="one", kind=ProviderKind.SAML, name="Alpha University", program_id=program.id,
                               entity_id="https://alpha.example")
        two = IdentityProvider(slug="two", kind=ProviderKind.OIDC, name="Beta Health", enabled=False)
        db.session.add_all([one, two])
        db.session.flush()
        db.session.add_all([LinkedIdentity(user_id=alumna.id, provider_id=one.id, subject="a"),
                            LinkedIdentity(user_id=fellow.id, provider_id=one.id, subject="f"),
                            LinkedIdentity(user_id=fellow.id, provider_id=one.id, subject="f-old")])
        db.session.commit()
    page = admin.get("/admin/identity-providers/")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and check_page(page.data) == []
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)[1:]
    text = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]
    assert text == ["Alpha University SAML 2.0 Lakeside Pain Fellowship on 2", "Beta Health OpenID Connect — off 0"]
    assert 'data-label="Linked members"' in body and "table-stack" in body
    assert admin.get("/admin/identity-providers/?page=2").status_code == 404


@pytest.mark.parametrize("role", ["fellow", "alumni", "faculty"])
def test_members_who_are_not_admins_are_refused_and_visitors_sent_to_sign_in(app, make_user, role):
    with app.app_context():
        db.session.add(IdentityProvider(slug="one", kind=ProviderKind.OIDC, name="One", client_id="c"))
        db.session.commit()
        provider_id = db.session.scalar(select(IdentityProvider.id))
    pages = [("GET", "/admin/identity-providers/"), ("GET", NEW_OIDC), ("POST", NEW_OIDC),
             ("GET", f"/admin/identity-providers/{provider_id}"), ("POST", f"/admin/identity-providers/{provider_id}"),
             ("POST", f"/admin/identity-providers/{provider_id}/disable"),
             ("POST", f"/admin/identity-providers/{provider_id}/enable")]
    member = app.test_client()
    sign_in_session(member, app, make_user(role=role))
    visitor = app.test_client()
    for method, path in pages:
        assert member.open(path, method=method, data=OIDC_FORM).status_code == 403, path
        response = visitor.open(path, method=method, data=OIDC_FORM)
        assert response.status_code in (302, 403) and (response.status_code == 403 or
                                                       response.location.startswith("/auth/login")), path
    assert provider(app, "one").enabled and provider(app, "northbridge-health") is None


def test_an_unknown_kind_or_provider_is_404(admin):
    assert admin.get("/admin/identity-providers/new/ldap").status_code == 404
    assert admin.get("/admin/identity-providers/999").status_code == 404
    assert admin.post("/admin/identity-providers/999/disable", data={"confirm": "yes"}).status_code == 404
