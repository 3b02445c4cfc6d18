"""``flask reminders send``: overdue mentorships remind both members, week-old requests remind the mentor,
never more than once a week per item, and a rerun sends nothing new."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from network.extensions import db
from network.mentorship.models import Mentorship, MentorshipRequest, MentorshipStatus
from network.notifications.models import Notification
from network.reminders.models import ReminderLog
from network.types import utcnow
from tests.conftest import outbox


def reminders_of(app, member_id: int) -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.user_id == member_id,
                                                             Notification.kind.startswith("reminder-"))
                                  .order_by(Notification.id)).all()
        db.session.expunge_all()
        return rows


def move_log_back(app, days: int) -> None:
    """Pretend the reminders were sent ``days`` earlier."""
    with app.app_context():
        for entry in db.session.scalars(select(ReminderLog)):
            entry.sent_at -= timedelta(days=days)
        db.session.commit()


def add(app, *rows) -> list[int]:
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def test_an_overdue_mentorship_reminds_both_members_once_a_week(app, make_user, runner):
    mentor, mentee = make_user(role="alumni", name="Dr. Busy"), make_user(name="Dr. Waiting")
    on_track_mentor, on_track_mentee = make_user(role="faculty"), make_user()
    ended_mentor, ended_mentee = make_user(role="alumni"), make_user()
    now = utcnow()
    overdue_id, _, _ = add(
        app,
        # Never met in 60 days with a 30-day cadence: 60 > 1.5 × 30.
        Mentorship(mentor_id=mentor.id, mentee_id=mentee.id, type="research", cadence_days=30,
                   started_at=now - timedelta(days=60)),
        Mentorship(mentor_id=on_track_mentor.id, mentee_id=on_track_mentee.id, type="research", cadence_days=30,
                   started_at=now - timedelta(days=200), last_met_on=(now - timedelta(days=40)).date()),
        Mentorship(mentor_id=ended_mentor.id, mentee_id=ended_mentee.id, type="career", cadence_days=14,
                   started_at=now - timedelta(days=300), status=MentorshipStatus.ENDED))
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "1 overdue mentorship and 0 waiting requests reminded." in result.output
    [to_mentee] = reminders_of(app, mentee.id)
    [to_mentor] = reminders_of(app, mentor.id)
    assert to_mentee.title == "Time to meet Dr. Busy: no meeting logged in 8 weeks"
    assert to_mentor.title == "Time to meet Dr. Waiting: no meeting logged in 8 weeks"
    assert to_mentee.link == f"/mentorship/{overdue_id}"
    assert sorted(m.recipient for m in outbox(app, "reminder-meeting")) == sorted([mentor.email, mentee.email])
    for member in (on_track_mentor, on_track_mentee, ended_mentor, ended_mentee):
        assert reminders_of(app, member.id) == []
    # Rerunning the same day, or six days later, reminds nobody again.
    assert "0 overdue mentorships" in runner.invoke(args=["reminders", "send"]).output
    move_log_back(app, days=6)
    assert "0 overdue mentorships" in runner.invoke(args=["reminders", "send"]).output
    assert len(reminders_of(app, mentee.id)) == 1
    # A week later, still overdue: reminded again.
    move_log_back(app, days=2)
    assert "1 overdue mentorship" in runner.invoke(args=["reminders", "send"]).output
    assert len(reminders_of(app, mentee.id)) == 2


def test_a_request_pending_a_week_reminds_the_mentor_only(app, make_user, runner):
    mentor, fellow = make_user(role="faculty"), make_user(name="Dr. Patient")
    fresh_mentor, fresh_fellow = make_user(role="alumni"), make_user()
    now = utcnow()
    add(app,
        MentorshipRequest(mentee_id=fellow.id, mentor_id=mentor.id, type="career", message="Hello",
                          created_at=now - timedelta(days=8)),
        MentorshipRequest(mentee_id=fresh_fellow.id, mentor_id=fresh_mentor.id, type="career", message="Hi",
                          created_at=now - timedelta(days=3)))
    result = runner.invoke(args=["reminders", "send"])
    assert "0 overdue mentorships and 1 waiting request reminded." in result.output
    [note] = reminders_of(app, mentor.id)
    assert note.title == "Dr. Patient has waited 8 days for your answer" and note.link == "/mentorship/requests"
    assert [m.recipient for m in outbox(app, "reminder-request")] == [mentor.email]
    assert reminders_of(app, fellow.id) == reminders_of(app, fresh_mentor.id) == []
    assert "0 waiting requests" in runner.invoke(args=["reminders", "send"]).output


def test_reminders_follow_the_members_preference(app, make_user, login, runner):
    mentor, fellow = make_user(role="faculty"), make_user()
    login(app.test_client(), mentor).post("/notifications/settings", data={"group_reminder": "off"})
    add(app, MentorshipRequest(mentee_id=fellow.id, mentor_id=mentor.id, type="career", message="Hello",
                               created_at=utcnow() - timedelta(days=9)))
    runner.invoke(args=["reminders", "send"])
    assert reminders_of(app, mentor.id) == [] and outbox(app, "reminder-request") == []
