"""Registration names a program and a training stage, so the administrator who verifies the member has
something to go on; verifying can place the member in one of that program's current cohorts (the cohorts'
own placement: audited, and the member is told); rejecting asks for a reason, which is mailed."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from network.audit.models import AuditLog
from network.extensions import db
from network.mail.services import deliver_outbox
from network.members.models import MemberStatus, Registration, User
from network.notifications.models import Notification
from network.programs.models import Cohort, CohortMembership, CohortRole
from network.types import utcnow
from tests.conftest import outbox
from tests.html_checks import check_page
from tests.test_programs import make_program

PASSWORD = "plexus block at dawn 42"


def register(client, email="dr.new@hospital.org", **fields):
    data = {"name": "Dr. New Comer", "email": email, "password": PASSWORD, "role": "fellow", **fields}
    return client.post("/auth/register", data=data)


def confirmed(app, email: str) -> SimpleNamespace:
    """The member registered with ``email`` (id, email, name), their address confirmed (as its mailed link
    would)."""
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        user.email_confirmed_at = utcnow()
        db.session.commit()
        return SimpleNamespace(id=user.id, email=user.email, name=user.name)


def registration(app, user_id: int) -> Registration | None:
    with app.app_context():
        row = db.session.get(Registration, user_id)
        if row is not None:
            db.session.expunge(row)
        return row


def in_cohort(app, cohort_id: int, user_id: int) -> CohortRole | None:
    with app.app_context():
        return db.session.scalar(select(CohortMembership.role).filter_by(cohort_id=cohort_id, user_id=user_id))


# -- registering --------------------------------------------------------------------------------


def test_the_form_offers_the_networks_programs_and_other(app, make_user):
    make_program(app, make_user, slug="rush-pain", name="Rush Pain Fellowship")
    page = app.test_client().get("/auth/register")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and not check_page(page.data)
    assert "Rush Pain Fellowship, Hospital rush-pain" in text and "Other / not listed" in text
    assert "Year of training (current fellows)" in text and "PGY-5" in text
    assert "Your program and training stage" in text


def test_registering_with_a_program_and_stage_stores_them_and_the_admin_sees_them(app, make_user, login):
    program = make_program(app, make_user, slug="rush-pain", name="Rush Pain Fellowship")
    response = register(app.test_client(), program=str(program["program"]), training_year="5")
    assert response.status_code == 302
    member = confirmed(app, "dr.new@hospital.org")
    row = registration(app, member.id)
    assert (row.program_id, row.program_name, row.training_year, row.graduation_year) == \
        (program["program"], "", 5, None)
    register(app.test_client(), email="dr.alum@hospital.org", role="alumni", program="other",
             program_other="Pain Medicine Fellowship, St. Elsewhere", graduation_year="2019")
    admin = login(app.test_client(), make_user(role="admin"))
    listing = admin.get("/admin/members/pending")
    text = listing.get_data(as_text=True)
    assert "Fellow, PGY-5" in text and "Rush Pain Fellowship, Hospital rush-pain" in text
    assert "Alumni, finished in 2019" in text and "Not listed: Pain Medicine Fellowship, St. Elsewhere" in text
    page = admin.get(f"/admin/members/{member.id}/verify")
    assert page.status_code == 200 and not check_page(page.data)
    text = page.get_data(as_text=True)
    assert "Fellow, PGY-5" in text and "Rush Pain Fellowship, Hospital rush-pain" in text
    assert "dr.new@hospital.org" in text


def test_registering_without_the_details_works_as_before(app):
    assert register(app.test_client(), role="faculty").status_code == 302
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        row = db.session.get(Registration, user.id)
        assert (row.program_id, row.program_name, row.training_year, row.graduation_year) == (None, "", None, None)


@pytest.mark.parametrize(("fields", "message"), [
    ({"program": "999999"}, "Choose your program from the list"),
    ({"program": "not-a-number"}, "Choose your program from the list"),
    ({"program": "other"}, "Type your program’s name"),
    ({"program": "other", "program_other": "x" * 161}, "Use at most 160 characters."),
    ({"training_year": "12"}, "Choose your year of training from the list."),
    ({"role": "alumni", "training_year": "5"}, "The year of training is for current fellows"),
    ({"graduation_year": "2019"}, "The year you finished is for alumni"),
    ({"role": "alumni", "graduation_year": "19"}, "Enter the year as four digits"),
    ({"role": "alumni", "graduation_year": "٢٠١٩"}, "Enter the year as four digits"),
    ({"role": "alumni", "graduation_year": str(date.today().year + 1)}, "Enter the year as four digits"),
], ids=["unknown program", "program not a number", "other without a name", "overlong name", "unknown year",
        "year for alumni", "graduation for a fellow", "two-digit year", "non-ascii digits", "future year"])
def test_hostile_details_are_refused_with_a_clear_error(app, fields, message):
    response = register(app.test_client(), **fields)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text and 'aria-invalid="true"' in text and not check_page(response.data)
    with app.app_context():
        assert db.session.scalars(select(User)).all() == []
        assert db.session.scalars(select(Registration)).all() == []


def test_a_line_break_in_the_program_name_is_folded(app):
    assert register(app.test_client(), program="other",
                    program_other="Pain Fellowship\r\nBcc: x@evil.example\u2028St. Elsewhere").status_code == 302
    with app.app_context():
        [row] = db.session.scalars(select(Registration)).all()
        assert row.program_name == "Pain Fellowship Bcc: x@evil.example St. Elsewhere"


def test_an_address_already_taken_stores_no_details(app, make_user):
    owner = make_user(email="taken@hospital.org")
    assert register(app.test_client(), email="taken@hospital.org", program="other",
                    program_other="Somewhere").status_code == 302
    assert registration(app, owner.id) is None


# -- verifying ----------------------------------------------------------------------------------


def applicant(app, make_user, **fields):
    """A program with a current cohort and a graduated one, and a confirmed fellow who named it."""
    program = make_program(app, make_user, slug="rush-pain", name="Rush Pain Fellowship")
    with app.app_context():
        old = Cohort(program_id=program["program"], name="Class of 2020", start_date=date(2019, 7, 1),
                     end_date=date(2020, 6, 30), graduated_at=utcnow())
        db.session.add(old)
        db.session.commit()
        program["graduated"] = old.id
    register(app.test_client(), program=str(program["program"]), training_year="5", **fields)
    return program, confirmed(app, "dr.new@hospital.org")


def test_verifying_with_a_cohort_places_the_member_audited_and_told(app, make_user, login):
    program, member = applicant(app, make_user)
    admin = login(app.test_client(), make_user(role="admin", name="Dr. Admin"))
    page = admin.get(f"/admin/members/{member.id}/verify").get_data(as_text=True)
    # The program's current cohorts are offered; a graduated class is not.
    assert "Class of 2027" in page and "Class of 2020" not in page
    response = admin.post(f"/admin/members/{member.id}/verify", data={"cohort": str(program["cohort"])},
                          follow_redirects=True)
    assert response.status_code == 200
    assert "is verified" in response.get_data(as_text=True) and "in Class of 2027" in response.get_data(as_text=True)
    assert in_cohort(app, program["cohort"], member.id) == CohortRole.FELLOW
    with app.app_context():
        assert db.session.get(User, member.id).status == MemberStatus.VERIFIED
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
        assert actions == ["member.verify", "cohort.place"]
        place = db.session.scalars(select(AuditLog).where(AuditLog.action == "cohort.place")).one()
        assert place.target_id == member.id and place.details["cohort_id"] == program["cohort"]
        kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == member.id)).all()
        assert kinds == ["cohort-added"]
    assert [m.recipient for m in outbox(app, "cohort-added")] == [member.email]
    assert [m.recipient for m in outbox(app, "member-verified")] == [member.email]


def test_verifying_a_faculty_member_places_them_as_a_faculty_advisor(app, make_user, login):
    program, member = applicant(app, make_user)
    with app.app_context():
        db.session.get(User, member.id).role = "faculty"
        db.session.get(Registration, member.id).training_year = None
        db.session.commit()
    admin = login(app.test_client(), make_user(role="admin"))
    assert admin.post(f"/admin/members/{member.id}/verify",
                      data={"cohort": str(program["cohort"])}).status_code == 302
    assert in_cohort(app, program["cohort"], member.id) == CohortRole.FACULTY


def test_verifying_without_a_cohort_works_as_before(app, make_user, login):
    program, member = applicant(app, make_user)
    admin = login(app.test_client(), make_user(role="admin"))
    response = admin.post(f"/admin/members/{member.id}/verify", data={"cohort": ""})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/members/pending"
    with app.app_context():
        assert db.session.get(User, member.id).status == MemberStatus.VERIFIED
        assert db.session.scalars(select(AuditLog.action)).all() == ["member.verify"]
    assert in_cohort(app, program["cohort"], member.id) is None
    assert not outbox(app, "cohort-added")


@pytest.mark.parametrize("which", ["graduated", "other program", "unknown", "not a number"])
def test_verifying_into_a_cohort_not_offered_changes_nothing(app, make_user, login, which):
    program, member = applicant(app, make_user)
    elsewhere = make_program(app, make_user, slug="elsewhere")
    cohort = {"graduated": program["graduated"], "other program": elsewhere["cohort"], "unknown": 999999,
              "not a number": "x"}[which]
    admin = login(app.test_client(), make_user(role="admin"))
    response = admin.post(f"/admin/members/{member.id}/verify", data={"cohort": str(cohort)})
    assert response.status_code == 400
    assert "Choose one of the program’s current cohorts" in response.get_data(as_text=True)
    assert not check_page(response.data)
    with app.app_context():
        assert db.session.get(User, member.id).status == MemberStatus.PENDING
        assert db.session.scalars(select(AuditLog)).all() == []
        assert db.session.scalars(select(CohortMembership).where(CohortMembership.user_id == member.id)).all() == []
    assert not outbox(app, "member-verified") and not outbox(app, "cohort-added")


@pytest.mark.parametrize("who", ["director of another program", "director of the program", "fellow"])
def test_only_administrators_verify_and_place(app, make_user, login, who):
    """Verifying is for administrators (program staff invite; they do not verify registrations), so
    nobody else can place a member in a cohort this way, neither in their own program nor another's."""
    program, member = applicant(app, make_user)
    other = make_program(app, make_user, slug="elsewhere")
    person = {"director of another program": other["director"], "director of the program": program["director"],
              "fellow": make_user()}[who]
    client = login(app.test_client(), person)
    assert client.get(f"/admin/members/{member.id}/verify").status_code == 403
    response = client.post(f"/admin/members/{member.id}/verify", data={"cohort": str(program["cohort"])})
    assert response.status_code == 403
    assert in_cohort(app, program["cohort"], member.id) is None
    with app.app_context():
        assert db.session.get(User, member.id).status == MemberStatus.PENDING
        assert db.session.scalars(select(AuditLog)).all() == []


