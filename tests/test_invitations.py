"""Invitations into a cohort in every state: sent (mailed, accepted by registering or by an
existing member signing in), accepted (single use), expired, revoked, and resent (old link dead)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from network.audit.models import AuditLog
from network.cohorts.models import Invitation, InvitationStatus
from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.programs.models import CohortMembership
from network.types import utcnow
from tests.conftest import outbox
from tests.html_checks import check_page
from tests.test_programs import make_program

PASSWORD = "a long enough passphrase 2026"


def invite(app, login, setup, emails, role="fellow"):
    client = login(app.test_client(), setup["director"])
    return client.post(f"/cohorts/{setup['cohort']}/invitations",
                       data={"invite-emails": emails, "invite-role": role})


def link_for(app, email):
    """The newest invitation link mailed to ``email`` (the mail is its only copy)."""
    mails = [m for m in outbox(app, "cohort-invitation") if m.recipient == email]
    assert mails, f"no invitation mailed to {email}"
    return re.search(r"http://[^/\s]+(/invitations/[\w-]+)", mails[-1].text_body).group(1)


def test_invitation_is_mailed_and_registering_joins_the_cohort_verified(app, make_user, login):
    setup = make_program(app, make_user)
    response = invite(app, login, setup, "New.Fellow@Example.org, second@example.org")
    assert response.status_code == 302
    path = link_for(app, "new.fellow@example.org")
    with app.app_context():
        stored = db.session.scalars(select(Invitation).where(Invitation.email == "new.fellow@example.org")).one()
        assert path.rsplit("/", 1)[1] not in stored.token_hash  # only a hash is kept
        assert stored.expires_at - stored.sent_at == timedelta(days=7)
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and not check_page(page.data)
    assert b"new.fellow@example.org" in page.data
    weak = visitor.post(path, data={"name": "Dr. New Fellow", "password": "short"})
    assert weak.status_code == 400
    joined = visitor.post(path, data={"name": "Dr. New Fellow", "password": PASSWORD})
    assert joined.status_code == 302 and joined.headers["Location"] == "/"
    assert visitor.get("/").status_code == 200  # signed in and verified: no pending page
    found = visitor.get("/members/?q=New+Fellow").data.decode()
    assert ">Dr. New Fellow</a>" in found  # in the directory by name before writing a profile
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "new.fellow@example.org")).one()
        assert user.status == MemberStatus.VERIFIED and user.role == Role.FELLOW and user.email_confirmed
        assert db.session.scalar(select(CohortMembership.role).filter_by(cohort_id=setup["cohort"], user_id=user.id))
        stored = db.session.get(Invitation, stored.id)
        assert stored.status == InvitationStatus.ACCEPTED and stored.accepted_by_id == user.id
        assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "invitation.accept")) is not None
    # Single use: the same link again explains itself and creates nothing.
    again = app.test_client().get(path)
    assert again.status_code == 410 and b"used already" in again.data


def test_expired_and_revoked_links_are_refused_with_their_reason(app, make_user, login):
    setup = make_program(app, make_user)
    invite(app, login, setup, "late@example.org\nrevoked@example.org")
    late, revoked = link_for(app, "late@example.org"), link_for(app, "revoked@example.org")
    with app.app_context():
        db.session.execute(update(Invitation).where(Invitation.email == "late@example.org")
                           .values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        revoked_id = db.session.scalar(select(Invitation.id).where(Invitation.email == "revoked@example.org"))
    director = login(app.test_client(), setup["director"])
    revoke = director.post(f"/cohorts/{setup['cohort']}/invitations/{revoked_id}/revoke", data={"confirm": "yes"})
    assert revoke.status_code == 302
    expired_page = app.test_client().post(late, data={"name": "Dr. Late", "password": PASSWORD})
    assert expired_page.status_code == 410 and b"expired" in expired_page.data
    revoked_page = app.test_client().get(revoked)
    assert revoked_page.status_code == 410 and b"withdrawn" in revoked_page.data
    assert app.test_client().get("/invitations/not-a-real-token").status_code == 404
    roster = director.get(f"/cohorts/{setup['cohort']}").get_data(as_text=True)
    assert "1 expired" in roster and "1 revoked" in roster and "0 accepted" in roster
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.email.in_(["late@example.org", "revoked@example.org"]))) \
            is None
    # A revoked invitation cannot be revoked or resent again.
    assert director.post(f"/cohorts/{setup['cohort']}/invitations/{revoked_id}/resend").status_code == 409


def test_resend_gives_a_new_link_and_kills_the_old_one(app, make_user, login):
    setup = make_program(app, make_user)
    invite(app, login, setup, "again@example.org")
    first = link_for(app, "again@example.org")
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id).where(Invitation.email == "again@example.org"))
        db.session.execute(update(Invitation).where(Invitation.id == invitation_id)
                           .values(expires_at=utcnow() - timedelta(days=1)))  # expired: resend revives
        db.session.commit()
    director = login(app.test_client(), setup["director"])
    assert director.post(f"/cohorts/{setup['cohort']}/invitations/{invitation_id}/resend").status_code == 302
    second = link_for(app, "again@example.org")
    assert second != first
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_existing_member_signs_in_and_joins_instead_of_registering(app, make_user, login):
    setup = make_program(app, make_user)
    member = make_user(role="fellow", email="already@example.org")
    other = make_user(role="fellow", email="someone.else@example.org")
    invite(app, login, setup, "Already@example.org")
    path = link_for(app, "already@example.org")
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == f"/auth/login?next={path}"
    signed_in = app.test_client().post(anonymous.headers["Location"],
                                       data={"email": member.email, "password": member.password})
    assert signed_in.headers["Location"] == path  # back to the invitation after signing in
    wrong = login(app.test_client(), other).get(path)
    assert wrong.status_code == 403 and b"someone.else@example.org" in wrong.data
    client = login(app.test_client(), member)
    confirm = client.get(path)
    assert confirm.status_code == 200 and b"Join Class of 2027" in confirm.data and b"password" not in confirm.data
    assert client.post(path).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CohortMembership.id).filter_by(cohort_id=setup["cohort"], user_id=member.id))
        accounts = select(db.func.count()).select_from(User).where(User.email == "already@example.org")
        assert db.session.scalar(accounts) == 1


def test_inviting_someone_already_in_or_invited_is_skipped(app, make_user, login):
    setup = make_program(app, make_user, fellows=1)
    invite(app, login, setup, "waiting@example.org")
    response = invite(app, login, setup, f"waiting@example.org, {setup['fellows'][0].email}, fresh@example.org")
    assert response.status_code == 302
    with app.app_context():
        emails = db.session.scalars(select(Invitation.email).order_by(Invitation.id)).all()
    assert emails == ["waiting@example.org", "fresh@example.org"]
    bad = invite(app, login, setup, "not-an-email, fine@example.org")
    assert bad.status_code == 400 and b"not-an-email" in bad.data


def test_invitation_list_filters_by_state_and_pages(app, make_user, login):
    setup = make_program(app, make_user)
    director = login(app.test_client(), setup["director"])
    emails = [f"person{n:02d}@example.org" for n in range(45)]
    assert invite(app, login, setup, ", ".join(emails)).status_code == 302
    assert invite(app, login, setup, ", ".join(f"more{n:02d}@example.org" for n in range(15))).status_code == 302
    with app.app_context():
        db.session.execute(update(Invitation).where(Invitation.email.like("more%"))
                           .values(expires_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    page = director.get(f"/cohorts/{setup['cohort']}")
    assert not check_page(page.data)
    first = page.get_data(as_text=True)
    assert "45 sent · 0 accepted · 15 expired · 0 revoked" in first
    assert first.count("Resend<span") == 50 and "Page 1 of 2" in first
    second = director.get(f"/cohorts/{setup['cohort']}?page=2").get_data(as_text=True)
    assert second.count("Resend<span") == 10
    expired = director.get(f"/cohorts/{setup['cohort']}?state=expired").get_data(as_text=True)
    table = expired[expired.index('id="invitations"'):]
    assert table.count("<th scope=\"row\">more") == 15 and "person" not in table
    assert director.get(f"/cohorts/{setup['cohort']}?state=lost").status_code == 400


def test_signing_up_from_an_invitation_starts_a_new_session(app, make_user, login):
    setup = make_program(app, make_user)
    invite(app, login, setup, "new.fellow@example.org")
    path = link_for(app, "new.fellow@example.org")
    visitor = app.test_client()
    visitor.get(path)
    # An attacker got this browser to carry a session of their choosing (planted values included).
    with visitor.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["_two_factor"] = True
    planted_cookie = visitor.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    joined = visitor.post(path, data={"name": "Dr. New Fellow", "password": PASSWORD})
    assert joined.status_code == 302
    after = visitor.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert after != planted_cookie
    with visitor.session_transaction() as session:
        assert "planted" not in session and "_two_factor" not in session
    assert visitor.get("/auth/account").status_code == 200
    # The attacker's copy of the session they planted opens nothing.
    attacker = app.test_client()
    attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], planted_cookie)
    assert attacker.get("/auth/account").headers["Location"].startswith("/auth/login")
