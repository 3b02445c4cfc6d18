"""``flask demo`` seeds a believable network, idempotently, with the documented sign-ins."""

from __future__ import annotations

from sqlalchemy import func, select

from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.programs.models import Cohort, CohortMembership, Program
from network.taxonomy.models import Specialty


def counts(app):
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (User, Program, Cohort, CohortMembership)}


def test_demo_seeds_programs_cohorts_and_members_of_every_role(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for email in ("admin@example.org", "faculty@example.org", "fellow@example.org", "alumni@example.org"):
        assert email in result.output
    assert "demo-password-2026" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(func.distinct(Program.institution)))) >= 3
        assert db.session.scalar(select(func.count()).where(Cohort.graduated_at.is_not(None))) >= 1
        assert db.session.scalar(select(func.count()).select_from(User)) >= 60
        roles = set(db.session.scalars(select(User.role).distinct()))
        assert roles == set(Role)
        backgrounds = set(db.session.scalars(
            select(Specialty.slug).join(User, User.training_background_id == Specialty.id).distinct()))
        assert {"anesthesiology", "pmr", "neurology", "psychiatry", "family-medicine",
                "emergency-medicine"} <= backgrounds
        assert db.session.scalar(select(func.count()).where(User.status == MemberStatus.PENDING)) >= 1


def test_demo_is_idempotent(app, runner):
    runner.invoke(args=["demo"])
    first = counts(app)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0
    assert counts(app) == first


def test_demo_if_empty_leaves_a_used_database_alone(app, runner, make_user):
    make_user()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert "not added" in result.output
    assert counts(app)["User"] == 1


def test_demo_sign_ins_work(app, runner):
    runner.invoke(args=["demo"])
    expected = {"admin@example.org": Role.ADMIN, "faculty@example.org": Role.FACULTY,
                "fellow@example.org": Role.FELLOW, "alumni@example.org": Role.ALUMNI}
    for email, role in expected.items():
        client = app.test_client()
        response = client.post("/auth/login", data={"email": email, "password": "demo-password-2026"})
        assert response.headers["Location"] == "/", email
        home = client.get("/")
        assert home.status_code == 200
        assert role.label.encode() in home.data


def test_create_admin(app, runner):
    result = runner.invoke(args=["create-admin", "Chief@Example.org", "--name", "Chief Admin"],
                           input="a strong admin passphrase\na strong admin passphrase\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "chief@example.org")).one()
        assert user.role == Role.ADMIN and user.is_verified and user.email_confirmed
    weak = runner.invoke(args=["create-admin", "other@example.org", "--password", "password"])
    assert weak.exit_code != 0
    assert "at least 12 characters" in weak.output


def test_create_admin_promotes_an_existing_member(app, runner, make_user):
    member = make_user(role="faculty", status="pending")
    result = runner.invoke(args=["create-admin", member.email])
    assert "promoted" in result.output
    with app.app_context():
        user = db.session.get(User, member.id)
        assert user.role == Role.ADMIN and user.is_verified


def test_every_demo_member_has_a_complete_profile(app, runner):
    from sqlalchemy.orm import selectinload

    from network.profiles.models import Profile
    from network.profiles.services import completeness

    runner.invoke(args=["demo"])
    with app.app_context():
        members = db.session.scalars(
            select(User).where(User.status == MemberStatus.VERIFIED, User.role != Role.ADMIN)
            .options(selectinload(User.profile).selectinload(Profile.interests))).all()
        assert len(members) >= 60
        incomplete = {m.email: completeness(m, m.profile).missing for m in members
                      if completeness(m, m.profile).percent < 100}
        assert incomplete == {}


def test_demo_refuses_a_production_deployment_unless_forced(make_app):
    app = make_app(DEPLOYMENT="production", SECRET_KEY="f3a1" * 16, PUBLIC_URL="https://network.example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "Refusing to seed the demo into a production deployment" in result.output
    assert "--force-production" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    forced = runner.invoke(args=["demo", "--if-empty", "--force-production"])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) > 0


def test_the_demo_shows_a_moderator_a_held_post_and_a_redacted_revision(app, runner):
    from network.discussions.models import Post, PostRevision
    from tests.conftest import sign_in_session

    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        member = type("Member", (), {"id": admin.id})
        # The review thread's held reply, and one in Northbridge's current class (for the director's cockpit).
        assert db.session.scalar(select(func.count()).select_from(Post).where(Post.held.is_(True))) == 2
        revision = db.session.scalar(select(PostRevision).where(PostRevision.body.contains("[removed]")))
        assert revision is not None and "617-555-0134" not in revision.body
    client = app.test_client()
    sign_in_session(client, app, member)
    queue = client.get("/discussions/moderation").get_data(as_text=True)
    assert 'MRN <mark title="medical record number">4821337</mark>' in queue
    history = client.get(f"/discussions/p/{revision.post_id}/history").get_data(as_text=True)
    assert "call her at [removed]" in history
