"""Cohorts: the matrix's prepared class grows by fellows with mentorships, meetings, requests and
invitations, and its staged roster file by rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select, update

from network.extensions import db
from tests.budget import _rows


def populate(app, people, named, count):
    from network.cohorts.models import Invitation, RosterImport
    from network.mentorship.models import Meeting, Mentorship, MentorshipRequest
    from network.programs.models import CohortMembership
    from network.types import utcnow

    if "roster_url" not in named:  # not a page of this area (another area may name a "cohort" of its own)
        return
    cohort = named["cohort"]
    now = utcnow()
    with app.app_context():
        fellows = _rows.members(count, role="fellow", prefix="Classmate")
        mentor = people["alumni"].id
        db.session.execute(insert(CohortMembership), [
            {"cohort_id": cohort, "user_id": f, "role": "fellow", "joined_at": now} for f in fellows])
        db.session.execute(insert(Mentorship), [
            {"mentee_id": f, "mentor_id": mentor, "type": "research", "status": "active", "started_at": now,
             "cadence_days": 30, "length_months": 12, "expectations": "", "closing_comment": "",
             "last_met_on": date(2026, 9, 1)} for f in fellows])
        mentorships = db.session.scalars(select(Mentorship.id).where(Mentorship.mentee_id.in_(fellows))).all()
        db.session.execute(insert(Meeting), [
            {"mentorship_id": m, "author_id": mentor, "met_on": date(2026, 9, 1), "minutes": 30, "mode": "video",
             "topics": "", "notes": "private", "notes_private": False, "created_at": now} for m in mentorships])
        db.session.execute(insert(MentorshipRequest), [
            {"mentee_id": f, "mentor_id": mentor, "type": "career", "message": "", "status": "pending",
             "response_note": "", "created_at": now} for f in fellows])
        batch = len(named.setdefault("_budget_invitations", [])) + 1
        named["_budget_invitations"].append(batch)
        db.session.execute(insert(Invitation), [
            {"cohort_id": cohort, "email": f"invited.{batch}.{n}@example.org", "name": "", "role": "fellow",
             "token_hash": f"{batch:08d}{n:056d}", "status": "sent", "created_at": now, "sent_at": now,
             "expires_at": now} for n in range(count)])
        if "staged" in named:
            staged = db.session.get(RosterImport, named["staged"])
            rows = list(staged.rows) + [{**staged.rows[0], "line": len(staged.rows) + n + 2,
                                         "email": f"row{batch}.{n}@example.org"} for n in range(count)]
            db.session.execute(update(RosterImport).where(RosterImport.id == staged.id).values(rows=rows))
        db.session.commit()
