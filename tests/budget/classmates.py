"""My class: the matrix fellow's class grows by classmates with mentors (hidden from the fellow), the
fellow's own goals and requests, and open matching rounds of the class the fellow takes part in."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, select

from network.extensions import db
from tests.budget import _rows


def populate(app, people, named, count):
    from network.matching.models import MatchingRound, Participant, round_cohort
    from network.mentorship.models import Goal, Mentorship, MentorshipRequest
    from network.programs.models import CohortMembership
    from network.types import utcnow

    if "my_class_cohort" not in named:  # not this area's page
        return
    cohort, fellow, now = named["my_class_cohort"], people["fellow"].id, utcnow()
    with app.app_context():
        classmates = _rows.members(count, role="fellow", prefix="Classmate")
        mentors = _rows.members(count, role="alumni", prefix="Mentor")
        db.session.execute(insert(CohortMembership), [
            {"cohort_id": cohort, "user_id": c, "role": "fellow", "joined_at": now} for c in classmates])
        common = {"status": "active", "started_at": now, "cadence_days": 30, "length_months": 12,
                  "expectations": "", "closing_comment": ""}
        db.session.execute(insert(Mentorship), [{**common, "mentee_id": c, "mentor_id": m, "type": "research"}
                                                for c, m in zip(classmates, mentors, strict=True)])
        if "_my_class_mentorship" not in named:
            db.session.execute(insert(Mentorship), [{**common, "mentee_id": fellow, "mentor_id": mentors[0],
                                                     "type": "clinical"}])
            named["_my_class_mentorship"] = db.session.scalar(
                select(Mentorship.id).where(Mentorship.mentee_id == fellow, Mentorship.type == "clinical"))
        db.session.execute(insert(Goal), [
            {"mentorship_id": named["_my_class_mentorship"], "title": f"Goal {n}",
             "due_on": date.today() + timedelta(days=n), "created_at": now} for n in range(count)])
        db.session.execute(insert(MentorshipRequest), [
            {"mentee_id": fellow, "mentor_id": m, "type": "career", "message": "", "status": "pending",
             "response_note": "", "created_at": now} for m in mentors])
        titles = [f"Class round {len(named.setdefault('_my_class_rounds', []))}-{n}" for n in range(count)]
        named["_my_class_rounds"].append(count)
        db.session.execute(insert(MatchingRound), [
            {"title": t, "type": "research", "algorithm": "stable", "status": "open", "max_choices": 5,
             "deadline": now + timedelta(days=10), "created_at": now, "no_answer_acceptable": True} for t in titles])
        rounds = db.session.scalars(select(MatchingRound.id).where(MatchingRound.title.in_(titles))).all()
        db.session.execute(insert(round_cohort), [{"round_id": r, "cohort_id": cohort} for r in rounds])
        db.session.execute(insert(Participant), [{"round_id": r, "user_id": fellow, "side": "fellow",
                                                  "joined_at": now} for r in rounds])
        db.session.commit()
