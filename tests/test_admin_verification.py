"""Pending members see only the pending page; admins verify or reject them, and it is audit-logged."""

from __future__ import annotations

from sqlalchemy import select

from network.audit.models import AuditLog
from network.extensions import db
from network.members.models import MemberStatus, User
from tests.conftest import outbox


def test_pending_member_sees_only_the_pending_page_and_their_account(app, make_user, login):
    member = make_user(status="pending", confirmed=False)
    client = login(app.test_client(), member)
    assert client.get("/").headers["Location"] == "/pending"
    page = client.get("/pending")
    assert b"waiting for verification" in page.data
    assert b"Send the link again" in page.data
    assert b"Admin" not in page.data
    assert client.get("/auth/account").status_code == 200
    assert client.get("/admin/members/pending").headers["Location"] == "/pending"


def test_admin_lists_pending_members_oldest_first(app, make_user, login):
    admin = make_user(role="admin")
    first = make_user(status="pending", name="Dr. First Waiting")
    second = make_user(status="pending", name="Dr. Second Waiting", confirmed=False)
    make_user(name="Dr. Already Verified")
    page = login(app.test_client(), admin).get("/admin/members/pending")
    assert page.status_code == 200
    text = page.data.decode()
    assert text.index(first.name) < text.index(second.name)
    assert "Dr. Already Verified" not in text
    assert "2 waiting" in text


def test_admin_verifies_a_confirmed_member(app, make_user, login):
    admin = make_user(role="admin")
    member = make_user(status="pending")
    client = login(app.test_client(), admin)
    response = client.post(f"/admin/members/{member.id}/verify", follow_redirects=True)
    assert b"is verified" in response.data
    with app.app_context():
        user = db.session.get(User, member.id)
        assert user.status == MemberStatus.VERIFIED and user.verified_by_id == admin.id
        [entry] = db.session.scalars(select(AuditLog)).all()
        assert (entry.actor_id, entry.action, entry.target_id) == (admin.id, "member.verify", member.id)
    assert [m.recipient for m in outbox(app, "member-verified")] == [member.email]
    # The member now gets the home page.
    member_client = login(app.test_client(), member)
    assert member_client.get("/").status_code == 200


def test_unconfirmed_member_cannot_be_verified_yet(app, make_user, login):
    admin = make_user(role="admin")
    member = make_user(status="pending", confirmed=False)
    response = login(app.test_client(), admin).post(f"/admin/members/{member.id}/verify", follow_redirects=True)
    assert b"has not confirmed their email" in response.data
    with app.app_context():
        assert db.session.get(User, member.id).status == MemberStatus.PENDING
        assert db.session.scalars(select(AuditLog)).all() == []


def test_rejected_member_is_signed_out_and_told(app, make_user, login):
    admin = make_user(role="admin")
    member = make_user(status="pending")
    member_client = login(app.test_client(), member)
    login(app.test_client(), admin).post(f"/admin/members/{member.id}/reject", data={"reason": "Not on a roster."})
    with app.app_context():
        assert db.session.get(User, member.id).status == MemberStatus.REJECTED
        assert db.session.scalars(select(AuditLog.action)).all() == ["member.reject"]
    assert member_client.get("/auth/account").status_code == 302
    assert [m.kind for m in outbox(app)] == ["member-rejected"]


def test_deciding_twice_or_on_unknown_members(app, make_user, login):
    admin = make_user(role="admin")
    member = make_user(status="pending")
    client = login(app.test_client(), admin)
    client.post(f"/admin/members/{member.id}/verify")
    again = client.post(f"/admin/members/{member.id}/reject", data={"reason": "Too late."}, follow_redirects=True)
    assert b"not waiting for verification" in again.data
    with app.app_context():
        assert db.session.get(User, member.id).status == MemberStatus.VERIFIED
    assert client.post("/admin/members/999999/verify").status_code == 404


def test_pending_list_pages(app, make_user, login):
    admin = make_user(role="admin")
    for _ in range(51):
        make_user(status="pending")
    client = login(app.test_client(), admin)
    assert b"Page 1 of 2" in client.get("/admin/members/pending").data
    assert client.get("/admin/members/pending?page=2").status_code == 200
    assert client.get("/admin/members/pending?page=3").status_code == 404
    assert client.get("/admin/members/pending?page=0").status_code == 404


def test_pending_list_query_count_does_not_grow(app, make_user, login, count_queries):
    admin = make_user(role="admin")
    client = login(app.test_client(), admin)
    client.get("/")  # the first request of a session also records "last seen"
    make_user(status="pending")
    with count_queries() as few:
        client.get("/admin/members/pending")
    for _ in range(30):
        make_user(status="pending")
    with count_queries() as many:
        client.get("/admin/members/pending")
    assert len(few) == len(many) <= 6
