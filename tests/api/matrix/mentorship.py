"""Mentoring over the API: the fellow asks, the alumna mentors; everyone else sees none of it (404), and only
fellows look for mentors (403 for every other role, admins included, as on the pages)."""

from __future__ import annotations

from datetime import date

from network.extensions import db
from network.members.models import User
from network.mentorship import services
from network.mentorship.models import MeetingMode, MentoringType
from tests.api.matrix import GRANTED_ROLES


def outcomes(**given) -> dict:
    """Each granted role's status: those named, 404 for the rest (the pair's things are nobody else's)."""
    return {role: given.get(role, 404) for role in GRANTED_ROLES}


def prepare(app, people, make_user):
    """The alumna mentors the fellow in their careers (a goal and a meeting the fellow logged, with shared
    notes), and the fellow's request for research mentoring waits for her answer."""
    with app.test_request_context():
        fellow, mentor = db.session.get(User, people["fellow"].id), db.session.get(User, people["alumni"].id)
        services.save_settings(mentor, accepting=True, capacity=3, types=["research", "career", "clinical"],
                               meeting_modes=["video"], availability="", topics=[])
        db.session.flush()
        mentorship = services.accept_request(
            services.send_request(fellow, mentor, MentoringType.CAREER, "Help me choose a practice."), mentor)
        waiting = services.send_request(fellow, mentor, MentoringType.RESEARCH, "Help me plan a study.")
        goal = services.add_goal(mentorship, "Visit two practices", None)
        meeting = services.log_meeting(mentorship, fellow, met_on=date(2026, 1, 5), minutes=30,
                                       mode=MeetingMode.VIDEO, topics="Practices", notes="Shared notes",
                                       notes_private=False)
        db.session.commit()
        return {"mentor": mentor.id, "request": waiting.id, "mentorship": mentorship.id, "goal": goal.id,
                "meeting": meeting.id}


PAIR = outcomes(fellow=200, alumni=200)
WORKSPACE = {"mentorship_id": "@mentorship"}

ROUTES = {
    ("api_mentors.recommendations", "GET"): ({}, None, {**dict.fromkeys(GRANTED_ROLES, 403), "fellow": 200}),
    ("api_mentorship_requests.list_requests", "GET"): ({}, None, dict.fromkeys(GRANTED_ROLES, 200)),
    ("api_mentorship_requests.get_request", "GET"): ({"request_id": "@request"}, None, PAIR),
    ("api_mentorship_requests.create_request", "POST"): (
        {}, {"mentor_id": "@mentor", "type": "clinical", "message": "Could you teach me ultrasound-guided blocks?"},
        {**dict.fromkeys(GRANTED_ROLES, 403), "fellow": 201}),
    ("api_mentorship_requests.accept_request", "POST"): ({"request_id": "@request"}, None, outcomes(alumni=200)),
    ("api_mentorship_requests.decline_request", "POST"): (
        {"request_id": "@request"}, {"reason": "not_available", "note": "Back in the spring."}, outcomes(alumni=200)),
    ("api_mentorship_requests.withdraw_request", "POST"): ({"request_id": "@request"}, None, outcomes(fellow=200)),
    ("api_mentorships.list_mentorships", "GET"): ({}, None, dict.fromkeys(GRANTED_ROLES, 200)),
    ("api_mentorships.get_mentorship", "GET"): (WORKSPACE, None, PAIR),
    ("api_mentorships.list_goals", "GET"): (WORKSPACE, None, PAIR),
    ("api_mentorships.create_goal", "POST"): (WORKSPACE, {"title": "Shadow a clinic day"},
                                              outcomes(fellow=201, alumni=201)),
    ("api_mentorships.update_goal", "PATCH"): ({**WORKSPACE, "goal_id": "@goal"}, {"done": True}, PAIR),
    ("api_mentorships.list_meetings", "GET"): (WORKSPACE, None, PAIR),
    ("api_mentorships.create_meeting", "POST"): (WORKSPACE, {"met_on": "2026-02-02", "minutes": 45, "mode": "phone"},
                                                 outcomes(fellow=201, alumni=201)),
    # The meeting is the fellow's: the mentor sees it but may not change it.
    ("api_mentorships.update_meeting", "PATCH"): ({**WORKSPACE, "meeting_id": "@meeting"}, {"minutes": 50},
                                                  outcomes(fellow=200, alumni=403)),
}
