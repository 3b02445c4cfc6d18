"""The admin wing: members (search, role, deactivate which ends sessions, reactivate), the index,
and the audit log (who, what, on what, when, from which address; filters; faculty see only theirs)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from network.audit.models import AuditLog
from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.types import utcnow
from tests.html_checks import check_page
from tests.test_programs import make_program


def test_index_links_to_every_admin_page(app, make_user, login):
    client = login(app.test_client(), make_user(role="admin"))
    page = client.get("/admin/")
    assert page.status_code == 200 and not check_page(page.data)
    html = page.get_data(as_text=True)
    for link in ("/admin/members/", "/admin/members/pending", "/admin/programs/", "/admin/taxonomy/", "/admin/audit"):
        assert f'href="{link}"' in html
    # Links to other areas' admin pages appear only when those pages exist.
    assert ("/discussions/moderation" in html) == ("discussions.moderation" in app.view_functions)
    assert ("Outbox" in html) == ("mail.outbox" in app.view_functions)


def test_member_search_filters_by_text_role_and_status(app, make_user, login):
    admin = make_user(role="admin")
    make_user(role="fellow", name="Dr. Findable Person", email="findme@example.org")
    make_user(role="alumni", name="Dr. Other")
    make_user(role="fellow", status="pending", name="Dr. Waiting")
    client = login(app.test_client(), admin)
    page = client.get("/admin/members/?q=findable")
    assert page.status_code == 200 and not check_page(page.data)
    assert b"findme@example.org" in page.data and b"Dr. Other" not in page.data
    assert b"findme@example.org" in client.get("/admin/members/?q=FINDME@").data
    alumni = client.get("/admin/members/?role=alumni").get_data(as_text=True)
    assert "Dr. Other" in alumni and "Dr. Findable" not in alumni
    pending = client.get("/admin/members/?status=pending").get_data(as_text=True)
    assert "Dr. Waiting" in pending and "Dr. Other" not in pending
    assert client.get("/admin/members/?role=wizard").status_code == 400


def test_change_role_is_audited_with_the_address(app, make_user, login):
    admin = make_user(role="admin")
    member = make_user(role="fellow")
    client = login(app.test_client(), admin)
    response = client.post(f"/admin/members/{member.id}/role", data={"role": "alumni"},
                           environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, member.id).role == Role.ALUMNI
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "member.role")).one()
        assert (entry.actor_id, entry.target_id, entry.ip) == (admin.id, member.id, "203.0.113.7")
        assert entry.details["before"] == "fellow" and entry.details["after"] == "alumni"
    assert client.post(f"/admin/members/{admin.id}/role", data={"role": "fellow"}).status_code == 409
    assert client.post(f"/admin/members/{member.id}/role", data={"role": "emperor"}).status_code == 400


def test_deactivation_ends_sessions_and_reactivation_restores(app, make_user, login):
    admin = make_user(role="admin")
    member = make_user(role="alumni")
    member_client = login(app.test_client(), member)
    assert member_client.get("/").status_code == 200
    admin_client = login(app.test_client(), admin)
    assert admin_client.post(f"/admin/members/{member.id}/deactivate", data={"confirm": "yes"}).status_code == 302
    kicked = member_client.get("/mentorship/")
    assert kicked.status_code == 302 and kicked.headers["Location"].startswith("/auth/login")
    refused = app.test_client().post("/auth/login", data={"email": member.email, "password": member.password})
    assert refused.status_code == 403 and b"deactivated by the site administrators" in refused.data
    listing = admin_client.get("/admin/members/?status=deactivated").get_data(as_text=True)
    assert member.email in listing and "Reactivate" in listing
    assert admin_client.post(f"/admin/members/{member.id}/deactivate", data={"confirm": "yes"}).status_code == 409
    assert admin_client.post(f"/admin/members/{member.id}/reactivate").status_code == 302
    with app.app_context():
        assert db.session.get(User, member.id).status == MemberStatus.VERIFIED
    back = app.test_client().post("/auth/login", data={"email": member.email, "password": member.password})
    assert back.status_code == 302
    assert admin_client.post(f"/admin/members/{admin.id}/deactivate", data={"confirm": "yes"}).status_code == 409


def test_audit_log_filters_and_pages(app, make_user, login):
    admin = make_user(role="admin", name="Dr. Auditor")
    client = login(app.test_client(), admin)
    targets = [make_user(role="fellow") for _ in range(3)]
    for target in targets:
        client.post(f"/admin/members/{target.id}/deactivate", data={"confirm": "yes"})
    client.post(f"/admin/members/{targets[0].id}/reactivate")
    with app.app_context():
        db.session.execute(update(AuditLog).where(AuditLog.action == "member.reactivate")
                           .values(created_at=utcnow() - timedelta(days=40)))
        db.session.commit()
    page = client.get("/admin/audit")
    assert page.status_code == 200 and not check_page(page.data)
    html = page.get_data(as_text=True)
    assert html.count("<code>member.deactivate</code>") == 3 and "Dr. Auditor" in html and "127.0.0.1" in html
    only = client.get("/admin/audit?action=member.react").get_data(as_text=True)
    assert "<code>member.reactivate</code>" in only and "<code>member.deactivate</code>" not in only
    recent = (utcnow() - timedelta(days=5)).date().isoformat()
    assert "<code>member.reactivate</code>" not in client.get(f"/admin/audit?since={recent}").get_data(as_text=True)
    assert client.get("/admin/audit?actor=nobody-like-this").get_data(as_text=True).count("<code>") == 0
    assert client.get("/admin/audit?since=yesterday").status_code == 400


def test_faculty_see_only_their_programs_entries(app, make_user, login):
    a = make_program(app, make_user, slug="program-a")
    b = make_program(app, make_user, slug="program-b")
    login(app.test_client(), a["director"]).post(f"/cohorts/{a['cohort']}/invitations",
                                                  data={"invite-emails": "a.person@example.org"})
    login(app.test_client(), b["director"]).post(f"/cohorts/{b['cohort']}/invitations",
                                                  data={"invite-emails": "b.person@example.org"})
    login(app.test_client(), make_user(role="admin")).post(
        f"/admin/members/{make_user(role='fellow').id}/deactivate", data={"confirm": "yes"})
    page = login(app.test_client(), a["director"]).get("/admin/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<code>cohort.invite</code>") == 1 and f"cohort {a['cohort']}" in html
    assert "member.deactivate" not in html
    # Faculty see who acted, never a mail address (their own invitees' included) or an IP address.
    assert "a.person@example.org" not in html and "b.person@example.org" not in html and "127.0.0.1" not in html
