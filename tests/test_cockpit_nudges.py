"""Reminders from the cockpit's lists: a notification and a mail with the note, both members of an overdue
mentorship together, at most once a week per item (and the flash says who was skipped), each one audited, the
note checked for patient identifiers, the form needing its CSRF token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from network.audit.models import AuditLog
from network.cohorts.models import Invitation
from network.extensions import db
from network.notifications import services as notifications
from network.notifications.kinds import Delivery
from network.notifications.models import Notification
from network.reminders.models import ReminderLog
from tests import cockpit_world
from tests.conftest import outbox


@pytest.fixture
def world(app, make_user):
    return cockpit_world.build(app, make_user)


def _notes(app, member) -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.user_id == member.id,
                                                             Notification.kind == "nudge")).all()
        db.session.expunge_all()
        return rows


def _remind(client, world, key, target, note="", follow=True, **extra):
    return client.post(f"/programs/{world.program}/cockpit/{key}/remind?cohort={world.cohort}",
                       data={"target": target, "note": note, **extra}, follow_redirects=follow)


def test_reminding_one_fellow_sends_a_notification_and_a_mail_with_the_note(app, world, login):
    client = login(app.test_client(), world.director)
    answer = _remind(client, world, "without-research", str(world.lonely.id), note="The research day is Friday.",
                     follow=False)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/cockpit/without-research?cohort={world.cohort}")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"Reminded 1 person: {world.lonely.name}." in page
    [note] = _notes(app, world.lonely)
    assert "please find a research mentor" in note.title and note.link == "/mentorship/recommendations?type=research"
    [mail] = [m for m in outbox(app, "nudge") if m.recipient == world.lonely.email]
    assert "The research day is Friday." in mail.text_body and world.director.name in mail.text_body
    assert mail.unsubscribe_url  # the "Reminders from your program" group can be turned off
    assert _notes(app, world.overdue_fellow) == []  # only the one asked for
    with app.app_context():
        [entry] = db.session.scalars(select(AuditLog).where(AuditLog.action == "cockpit.remind")).all()
        assert (entry.actor_id, entry.target_id, entry.program_id) == (world.director.id, world.lonely.id,
                                                                        world.program)
        assert entry.details["with_note"] is True and "Friday" not in str(entry.details)


def test_an_overdue_mentorship_reminds_the_mentee_and_the_mentor_together(app, world, login):
    client = login(app.test_client(), world.director)
    html = _remind(client, world, "overdue", "all").get_data(as_text=True)
    assert "Reminded 2 people" in html
    [to_fellow], [to_mentor] = _notes(app, world.overdue_fellow), _notes(app, world.overdue_mentor)
    assert world.overdue_mentor.name in to_fellow.title and world.overdue_fellow.name in to_mentor.title
    assert to_fellow.link == to_mentor.link == f"/mentorship/{world.mentorship}"
    assert {m.recipient for m in outbox(app, "nudge")} == {world.overdue_fellow.email, world.overdue_mentor.email}


def test_an_item_is_reminded_at_most_once_a_week_and_the_flash_says_who_was_skipped(app, world, login):
    client = login(app.test_client(), world.director)
    _remind(client, world, "without-research", str(world.lonely.id))
    html = _remind(client, world, "without-research", "all").get_data(as_text=True)
    assert "Reminded 2 people" in html  # the two others
    assert (f"Not reminded, as they were reminded of this in the last 7 days (one reminder a week at most): "
            f"{world.lonely.name}.") in html
    assert len(_notes(app, world.lonely)) == 1
    html = _remind(client, world, "without-research", "all").get_data(as_text=True)
    assert "Reminded 0 people." in html
    # A week later the fellow can be reminded again; another list is another item.
    with app.app_context():
        for entry in db.session.scalars(select(ReminderLog)):
            entry.sent_at -= timedelta(days=7, minutes=1)
        db.session.commit()
    assert "Reminded 3 people" in _remind(client, world, "without-research", "all").get_data(as_text=True)
    assert "Reminded 4 people" in _remind(client, world, "without-career", "all").get_data(as_text=True)


def test_a_member_who_turned_program_reminders_off_is_named_as_skipped(app, world, login):
    with app.app_context():
        notifications.set_preferences(world.unranked.id, {"nudge": Delivery.OFF})
        db.session.commit()
    client = login(app.test_client(), world.director)
    html = _remind(client, world, "not-ranked", "all").get_data(as_text=True)
    assert f"turned off reminders from their program: {world.unranked.name}" in html
    assert _notes(app, world.unranked) == []


def test_the_mentor_of_a_waiting_request_and_of_an_unreviewed_round_are_reminded(app, world, login):
    client = login(app.test_client(), world.director)
    _remind(client, world, "waiting-requests", str(world.request))
    [note] = _notes(app, world.waiting_mentor)
    assert world.waiting_fellow.name in note.title and note.link == "/mentorship/requests"
    _remind(client, world, "not-reviewed", "all")
    [note] = _notes(app, world.reviewer)
    assert note.link == f"/matching/{world.round}"


def test_an_unanswered_invitation_is_sent_again_with_the_note(app, world, login):
    with app.app_context():
        before = db.session.get(Invitation, world.invitation).token_hash
    client = login(app.test_client(), world.director)
    assert "Reminded 1 person" in _remind(client, world, "invitations", "all", note="We hope you join us.").get_data(
        as_text=True)
    [mail] = outbox(app, "cohort-invitation")
    assert mail.recipient == "invited.cockpit-program@example.org" and "We hope you join us." in mail.text_body
    with app.app_context():
        assert db.session.get(Invitation, world.invitation).token_hash != before  # a new link


def test_a_note_with_patient_identifiers_is_refused_and_nothing_is_sent(app, world, login):
    client = login(app.test_client(), world.director)
    answer = _remind(client, world, "without-research", "all", note="Ask about John Smith, MRN 12345678.",
                     follow=False)
    assert answer.status_code == 400
    assert "patient identifiers" in answer.get_data(as_text=True)
    assert _notes(app, world.lonely) == [] and outbox(app, "nudge") == []


def test_bad_reminders_get_clear_answers(app, world, login):
    client = login(app.test_client(), world.director)
    answer = _remind(client, world, "without-research", "", follow=False)
    assert answer.status_code == 400 and "Choose whom to remind" in answer.get_data(as_text=True)
    assert _remind(client, world, "without-research", "x1", follow=False).status_code == 400
    assert _remind(client, world, "held-posts", "all", follow=False).status_code == 404  # moderators act on those
    gone = _remind(client, world, "without-research", str(world.overdue_fellow.id))  # has a research mentor
    assert "Nobody to remind" in gone.get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reminding_needs_the_forms_token(make_app, make_user, login):
    app = make_app(WTF_CSRF_ENABLED=True)
    world = cockpit_world.build(app, make_user)
    client = login(app.test_client(), world.director)
    assert _remind(client, world, "without-research", "all", follow=False).status_code == 400
    assert _notes(app, world.lonely) == []
