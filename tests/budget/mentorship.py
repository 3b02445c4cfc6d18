"""Mentoring: mentors to recommend, a fellow's requests, and goals and meetings in a workspace."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select

from network.extensions import db
from tests.budget import _rows

_MEETING = {"mentorship_id": "budget_mentorship", "meeting_id": "budget_meeting"}
ARGUMENTS = {"mentorship.workspace": {"mentorship_id": "budget_mentorship"},
             "mentorship.ask": {"mentor_id": "budget_mentor"},
             "mentorship.edit_meeting": _MEETING, "mentorship.delete_meeting": _MEETING}
VIEWERS = {"mentorship.workspace": "fellow", "mentorship.edit_meeting": "fellow",
           "mentorship.delete_meeting": "fellow"}


def populate(app, people, named, count):
    from network.mentorship.models import Goal, Meeting, MentorSettings, Mentorship, MentorshipRequest
    from network.types import utcnow

    with app.app_context():
        fellow, alumni = people["fellow"].id, people["alumni"].id
        if "budget_mentorship" not in named:
            mentorship = Mentorship(mentee_id=fellow, mentor_id=alumni, type="career")
            db.session.add(mentorship)
            db.session.flush()
            named["budget_mentorship"] = mentorship.id
        mentors = _rows.members(count, role="alumni", prefix="Mentor")
        named.setdefault("budget_mentor", mentors[0])
        db.session.execute(insert(MentorSettings), [
            {"user_id": m, "accepting": True, "capacity": 3, "active_mentees": 0, "types": ["research", "career"],
             "meeting_modes": ["video"], "availability": ""} for m in mentors])
        db.session.execute(insert(MentorshipRequest), [
            {"mentee_id": fellow, "mentor_id": m, "type": "research", "message": "Please", "status": "pending",
             "created_at": utcnow()} for m in mentors])
        askers = _rows.members(count, role="fellow", prefix="Asker")
        db.session.execute(insert(MentorshipRequest), [
            {"mentee_id": a, "mentor_id": alumni, "type": "research", "message": "Please", "status": "pending",
             "created_at": utcnow()} for a in askers])
        db.session.execute(insert(Goal), [{"mentorship_id": named["budget_mentorship"], "title": f"Goal {n}",
                                           "created_at": utcnow()} for n in range(count)])
        db.session.execute(insert(Meeting), [
            {"mentorship_id": named["budget_mentorship"], "author_id": fellow, "met_on": date(2026, 9, 1),
             "minutes": 30, "mode": "video", "topics": "Careers", "notes": "Notes", "notes_private": False,
             "created_at": utcnow()} for n in range(count)])
        named.setdefault("budget_meeting", db.session.scalar(select(func.min(Meeting.id)).where(
            Meeting.mentorship_id == named["budget_mentorship"])))
        # Past mentorships: the fellow's and the alumna's "Past mentorships" lists grow.
        db.session.execute(insert(Mentorship), [
            {"mentee_id": fellow, "mentor_id": alumni, "type": "research", "status": "completed",
             "started_at": utcnow(), "ended_at": utcnow(), "cadence_days": 30, "length_months": 12,
             "expectations": "", "closing_comment": "", "rating": 4} for n in range(count)])
        db.session.commit()