def test_the_placement_rule_for_verification(app, make_user):
    """``can_place_on_verification``: administrators only, whatever program the cohort is in."""
    from network.permissions import can_place_on_verification

    program = make_program(app, make_user, slug="rush-pain")
    admin = make_user(role="admin")
    with app.app_context():
        cohort = db.session.get(Cohort, program["cohort"])
        assert can_place_on_verification(db.session.get(User, admin.id), cohort)
        assert not can_place_on_verification(db.session.get(User, program["director"].id), cohort)
        assert not can_place_on_verification(db.session.get(User, admin.id), None)


# -- rejecting ----------------------------------------------------------------------------------


def test_the_reject_page_says_who_and_what_happens(app, make_user, login):
    _, member = applicant(app, make_user)
    admin = login(app.test_client(), make_user(role="admin"))
    listing = admin.get("/admin/members/pending").get_data(as_text=True)
    assert f'href="/admin/members/{member.id}/reject"' in listing
    page = admin.get(f"/admin/members/{member.id}/reject")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and not check_page(page.data)
    assert "Reject the registration of Dr. New Comer?" in text and "cannot be undone" in text
    assert "dr.new@hospital.org" in text and "Fellow, PGY-5" in text and "Reason" in text
    with app.app_context():
        assert db.session.get(User, member.id).status == MemberStatus.PENDING


