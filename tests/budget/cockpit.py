"""Cockpit: the prepared program's class (tests/cockpit_world.py) grows by fellows without mentors, overdue
mentorships, week-old requests, invitations, held posts, and fellows and mentors in its open round who have not
ranked or answered: every list and every number grows with them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from network.extensions import db
from tests.budget import _rows

#: Only administrators among the budget's people run the prepared program.
VIEWERS = {"cockpit.show": "admin", "cockpit.show_list": "admin"}


def populate(app, people, named, count):
    from network.cohorts.models import Invitation
    from network.discussions.models import Category, Post, Thread
    from network.matching.models import Choice, Participant
    from network.mentorship.models import Mentorship, MentorshipRequest
    from network.programs.models import CohortMembership
    from network.types import utcnow

    if "cockpit_program" not in named:
        return
    cohort, round_id = named["cockpit_cohort"], named["cockpit_round"]
    now = utcnow()
    with app.app_context():
        fellows = _rows.members(count, role="fellow", prefix="Cockpit")
        mentors = _rows.members(count, role="alumni", prefix="CockpitMentor")
        db.session.execute(insert(CohortMembership), [
            {"cohort_id": cohort, "user_id": f, "role": "fellow", "joined_at": now} for f in fellows])
        db.session.execute(insert(Mentorship), [
            {"mentee_id": f, "mentor_id": m, "type": "research", "status": "active",
             "started_at": now - timedelta(days=90), "cadence_days": 30, "length_months": 12, "expectations": "",
             "closing_comment": ""} for f, m in zip(fellows, mentors, strict=True)])
        db.session.execute(insert(MentorshipRequest), [
            {"mentee_id": f, "mentor_id": m, "type": "career", "message": "", "status": "pending",
             "response_note": "", "created_at": now - timedelta(days=9)}
            for f, m in zip(fellows, mentors, strict=True)])
        batch = len(named.setdefault("_budget_cockpit", [])) + 1
        named["_budget_cockpit"].append(batch)
        db.session.execute(insert(Invitation), [
            {"cohort_id": cohort, "email": f"cockpit.{batch}.{n}@example.org", "name": "", "role": "fellow",
             "token_hash": f"c{batch:07d}{n:056d}", "status": "sent", "created_at": now, "sent_at": now,
             "expires_at": now + timedelta(days=3)} for n in range(count)])
        category = db.session.scalar(select(Category.id).where(Category.cohort_id == cohort))
        thread = db.session.scalar(select(Thread.id).where(Thread.category_id == category))
        db.session.execute(insert(Post), [
            {"thread_id": thread, "author_id": f, "body": "Held.", "body_html": "<p>Held.</p>", "held": True,
             "created_at": now, "version": 1} for f in fellows])
        db.session.execute(insert(Participant), [
            {"round_id": round_id, "user_id": f, "side": "fellow", "capacity": 0, "accept_any": False,
             "joined_at": now} for f in fellows] + [
            {"round_id": round_id, "user_id": m, "side": "mentor", "capacity": 1, "accept_any": False,
             "joined_at": now} for m in mentors])
        db.session.execute(insert(Choice), [
            {"round_id": round_id, "fellow_id": fellows[0], "mentor_id": m,
             "fellow_rank": n + 1} for n, m in enumerate(mentors[: min(count, 20)])])
        db.session.commit()
