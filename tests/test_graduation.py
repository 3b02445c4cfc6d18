"""Graduation: fellows become alumni with their graduation year, the roster stays, their active
mentee mentorships can be completed in the same step, each is invited to mentor; undo within 7 days
puts everything back exactly."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select, update

from network.cohorts.models import Graduation, RosterImport
from network.extensions import db
from network.mail.models import EmailOutbox, OutboxStatus
from network.members.models import Role, User
from network.mentorship.models import MentorSettings, Mentorship, MentorshipStatus
from network.notifications.models import Notification
from network.profiles.models import Profile
from network.programs.models import Cohort, CohortMembership
from network.types import utcnow
from tests.conftest import outbox
from tests.html_checks import check_page
from tests.test_programs import make_program

#: A roster with one fellow, uploaded after the class graduated.
LATE_FELLOW_CSV = b"name,email,role,training background\nLate,late@example.org,fellow,\n"


def graduating_class(app, make_user):
    setup = make_program(app, make_user, fellows=2, cohort_name="Class of 2026", start=date(2025, 7, 1),
                         end=date(2026, 6, 30))
    mentor = make_user(role="alumni", name="Dr. Mentor")
    first = setup["fellows"][0]
    with app.app_context():
        db.session.add(MentorSettings(user_id=mentor.id, capacity=3, active_mentees=1, types=["research"]))
        db.session.add(Profile(user_id=first.id, graduation_year=None))
        mentorship = Mentorship(mentee_id=first.id, mentor_id=mentor.id, type="research",
                                closing_comment="")
        db.session.add(mentorship)
        db.session.commit()
        setup["mentorship"], setup["mentor"] = mentorship.id, mentor
    return setup


def state(app, setup):
    with app.app_context():
        users = {u.id: (u.role, u.profile.graduation_year if u.profile else None)
                 for u in db.session.scalars(select(User).where(User.id.in_([f.id for f in setup["fellows"]])))}
        mentorship = db.session.get(Mentorship, setup["mentorship"])
        return {"users": users, "mentorship": (mentorship.status, mentorship.ended_at, mentorship.rating),
                "active_mentees": db.session.get(MentorSettings, setup["mentor"].id).active_mentees,
                "graduated": db.session.get(Cohort, setup["cohort"]).graduated_at is not None,
                "roster": db.session.scalar(select(db.func.count()).select_from(CohortMembership)
                                            .where(CohortMembership.cohort_id == setup["cohort"]))}


def test_graduating_makes_alumni_completes_mentorships_and_invites_them_to_mentor(app, make_user, login):
    setup = graduating_class(app, make_user)
    client = login(app.test_client(), setup["director"])
    page = client.get(f"/cohorts/{setup['cohort']}/graduate")
    assert page.status_code == 200 and not check_page(page.data)
    assert b"<strong>2</strong> fellows become alumni" in page.data
    response = client.post(f"/cohorts/{setup['cohort']}/graduate", data={"complete_mentorships": "y"})
    assert response.status_code == 302
    after = state(app, setup)
    assert after["graduated"] and after["roster"] == 2  # the cohort's history stays
    assert all(role == Role.ALUMNI and year == 2026 for role, year in after["users"].values())
    assert after["mentorship"][0] == MentorshipStatus.COMPLETED and after["active_mentees"] == 0
    with app.app_context():
        kinds = db.session.scalars(select(Notification.kind).where(
            Notification.user_id.in_([f.id for f in setup["fellows"]]))).all()
    assert kinds.count("cohort-graduated") == 2
    assert {m.recipient for m in outbox(app, "cohort-graduated")} == {f.email for f in setup["fellows"]}
    roster = client.get(f"/cohorts/{setup['cohort']}").get_data(as_text=True)
    assert "Undo the graduation" in roster
    assert client.post(f"/cohorts/{setup['cohort']}/graduate", data={}).status_code == 409


def test_graduating_without_completing_keeps_mentorships_active(app, make_user, login):
    setup = graduating_class(app, make_user)
    client = login(app.test_client(), setup["director"])
    assert client.post(f"/cohorts/{setup['cohort']}/graduate", data={}).status_code == 302
    after = state(app, setup)
    assert after["mentorship"][0] == MentorshipStatus.ACTIVE and after["active_mentees"] == 1


def test_undo_restores_exactly_what_graduation_changed(app, make_user, login):
    setup = graduating_class(app, make_user)
    before = state(app, setup)
    client = login(app.test_client(), setup["director"])
    client.post(f"/cohorts/{setup['cohort']}/graduate", data={"complete_mentorships": "y"})
    assert client.post(f"/cohorts/{setup['cohort']}/graduation/undo").status_code == 302
    assert state(app, setup) == before
    # ... and it can graduate again.
    assert client.post(f"/cohorts/{setup['cohort']}/graduate", data={}).status_code == 302
    assert state(app, setup)["graduated"]


def test_undo_is_refused_after_seven_days(app, make_user, login):
    setup = graduating_class(app, make_user)
    client = login(app.test_client(), setup["director"])
    client.post(f"/cohorts/{setup['cohort']}/graduate", data={})
    with app.app_context():
        db.session.execute(update(Graduation).values(graduated_at=utcnow() - timedelta(days=8)))
        db.session.commit()
    refused = client.post(f"/cohorts/{setup['cohort']}/graduation/undo")
    assert refused.status_code == 409
    assert state(app, setup)["graduated"]
    assert "Undo the graduation" not in client.get(f"/cohorts/{setup['cohort']}").get_data(as_text=True)


def test_alumni_count_on_the_program_page_grows(app, make_user, login):
    setup = graduating_class(app, make_user)
    client = login(app.test_client(), setup["director"])
    assert '<strong id="alumni-count">0</strong>' in client.get(f"/programs/{setup['slug']}").get_data(as_text=True)
    client.post(f"/cohorts/{setup['cohort']}/graduate", data={})
    assert '<strong id="alumni-count">2</strong>' in client.get(f"/programs/{setup['slug']}").get_data(as_text=True)


def test_undo_cancels_the_unsent_congratulations_and_tells_the_members(app, make_user, login):
    setup = graduating_class(app, make_user)
    first, second = setup["fellows"]
    client = login(app.test_client(), setup["director"])
    client.post(f"/cohorts/{setup['cohort']}/graduate", data={})
    # The first fellow's mail went out already; the second's still waits in the outbox.
    with app.app_context():
        db.session.execute(update(EmailOutbox).where(EmailOutbox.recipient == first.email)
                           .values(status=OutboxStatus.SENT, sent_at=utcnow()))
        db.session.commit()
    assert client.post(f"/cohorts/{setup['cohort']}/graduation/undo").status_code == 302
    mails = outbox(app, "cohort-graduated")
    assert [(m.recipient, m.status) for m in mails] == [(first.email, OutboxStatus.SENT)]
    with app.app_context():
        notices = {(n.user_id, n.kind): n.title for n in db.session.scalars(select(Notification).where(
            Notification.user_id.in_([first.id, second.id])))}
    assert ("cohort-graduated" not in {kind for _, kind in notices})
    for fellow in (first, second):
        assert notices[(fellow.id, "cohort-graduation-undone")] == \
            "The graduation of Class of 2026 was undone; you are a fellow again."
    # The one who was mailed the congratulations is mailed the correction too.
    assert [m.recipient for m in outbox(app, "cohort-graduation-undone")] == [first.email]
    fellow_page = login(app.test_client(), second).get("/notifications/").get_data(as_text=True)
    assert "Congratulations" not in fellow_page and "was undone" in fellow_page


def test_graduating_long_before_the_end_date_needs_a_confirmation(app, make_user, login):
    end = date.today() + timedelta(days=90)
    setup = make_program(app, make_user, fellows=1, cohort_name="Class early", start=end - timedelta(days=365),
                         end=end)
    client = login(app.test_client(), setup["director"])
    page = client.get(f"/cohorts/{setup['cohort']}/graduate").get_data(as_text=True)
    assert "Graduate now, 90 days before the class&#39;s end date" in page
    refused = client.post(f"/cohorts/{setup['cohort']}/graduate", data={})
    assert refused.status_code == 400
    assert "ends on" in refused.get_data(as_text=True) and "tick" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Cohort, setup["cohort"]).graduated_at is None
    assert client.post(f"/cohorts/{setup['cohort']}/graduate", data={"confirm_early": "y"}).status_code == 302
    with app.app_context():
        assert db.session.get(Cohort, setup["cohort"]).graduated_at is not None


def test_graduating_near_the_end_date_needs_no_confirmation(app, make_user, login):
    end = date.today() + timedelta(days=20)
    setup = make_program(app, make_user, fellows=1, cohort_name="Class soon", start=end - timedelta(days=365),
                         end=end)
    client = login(app.test_client(), setup["director"])
    assert "Graduate now" not in client.get(f"/cohorts/{setup['cohort']}/graduate").get_data(as_text=True)
    assert client.post(f"/cohorts/{setup['cohort']}/graduate", data={}).status_code == 302


def test_a_graduated_cohort_takes_no_invitations_or_imports(app, make_user, login):
    setup = graduating_class(app, make_user)
    client = login(app.test_client(), setup["director"])
    client.post(f"/cohorts/{setup['cohort']}/graduate", data={})
    roster = client.get(f"/cohorts/{setup['cohort']}").get_data(as_text=True)
    assert "Send invitations" not in roster and "Import a CSV roster" not in roster
    assert f'action="/cohorts/{setup["cohort"]}/invitations"' not in roster
    refused = client.post(f"/cohorts/{setup['cohort']}/invitations",
                          data={"invite-emails": "late@example.org", "invite-role": "fellow"})
    assert refused.status_code == 409
    assert "graduated" in client.get(f"/cohorts/{setup['cohort']}").get_data(as_text=True)
    assert outbox(app, "cohort-invitation") == []
    assert client.get(f"/cohorts/{setup['cohort']}/import").status_code == 409
    upload = {"roster": (io.BytesIO(LATE_FELLOW_CSV), "roster.csv")}
    assert client.post(f"/cohorts/{setup['cohort']}/import", data=upload,
                       content_type="multipart/form-data").status_code == 409
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(RosterImport)) == 0


def test_a_file_previewed_before_the_graduation_is_not_imported_after_it(app, make_user, login):
    setup = graduating_class(app, make_user)
    client = login(app.test_client(), setup["director"])
    upload = {"roster": (io.BytesIO(LATE_FELLOW_CSV), "roster.csv")}
    staged = client.post(f"/cohorts/{setup['cohort']}/import", data=upload, content_type="multipart/form-data")
    assert staged.status_code == 302
    client.post(f"/cohorts/{setup['cohort']}/graduate", data={})
    preview = client.get(staged.headers["Location"]).get_data(as_text=True)
    assert "valid row(s)</button>" not in preview and "This class has graduated" in preview
    assert client.post(staged.headers["Location"]).status_code == 409
    assert outbox(app, "cohort-invitation") == []
