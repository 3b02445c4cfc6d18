"""A member joins a cohort only by their own consent: staff of a program can invite anyone (the roster
import and the invite form both send invitations), but an existing member is placed in a cohort only when
they accept the invitation themself. Only an administrator may place a member directly; that is audited
and the member is told.

The attack as the security audit ran it: faculty of program A put a fellow of program B into A's cohort
(the roster import added existing accounts directly), then graduated the class, which turned the victim into
an alumnus, completed their mentorships and mailed them congratulations."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from network.audit.models import AuditLog
from network.cohorts.models import Invitation, InvitationStatus, RosterImport
from network.extensions import db
from network.matching.models import Participant
from network.members.models import Role, User
from network.mentorship.models import MentorSettings, Mentorship, MentorshipStatus
from network.notifications.models import Notification
from network.programs.models import CohortMembership, CohortRole
from tests.conftest import outbox
from tests.html_checks import check_page
from tests.test_matching_rounds import open_round
from tests.test_programs import make_program
from tests.test_roster_import import HEADER, upload

VIAS = ("roster import", "invite form")


def attack_setup(app, make_user):
    """Program A (the attacker's) and program B with the victim, a fellow with an active mentorship."""
    a = make_program(app, make_user, slug="program-a")
    b = make_program(app, make_user, slug="program-b", fellows=1)
    victim = b["fellows"][0]
    mentor = make_user(role="alumni", name="Dr. Victim's Mentor")
    with app.app_context():
        db.session.add(MentorSettings(user_id=mentor.id, capacity=3, active_mentees=1, types=["research"]))
        mentorship = Mentorship(mentee_id=victim.id, mentor_id=mentor.id, type="research", closing_comment="")
        db.session.add(mentorship)
        db.session.commit()
        mentorship_id = mentorship.id
    return a, b, victim, mentorship_id


def put_in_cohort(app, client, via: str, cohort_id: int, email: str, name: str = "Dr. Victim"):
    """What a program's staff can do to bring ``email`` into their cohort; returns the last response."""
    if via == "roster import":
        staged = upload(client, cohort_id, (HEADER + f"{name},{email},fellow,,\n").encode())
        assert staged.status_code == 302
        preview = client.get(staged.headers["Location"])
        assert preview.status_code == 200
        text = preview.get_data(as_text=True)
        assert "will be invited" in text and "must accept" in text
        assert "added to the cohort" not in text
        done = client.post(staged.headers["Location"])
        assert done.status_code == 302
        return client.get(done.headers["Location"])
    response = client.post(f"/cohorts/{cohort_id}/invitations",
                           data={"invite-emails": email, "invite-role": "fellow"})
    assert response.status_code == 302
    return client.get(response.headers["Location"])


def in_cohort(app, cohort_id: int, user_id: int) -> bool:
    with app.app_context():
        return db.session.scalar(select(CohortMembership.id).filter_by(cohort_id=cohort_id,
                                                                        user_id=user_id)) is not None


def link_for(app, email: str) -> str:
    mails = [m for m in outbox(app, "cohort-invitation") if m.recipient == email]
    assert mails, f"no invitation mailed to {email}"
    return re.search(r"http://[^/\s]+(/invitations/[\w-]+)", mails[-1].text_body).group(1)


@pytest.mark.parametrize("via", VIAS)
def test_staff_cannot_put_a_member_of_another_program_in_their_cohort(app, make_user, login, via):
    a, _, victim, _ = attack_setup(app, make_user)
    attacker = login(app.test_client(), a["director"])
    page = put_in_cohort(app, attacker, via, a["cohort"], victim.email)
    assert page.status_code == 200 and not check_page(page.data)
    assert not in_cohort(app, a["cohort"], victim.id)
    # The victim got an invitation (sign in and accept), not a "you were added" mail or notification.
    mails = [m for m in outbox(app, "cohort-invitation") if m.recipient == victim.email]
    assert len(mails) == 1
    assert "already have an account" in mails[0].text_body and "sign in" in mails[0].text_body
    assert "Nothing changes until you accept" in mails[0].text_body
    assert not outbox(app, "cohort-added")
    with app.app_context():
        assert not db.session.scalars(select(Notification).where(Notification.user_id == victim.id)).all()
    # The roster, its export and the dashboard do not count the invited member.
    roster = attacker.get(f"/cohorts/{a['cohort']}").get_data(as_text=True)
    table = roster[roster.index('id="roster"'):roster.index("</table>")]
    assert victim.name not in table and "Roster (0)" in roster
    assert victim.email not in attacker.get(f"/cohorts/{a['cohort']}/roster.csv").get_data(as_text=True)
    assert victim.name not in attacker.get(f"/cohorts/{a['cohort']}/mentorships.csv").get_data(as_text=True)


@pytest.mark.parametrize("via", VIAS)
def test_graduating_the_cohort_leaves_an_invited_member_alone(app, make_user, login, via):
    a, _, victim, mentorship_id = attack_setup(app, make_user)
    attacker = login(app.test_client(), a["director"])
    put_in_cohort(app, attacker, via, a["cohort"], victim.email)
    graduate = attacker.get(f"/cohorts/{a['cohort']}/graduate")
    assert b"<strong>0</strong> fellows become alumni" in graduate.data
    response = attacker.post(f"/cohorts/{a['cohort']}/graduate",
                             data={"complete_mentorships": "y", "confirm_early": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, victim.id).role == Role.FELLOW
        assert db.session.get(Mentorship, mentorship_id).status == MentorshipStatus.ACTIVE
    assert not [m for m in outbox(app) if m.recipient == victim.email and m.kind != "cohort-invitation"]


@pytest.mark.parametrize("via", VIAS)
def test_the_invited_member_joins_only_by_accepting_themself(app, make_user, login, via):
    a, _, victim, _ = attack_setup(app, make_user)
    put_in_cohort(app, login(app.test_client(), a["director"]), via, a["cohort"], victim.email)
    path = link_for(app, victim.email)
    # Following the link signed out asks them to sign in; it does not join them.
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/auth/login")
    member = login(app.test_client(), victim)
    confirm = member.get(path)
    assert confirm.status_code == 200 and b"Join Class of 2027" in confirm.data
    assert not in_cohort(app, a["cohort"], victim.id)  # looking at the page is not accepting
    assert member.post(path).status_code == 302
    assert in_cohort(app, a["cohort"], victim.id)
    with app.app_context():
        invitation = db.session.scalars(select(Invitation).where(Invitation.email == victim.email)).one()
        assert invitation.status == InvitationStatus.ACCEPTED and invitation.accepted_by_id == victim.id


def test_import_summary_says_invited_after_importing(app, make_user, login):
    a, _, victim, _ = attack_setup(app, make_user)
    summary = put_in_cohort(app, login(app.test_client(), a["director"]), "roster import", a["cohort"],
                            victim.email).get_data(as_text=True)
    assert "<strong>1</strong> invited" in summary and "will be invited" not in summary
    assert "already members added" not in summary
    rows = summary[summary.index('id="import-rows"'):]
    assert "already a member: invited" in rows and "joins when they accept" in rows


# -- administrators' direct placement ---------------------------------------------------------


def place(client, cohort_id: int, email: str, role: str = "fellow"):
    return client.post(f"/cohorts/{cohort_id}/placements", data={"place-email": email, "place-role": role})


def test_an_administrator_places_a_member_directly_audited_and_told(app, make_user, login):
    a, _, victim, _ = attack_setup(app, make_user)
    admin = login(app.test_client(), make_user(role="admin", name="Dr. Admin"))
    page = admin.get(f"/cohorts/{a['cohort']}")
    assert b"Place a member directly" in page.data and not check_page(page.data)
    response = place(admin, a["cohort"], victim.email.upper())
    assert response.status_code == 302 and response.headers["Location"] == f"/cohorts/{a['cohort']}"
    assert in_cohort(app, a["cohort"], victim.id)
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "cohort.place")).one()
        assert entry.target_type == "user" and entry.target_id == victim.id
        assert entry.details["cohort_id"] == a["cohort"] and entry.program_id == a["program"]
        kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == victim.id)).all()
        assert kinds == ["cohort-added"]
    mails = outbox(app, "cohort-added")
    assert [m.recipient for m in mails] == [victim.email]
    assert "Class of 2027" in mails[0].subject and "administrator" in mails[0].text_body
    assert not mails[0].unsubscribe_url  # told like an account change, whatever their choices
    # Placing them again changes nothing and says so.
    again = place(admin, a["cohort"], victim.email)
    assert again.status_code == 409
    assert len(outbox(app, "cohort-added")) == 1