@pytest.mark.parametrize("reason", [None, "", "   \r\n  ", "x" * 2001], ids=["missing", "empty", "blank", "overlong"])
def test_rejecting_without_a_proper_reason_changes_nothing(app, make_user, login, reason):
    _, member = applicant(app, make_user)
    client = login(app.test_client(), member)
    admin = login(app.test_client(), make_user(role="admin"))
    response = admin.post(f"/admin/members/{member.id}/reject", data={} if reason is None else {"reason": reason})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    expected = "Use at most 2000 characters." if reason and reason.strip() else "Write why the registration is rejected"
    assert expected in text and not check_page(response.data)
    with app.app_context():
        assert db.session.get(User, member.id).status == MemberStatus.PENDING
        assert db.session.get(Registration, member.id).rejection_reason is None
        assert db.session.scalars(select(AuditLog)).all() == []
    assert not outbox(app, "member-rejected")
    assert client.get("/auth/account").status_code == 200  # still signed in


def test_rejecting_with_a_reason_mails_it(app, make_user, login, smtp):
    _, member = applicant(app, make_user)
    admin_member = make_user(role="admin")
    admin = login(app.test_client(), admin_member)
    reason = "We could not find you on the Rush roster.\nAsk your director to invite you: <b>thanks</b>"
    response = admin.post(f"/admin/members/{member.id}/reject", data={"reason": "  " + reason + "\x00 "})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/members/pending"
    with app.app_context():
        assert db.session.get(User, member.id).status == MemberStatus.REJECTED
        assert db.session.get(Registration, member.id).rejection_reason == reason
        entry = db.session.scalars(select(AuditLog)).one()
        assert (entry.action, entry.actor_id, entry.target_id) == ("member.reject", admin_member.id, member.id)
        assert entry.details["reason"] == reason
        assert deliver_outbox()["sent"] >= 1
    message = smtp.wait_for(
        lambda m: m["To"] == member.email and m["Subject"] == "Your Fellowship Network registration")
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert reason in text
    assert "Ask your director to invite you: &lt;b&gt;thanks&lt;/b&gt;" in html and "<b>thanks" not in html
    assert "http://127.0.0.1:5000/" in text
    # Deciding again is refused: the page and the POST both say so.
    again = admin.post(f"/admin/members/{member.id}/reject", data={"reason": "again"}, follow_redirects=True)
    assert "not waiting for verification" in again.get_data(as_text=True)
    assert len(outbox(app, "member-rejected")) == 1


