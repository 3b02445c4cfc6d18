"""Matching rounds: more rounds for the cohort, and a round's pool, fellows and ranked choices."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from network.extensions import db
from tests.budget import _rows


def populate(app, people, named, count):
    """Only where a matching page's matrix objects exist (the matrix's round): other pages show no rounds."""
    from network.matching.models import Choice, MatchingRound, Participant, round_cohort
    from network.types import utcnow

    if "round_id" not in named:
        return
    with app.app_context():
        now = utcnow()
        cohorts = db.session.scalars(select(round_cohort.c.cohort_id)
                                     .where(round_cohort.c.round_id == named["round_id"])).all()
        first = db.session.get(MatchingRound, named["round_id"])
        db.session.execute(insert(MatchingRound), [
            {"title": f"Budget round {n}", "type": first.type, "algorithm": first.algorithm, "status": first.status,
             "max_choices": 5, "deadline": now + timedelta(days=7), "created_by_id": first.created_by_id,
             "created_at": now} for n in range(count)])
        rounds = db.session.scalars(select(MatchingRound.id).where(MatchingRound.title.like("Budget round %"))
                                    .order_by(MatchingRound.id.desc()).limit(count)).all()
        db.session.execute(insert(round_cohort), [{"round_id": r, "cohort_id": c} for r in rounds for c in cohorts])
        fellows = _rows.members(count, role="fellow", prefix="Ranked")
        mentors = _rows.members(count, role="alumni", prefix="Pooled")
        db.session.execute(insert(Participant), [
            {"round_id": named["round_id"], "user_id": u, "side": side, "capacity": 2 if side == "mentor" else 0,
             "accept_any": False, "joined_at": now}
            for side, users in (("fellow", fellows), ("mentor", mentors)) for u in users])
        db.session.execute(insert(Choice), [
            {"round_id": named["round_id"], "fellow_id": f, "mentor_id": m, "fellow_rank": 1, "mentor_accepts": True,
             "mentor_rank": None} for f, m in zip(fellows, mentors, strict=True)])
        db.session.commit()
