"""``flask digest program-staff``: each staff member gets their own programs' changes since last week and the
round deadlines of the next 14 days, once per ISO week (a rerun sends nothing), and can stop it in one click."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.cockpit.brief import send_program_briefs
from network.cockpit.models import StaffBrief
from network.extensions import db
from network.mail.services import build_message
from network.mentorship.models import Mentorship
from network.notifications import services as notifications
from network.notifications.kinds import Delivery
from network.programs.models import CohortMembership, CohortRole
from network.types import utcnow
from tests import cockpit_world
from tests.conftest import outbox


@pytest.fixture
def worlds(app, make_user):
    return cockpit_world.build(app, make_user), cockpit_world.build(app, make_user, slug="elsewhere",
                                                                    name="Elsewhere Program")


def _briefs(app, member):
    return [mail for mail in outbox(app, "program-brief") if mail.recipient == member.email]


def test_each_director_gets_only_their_programs_and_a_rerun_sends_nothing(app, worlds, runner):
    world, other = worlds
    result = runner.invoke(args=["digest", "program-staff"])
    assert result.exit_code == 0, result.output
    assert "queued 2 briefs" in result.output
    [mail] = _briefs(app, world.director)
    text = mail.text_body
    assert "Cockpit Program" in text and f"{world.lonely.name} (Class of 2027): research" in text
    assert f"{world.overdue_fellow.name} and {world.overdue_mentor.name} (research)" in text
    assert "Research round cockpit-program: lists close" in text
    assert f"/programs/{world.program}/cockpit" in text
    # Another program's people, class and round never appear; nor the graduated class.
    for absent in ("Elsewhere", other.lonely.name, other.overdue_fellow.name, world.past_fellow.name):
        assert absent not in text
    [other_mail] = _briefs(app, other.director)
    assert world.lonely.name not in other_mail.text_body
    again = runner.invoke(args=["digest", "program-staff"])
    assert "queued 0 briefs; 2 already done this week" in again.output
    assert len(outbox(app, "program-brief")) == 2


def test_next_week_only_what_is_new_is_listed(app, worlds, make_user):
    world, _ = worlds
    now = utcnow()
    with app.app_context():
        send_program_briefs(now)
        db.session.commit()
        newcomer = make_user(name="Dr. Newcomer")
        db.session.add(CohortMembership(cohort_id=world.cohort, user_id=newcomer.id, role=CohortRole.FELLOW))
        for field in ("research", "clinical", "career", "wellness"):  # the lonely fellow is fully covered now
            db.session.add(Mentorship(mentee_id=world.lonely.id, mentor_id=world.reviewer.id, type=field,
                                      last_met_on=now.date()))
        db.session.commit()
        assert send_program_briefs(now + timedelta(days=7))["sent"] == 1  # nothing new in the other program
        db.session.commit()
    first, second = _briefs(app, world.director)
    assert "Your first weekly brief" in first.text_body
    text = second.text_body
    assert "since last week's brief" in text
    assert "Dr. Newcomer (Class of 2027): research, clinical / procedural, career, wellness" in text
    assert world.lonely.name not in text and world.overdue_fellow.name not in text  # not new
    assert "Research round cockpit-program" not in text  # its deadline passed


def test_a_week_with_nothing_new_sends_no_mail_but_keeps_the_week(app, worlds):
    now = utcnow()
    with app.app_context():
        send_program_briefs(now)
        counts = send_program_briefs(now + timedelta(days=10))  # the round's deadline has passed by then
        db.session.commit()
        assert counts == {"sent": 0, "already": 0, "nothing": 2, "off": 0}
        assert db.session.scalar(select(db.func.count()).select_from(StaffBrief)) == 4
    assert len(outbox(app, "program-brief")) == 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_one_click_unsubscribe_stops_the_brief(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    world = cockpit_world.build(app, make_user)
    with app.app_context():
        send_program_briefs()
        db.session.commit()
    [mail] = _briefs(app, world.director)
    message = build_message(mail, "network@example.org")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https?://[^>]+)>", message["List-Unsubscribe"]).group(1)
    answer = app.test_client().post("/" + url.split("/", 3)[3], data="List-Unsubscribe=One-Click",
                                    content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    newcomer = make_user(name="Dr. Newcomer")
    with app.app_context():
        assert notifications.preferences(world.director.id)["program-brief"] == Delivery.IN_APP
        db.session.add(CohortMembership(cohort_id=world.cohort, user_id=newcomer.id, role=CohortRole.FELLOW))
        db.session.commit()
        counts = send_program_briefs(utcnow() + timedelta(days=7))
        db.session.commit()
    assert counts["off"] == 1 and len(_briefs(app, world.director)) == 1


def test_a_deleted_account_takes_its_briefs_record_with_it(app, worlds):
    from network.members.models import User
    from network.profiles.services import delete_account

    world, other = worlds
    with app.app_context():
        send_program_briefs()
        db.session.commit()
        delete_account(db.session.get(User, world.director.id))
        db.session.commit()
        kept = db.session.scalars(select(StaffBrief.user_id)).all()
    assert kept == [other.director.id]