def test_placing_needs_an_existing_verified_member(app, make_user, login):
    a = make_program(app, make_user, slug="program-a")
    pending = make_user(role="fellow", status="pending")
    admin = login(app.test_client(), make_user(role="admin"))
    unknown = place(admin, a["cohort"], "nobody@example.org")
    assert unknown.status_code == 400 and b"No verified member has the email nobody@example.org" in unknown.data
    refused = place(admin, a["cohort"], pending.email)
    assert refused.status_code == 400 and b"Invite them instead" in refused.data and not check_page(refused.data)
    assert place(admin, a["cohort"], "not-an-email").status_code == 400
    with app.app_context():
        assert not db.session.scalars(select(CohortMembership)).all()


def test_faculty_cannot_place_members_directly_even_in_their_own_cohort(app, make_user, login):
    a, _, victim, _ = attack_setup(app, make_user)
    director = login(app.test_client(), a["director"])
    assert b"Place a member directly" not in director.get(f"/cohorts/{a['cohort']}").data
    assert place(director, a["cohort"], victim.email).status_code == 403
    assert not in_cohort(app, a["cohort"], victim.id)
    assert not outbox(app, "cohort-added")
    with app.app_context():
        assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "cohort.place")) is None


def test_placement_as_faculty_advisor_keeps_the_role_given(app, make_user, login):
    a = make_program(app, make_user, slug="program-a")
    advisor = make_user(role="faculty", name="Dr. Advisor")
    admin = login(app.test_client(), make_user(role="admin"))
    assert place(admin, a["cohort"], advisor.email, role="faculty").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CohortMembership.role).filter_by(
            cohort_id=a["cohort"], user_id=advisor.id)) == CohortRole.FACULTY


