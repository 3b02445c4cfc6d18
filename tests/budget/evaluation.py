"""The evaluation pack: the prepared program's 2025–26 class grows by fellows with mentorships (active and
closed with ratings), meetings, alumni's opportunities and posts in the class's category."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert, select

from network.extensions import db
from tests.budget import _rows


def populate(app, people, named, count):
    from network.discussions.models import Post, Thread
    from network.mentorship.models import Meeting, Mentorship
    from network.opportunities.models import Opportunity
    from network.programs.models import CohortMembership

    if "evaluation_program" not in named:  # not a page of this area
        return
    cohort, category = named["evaluation_cohort"], named["evaluation_category"]
    in_year = datetime(2025, 10, 1, tzinfo=UTC)
    with app.app_context():
        fellows = _rows.members(count, role="fellow", prefix="Evaluated")
        alumni = _rows.members(count, role="alumni", prefix="Graduate")
        db.session.execute(insert(CohortMembership), [
            {"cohort_id": cohort, "user_id": u, "role": "fellow", "joined_at": in_year} for u in fellows + alumni])
        mentor = people["alumni"].id
        common = {"mentor_id": mentor, "cadence_days": 30, "length_months": 12, "expectations": "",
                  "closing_comment": ""}
        db.session.execute(insert(Mentorship), [
            {**common, "mentee_id": f, "type": "research", "status": "active", "started_at": in_year} for f in fellows]
            + [{**common, "mentee_id": f, "type": "career", "status": "completed", "rating": 1 + n % 5,
                "started_at": datetime(2025, 8, 1, tzinfo=UTC), "ended_at": datetime(2026, 3, 1, tzinfo=UTC)}
               for n, f in enumerate(fellows)])
        mentorships = db.session.scalars(select(Mentorship.id).where(Mentorship.mentee_id.in_(fellows))).all()
        db.session.execute(insert(Meeting), [
            {"mentorship_id": m, "author_id": mentor, "met_on": date(2025, 11, 1), "minutes": 30, "mode": "video",
             "topics": "", "notes": "", "notes_private": False, "created_at": in_year} for m in mentorships])
        db.session.execute(insert(Opportunity), [
            {"poster_id": a, "kind": ("job", "research", "conference")[n % 3], "status": "open",
             "title": f"Opening {n}", "created_at": in_year, "updated_at": in_year} for n, a in enumerate(alumni)])
        threads = []
        for author in fellows:
            thread = Thread(category_id=category, author_id=author, title="Budget thread", created_at=in_year,
                            last_post_at=in_year)
            db.session.add(thread)
            threads.append(thread)
        db.session.flush()
        db.session.execute(insert(Post), [
            {"thread_id": t.id, "author_id": t.author_id, "body": "Hello", "body_html": "<p>Hello</p>",
             "created_at": in_year, "held": False, "version": 1} for t in threads])
        db.session.commit()
