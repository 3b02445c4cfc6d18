"""A first sign-in through a provider: a new member in the provider's program, verified or waiting as the
provider says, with a role from the claim mapping or asked once; no password."""

from __future__ import annotations

from sqlalchemy import select

from network.audit.models import AuditLog
from network.extensions import db
from network.identity.models import LinkedIdentity
from network.members.models import NO_PASSWORD, MemberStatus, Role, User
from network.programs.models import CohortMembership
from tests.identity.conftest import through_provider
from tests.test_programs import make_program


def member(app, email="ada@northbridge.org"):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def audit(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()


def test_a_first_sign_in_makes_a_verified_member_in_the_providers_program(app, client, make_user, make_provider):
    program = make_program(app, make_user)
    make_provider(program_id=program["program"], verifies_members=True, role_claim="groups",
                  role_map={"fellows": "fellow", "staff": "faculty"})
    response = through_provider(client, claims={"groups": "library fellows staff"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = member(app)
    assert user.name == "Dr. Ada Quinn" and user.role == Role.FELLOW  # the first value that maps wins
    assert user.status == MemberStatus.VERIFIED and user.email_confirmed
    assert user.password_hash == NO_PASSWORD and not user.has_password and not user.check_password(NO_PASSWORD)
    with app.app_context():
        assert db.session.get(User, user.id).registration.program_id == program["program"]
        link = db.session.scalar(select(LinkedIdentity).where(LinkedIdentity.user_id == user.id))
        assert link.subject == "nb-0001" and link.email == "ada@northbridge.org" and link.last_used_at
    assert client.get("/").status_code == 200  # signed in, a verified member
    assert [e.details["provider"] for e in audit(app, "identity.join")] == ["northbridge"]
    assert audit(app, "identity.link")[0].details == {"provider": "northbridge", "how": "new-member"}


def test_a_provider_that_does_not_vouch_leaves_the_member_waiting(app, client, make_provider):
    make_provider(verifies_members=False, role_claim="groups", role_map={"staff": "faculty"})
    response = through_provider(client, claims={"groups": "staff"})
    assert response.status_code == 302
    user = member(app)
    assert user.status == MemberStatus.PENDING and user.role == Role.FACULTY
    assert client.get("/").headers["Location"] == "/pending"


def test_the_role_is_asked_once_when_no_claim_maps(app, client, make_provider):
    make_provider(verifies_members=True, role_claim="groups", role_map={"boss": "admin", "staff": "faculty"})
    response = through_provider(client, claims={"groups": "boss"})  # "admin" is never given by a claim
    assert response.headers["Location"] == "/auth/login/new-member"
    assert member(app) is None
    page = client.get("/auth/login/new-member")
    assert page.status_code == 200 and b"One question" in page.data and b'value="admin"' not in page.data
    assert client.post("/auth/login/new-member", data={"role": "admin"}).status_code == 400
    assert member(app) is None
    response = client.post("/auth/login/new-member", data={"role": "alumni"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert member(app).role == Role.ALUMNI
    # Asked once: the next sign-in goes straight in, and the page has nothing left to ask.
    client.post("/auth/logout")
    assert through_provider(client).headers["Location"] == "/"
    assert client.get("/auth/login/new-member").headers["Location"] == "/auth/login"


def test_an_open_invitation_gives_the_role_and_the_class_waits_for_consent(app, client, make_user, make_provider):
    from tests.test_cohort_consent import put_in_cohort

    program = make_program(app, make_user)
    director = client.application.test_client()
    from tests.conftest import sign_in_session
    sign_in_session(director, app, program["director"])
    put_in_cohort(app, director, "invite form", program["cohort"], "ada@northbridge.org")
    make_provider(program_id=program["program"], verifies_members=True)
    response = through_provider(client)
    assert response.headers["Location"] == "/"  # no role asked: the invitation says fellow
    user = member(app)
    assert user.role == Role.FELLOW
    with app.app_context():
        # Not placed in the class: only accepting the invitation does that (the consent rule).
        assert db.session.scalar(select(CohortMembership).where(CohortMembership.user_id == user.id)) is None
    assert b"open the link in the invitation mail" in client.get("/").data


def test_an_email_the_provider_did_not_verify_gets_a_confirmation_mail(app, client, make_provider):
    from tests.conftest import outbox

    make_provider(verifies_members=False, role_claim="groups", role_map={"staff": "faculty"})
    through_provider(client, email_verified=False, claims={"groups": "staff"})
    user = member(app)
    assert not user.email_confirmed and user.status == MemberStatus.PENDING
    assert [m.recipient for m in outbox(app, "confirm-email")] == ["ada@northbridge.org"]