def test_a_file_staged_before_the_fix_invites_its_members_too(app, make_user, login):
    """A roster previewed under the old rule (rows marked "add") still opens, and importing it invites."""
    a, _, victim, _ = attack_setup(app, make_user)
    with app.app_context():
        staged = RosterImport(cohort_id=a["cohort"], filename="old.csv", rows=[
            {"line": 2, "name": "Dr. Victim", "email": victim.email, "role": "fellow", "background": "",
             "background_id": None, "extras": {}, "problems": [], "outcome": "add",
             "reason": "already a member: added to the cohort"}])
        db.session.add(staged)
        db.session.commit()
        url = f"/cohorts/{a['cohort']}/import/{staged.id}"
    client = login(app.test_client(), a["director"])
    preview = client.get(url)
    assert preview.status_code == 200 and not check_page(preview.data)
    text = preview.get_data(as_text=True)
    assert "added to the cohort" not in text and "must accept" in text and "Import 1 valid row<" in text
    assert client.post(url).status_code == 302
    assert not in_cohort(app, a["cohort"], victim.id)
    assert [m.recipient for m in outbox(app, "cohort-invitation")] == [victim.email]


@pytest.mark.parametrize("via", VIAS)
def test_a_matching_round_pools_only_members_who_accepted(app, make_user, login, via):
    a, _, victim, _ = attack_setup(app, make_user)
    with app.app_context():  # the director advises the class, so they may open rounds for it
        db.session.add(CohortMembership(cohort_id=a["cohort"], user_id=a["director"].id, role=CohortRole.FACULTY))
        db.session.commit()
    director = login(app.test_client(), a["director"])
    put_in_cohort(app, director, via, a["cohort"], victim.email)
    _, round_id = open_round(app, login, a["director"], a["cohort"])
    with app.app_context():
        assert db.session.scalars(select(Participant.user_id).where(Participant.round_id == round_id)).all() == []
    assert not outbox(app, "matching-opened")
    assert login(app.test_client(), victim).get(f"/matching/{round_id}").status_code in (403, 404)


def test_a_resent_invitation_to_a_member_still_asks_them_to_sign_in_and_accept(app, make_user, login):
    a, _, victim, _ = attack_setup(app, make_user)
    director = login(app.test_client(), a["director"])
    put_in_cohort(app, director, "invite form", a["cohort"], victim.email)
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id).where(Invitation.email == victim.email))
    assert director.post(f"/cohorts/{a['cohort']}/invitations/{invitation_id}/resend").status_code == 302
    mails = [m for m in outbox(app, "cohort-invitation") if m.recipient == victim.email]
    assert len(mails) == 2
    assert "sign in and accept" in mails[-1].text_body and "Sign in and accept" in mails[-1].html_body
    assert not in_cohort(app, a["cohort"], victim.id)


def test_a_placed_member_is_told_even_with_cohort_notifications_off(app, make_user, login):
    from network.notifications.models import Delivery, NotificationPreference

    a, _, victim, _ = attack_setup(app, make_user)
    with app.app_context():
        db.session.add(NotificationPreference(user_id=victim.id, group_key="cohort", delivery=Delivery.OFF))
        db.session.commit()
    admin = login(app.test_client(), make_user(role="admin"))
    assert place(admin, a["cohort"], victim.email).status_code == 302
    assert [m.recipient for m in outbox(app, "cohort-added")] == [victim.email]
    with app.app_context():
        assert db.session.scalars(select(Notification.kind).where(Notification.user_id == victim.id)).all() \
            == ["cohort-added"]
