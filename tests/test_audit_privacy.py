"""The audit log's filters take what is typed literally (``%``, ``_`` and ``\\`` are not wildcards), and
faculty see members' names, never their mail or IP addresses: not on the page, not through a filter probe."""

from __future__ import annotations

import pytest

from network.audit.models import AuditLog
from network.extensions import db
from tests.test_programs import make_program

HIDDEN_EMAIL = "secret.person@hidden.example"
HIDDEN_IP = "198.51.100.23"


@pytest.fixture
def program_with_entry(app, make_user):
    """Program A, its director, and an entry in its log by a fellow whose address faculty must not learn."""
    program = make_program(app, make_user, slug="program-a")
    fellow = make_user(role="fellow", name="Dr. Visible Name", email=HIDDEN_EMAIL)
    with app.app_context():
        db.session.add(AuditLog(actor_id=fellow.id, action="invitation.accept", target_type="invitation",
                                target_id=1, ip=HIDDEN_IP, program_id=program["program"],
                                details={"email": HIDDEN_EMAIL, "emails": [HIDDEN_EMAIL], "count": 1}))
        db.session.commit()
    return program


def _rows(client, actor: str) -> int:
    page = client.get("/admin/audit", query_string={"actor": actor})
    assert page.status_code == 200
    return page.get_data(as_text=True).count("<code>invitation.accept</code>")


@pytest.mark.parametrize("probe", ["secret", "secret.p", "hidden.example", "s%hidden", "_ecret", "%@hidden%",
                                   "secret.person@hidden.example"])
def test_faculty_cannot_find_an_entry_by_its_actors_email(app, login, program_with_entry, probe):
    client = login(app.test_client(), program_with_entry["director"])
    assert _rows(client, probe) == 0


@pytest.mark.parametrize("probe", ["%", "_", "Dr.%Name", "Dr_Visible", "\\"])
def test_wildcards_in_the_actor_filter_are_literal(app, login, make_user, program_with_entry, probe):
    assert _rows(login(app.test_client(), program_with_entry["director"]), probe) == 0
    assert _rows(login(app.test_client(), make_user(role="admin")), probe) == 0


def test_wildcards_in_the_action_filter_are_literal(app, login, make_user, program_with_entry):
    client = login(app.test_client(), make_user(role="admin"))
    for probe in ("%accept", "_nvitation", "invitation_accept"):
        page = client.get("/admin/audit", query_string={"action": probe}).get_data(as_text=True)
        assert "<code>invitation.accept</code>" not in page, probe
    assert "<code>invitation.accept</code>" in client.get("/admin/audit?action=invitation.").get_data(as_text=True)


def test_faculty_find_by_name_and_see_no_addresses(app, login, program_with_entry):
    client = login(app.test_client(), program_with_entry["director"])
    assert _rows(client, "visible name") == 1
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Dr. Visible Name" in html and "<code>invitation.accept</code>" in html
    assert HIDDEN_EMAIL not in html and "hidden.example" not in html
    assert HIDDEN_IP not in html and "From address" not in html
    assert "count: 1" in html


def test_admins_still_find_by_email_and_see_addresses(app, login, make_user, program_with_entry):
    client = login(app.test_client(), make_user(role="admin"))
    assert _rows(client, "secret.person@") == 1
    html = client.get("/admin/audit").get_data(as_text=True)
    assert HIDDEN_EMAIL in html and HIDDEN_IP in html


def test_member_search_takes_wildcards_literally(app, login, make_user):
    make_user(role="fellow", name="Dr. Plain", email="plain@example.org")
    client = login(app.test_client(), make_user(role="admin"))
    assert "plain@example.org" in client.get("/admin/members/?q=plain@").get_data(as_text=True)
    for probe in ("%", "_lain", "p%n"):
        assert "plain@example.org" not in client.get("/admin/members/", query_string={"q": probe}).get_data(
            as_text=True), probe