def test_a_member_who_registered_before_the_details_can_be_rejected(app, make_user, login):
    """Members from before this form (no registration row) are verified and rejected as before."""
    member = make_user(status="pending")
    admin = login(app.test_client(), make_user(role="admin"))
    page = admin.get(f"/admin/members/{member.id}/verify").get_data(as_text=True)
    assert "Not given" in page and "did not name a program" in page
    assert admin.post(f"/admin/members/{member.id}/reject", data={"reason": "Unknown to us."}).status_code == 302
    assert registration(app, member.id).rejection_reason == "Unknown to us."


def test_the_pending_list_stays_within_its_query_budget(app, make_user, login, count_queries):
    program = make_program(app, make_user, slug="rush-pain")
    admin = login(app.test_client(), make_user(role="admin"))
    admin.get("/")

    def applicants(count):
        people = [make_user(status="pending") for _ in range(count)]
        with app.app_context():
            db.session.add_all([Registration(user_id=p.id, program_id=program["program"], training_year=6)
                                for p in people])
            db.session.commit()

    applicants(1)
    with count_queries() as few:
        admin.get("/admin/members/pending")
    applicants(20)
    with count_queries() as many:
        assert "Program rush-pain" in admin.get("/admin/members/pending").get_data(as_text=True)
    assert len(few) == len(many) <= 6


def test_deleting_the_account_erases_what_was_said_at_registration(app, make_user, login):
    register(app.test_client(), program="other", program_other="Pain Fellowship, St. Elsewhere", training_year="6")
    member = confirmed(app, "dr.new@hospital.org")
    client = login(app.test_client(), SimpleNamespace(id=member.id))
    response = client.post("/members/me/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    assert registration(app, member.id) is None
