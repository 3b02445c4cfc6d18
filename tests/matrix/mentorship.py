"""Access rows for mentoring. The prepared request and mentorship belong to people outside the
matrix's roles, so every role is an interloper there: 404, whatever the role (admins included)."""

from __future__ import annotations

from tests.matrix.common import LOGIN, PENDING, like_faculty, members


def only(roles, yes, no=403, anonymous=LOGIN, pending=PENDING):
    """Ex-staff and staff of another program are faculty members like any other here."""
    return like_faculty({"anonymous": anonymous, "pending": pending,
                         **{role: (yes if role in roles else no) for role in ("fellow", "alumni", "faculty", "admin")}})


MENTORS = ("alumni", "faculty")
NOT_THEIRS = members(LOGIN, 403, 404)

ROUTES = {
    ("mentorship.index", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("mentorship.settings", "GET"): ({}, only(MENTORS, 200)),
    ("mentorship.settings", "POST"): ({}, only(MENTORS, 400, pending=403)),
    ("mentorship.recommendations", "GET"): ({"type": "research"}, only(("fellow",), 200)),
    ("mentorship.ask", "GET"): ({"mentor_id": "@mentor"}, only(("fellow",), 200)),
    ("mentorship.ask", "POST"): ({"mentor_id": "@mentor"}, only(("fellow",), 400, pending=403)),
    ("mentorship.requests", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("mentorship.accept", "POST"): ({"request_id": "@request"}, NOT_THEIRS),
    ("mentorship.decline", "POST"): ({"request_id": "@request"}, NOT_THEIRS),
    ("mentorship.withdraw", "POST"): ({"request_id": "@request"}, NOT_THEIRS),
    ("mentorship.workspace", "GET"): ({"mentorship_id": "@mentorship"}, members(LOGIN, PENDING, 404)),
    ("mentorship.compact", "POST"): ({"mentorship_id": "@mentorship"}, NOT_THEIRS),
    ("mentorship.add_goal", "POST"): ({"mentorship_id": "@mentorship"}, NOT_THEIRS),
    ("mentorship.toggle_goal", "POST"): ({"mentorship_id": "@mentorship", "goal_id": "@goal"}, NOT_THEIRS),
    ("mentorship.log_meeting", "POST"): ({"mentorship_id": "@mentorship"}, NOT_THEIRS),
    ("mentorship.end", "POST"): ({"mentorship_id": "@mentorship"}, NOT_THEIRS),
    ("mentorship.edit_meeting", "GET"): ({"mentorship_id": "@mentorship", "meeting_id": "@meeting"},
                                         members(LOGIN, PENDING, 404)),
    ("mentorship.edit_meeting", "POST"): ({"mentorship_id": "@mentorship", "meeting_id": "@meeting"}, NOT_THEIRS),
    ("mentorship.delete_meeting", "GET"): ({"mentorship_id": "@mentorship", "meeting_id": "@meeting"},
                                           members(LOGIN, PENDING, 404)),
    ("mentorship.delete_meeting", "POST"): ({"mentorship_id": "@mentorship", "meeting_id": "@meeting"}, NOT_THEIRS),
}


def prepare(app, people, make_user):
    """A mentor with settings, a pending request to them and an active mentorship with a goal and a meeting."""
    from datetime import date

    from network.extensions import db
    from network.mentorship.models import Goal, Meeting, MentorSettings, Mentorship, MentorshipRequest

    mentor = make_user(role="alumni", name="Dr. Matrix Mentor")
    other_mentor = make_user(role="faculty")
    mentee = make_user(role="fellow")
    with app.app_context():
        db.session.add(MentorSettings(user_id=mentor.id, capacity=3, types=["research", "career"], active_mentees=1))
        request = MentorshipRequest(mentee_id=mentee.id, mentor_id=mentor.id, type="career", message="Hello")
        mentorship = Mentorship(mentee_id=mentee.id, mentor_id=other_mentor.id, type="research")
        db.session.add_all([request, mentorship])
        db.session.flush()
        goal = Goal(mentorship_id=mentorship.id, title="A goal")
        meeting = Meeting(mentorship_id=mentorship.id, author_id=mentee.id, met_on=date(2026, 9, 1), minutes=30,
                          mode="video", notes="Notes")
        db.session.add_all([goal, meeting])
        db.session.commit()
        return {"mentor": mentor.id, "request": request.id, "mentorship": mentorship.id, "goal": goal.id,
                "meeting": meeting.id}
