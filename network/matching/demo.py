"""Demo data: an open research matching round for Northbridge's Class of 2027.

Dr. Priya Raman runs it; Dr. Sofia Martins and three more Northbridge mentors are in the pool; most
fellows have ranked and some mentors have answered. Dr. Kwame Asante has not ranked yet, so the demo
fellow can try it, and the demo alumna has fellows to review. The director has run a first match to preview
it (not published: the deadline is three weeks away).
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from network.demo import link_context
from network.extensions import db
from network.matching.models import Algorithm, Choice, MatchingRound, MatchingRun, Participant, Side
from network.matching.services.lifecycle import open_round
from network.matching.services.runs import execute_run
from network.members.models import MemberStatus, Role, User
from network.mentorship.models import MentoringType
from network.programs.models import Cohort, CohortMembership, CohortRole, Program
from network.types import utcnow

TITLE = "Research mentors, Class of 2027"


def seed_matching() -> int:
    """Add the demo round (once); returns the number of rounds added."""
    if db.session.scalar(select(MatchingRound.id).where(MatchingRound.title == TITLE)) is not None:
        return 0
    cohort = db.session.scalar(select(Cohort).join(Program, Program.id == Cohort.program_id)
                               .where(Program.slug == "northbridge-pain", Cohort.name == "Class of 2027"))
    director = db.session.scalar(select(User).where(User.email == "faculty@example.org"))
    if cohort is None or director is None:
        return 0
    rng = random.Random(5)
    # Opened as a director opens one: the class's fellows join the round and are told (notification and
    # mail, as each chose), so the demo's notifications match the round's state by construction.
    with link_context():  # the service builds its links with url_for, as in a request
        matching_round = open_round(director, title=TITLE, mentoring_type=MentoringType.RESEARCH.value,
                                    algorithm=Algorithm.STABLE.value, deadline=utcnow() + timedelta(days=21),
                                    max_choices=10, cohorts=[cohort])
    fellows = db.session.scalars(
        select(User).join(CohortMembership, CohortMembership.user_id == User.id)
        .where(CohortMembership.cohort_id == cohort.id, CohortMembership.role == CohortRole.FELLOW,
               User.role == Role.FELLOW, User.status == MemberStatus.VERIFIED).order_by(User.id)).all()
    mentor_emails = ["alumni@example.org", "faculty2.northbridge@example.org", "alumni01.northbridge@example.org",
                     "alumni02.northbridge@example.org"]
    mentors = db.session.scalars(select(User).where(User.email.in_(mentor_emails)).order_by(User.id)).all()
    db.session.add_all(Participant(round_id=matching_round.id, user_id=m.id, side=Side.MENTOR, capacity=2)
                       for m in mentors)
    for fellow in fellows:
        if fellow.email == "fellow@example.org":
            continue  # the demo fellow ranks for themself
        for rank, mentor in enumerate(rng.sample(mentors, min(3, len(mentors))), 1):
            # The demo alumna answers herself; the others have accepted some fellows already (the rest: no answer).
            answered = mentor.email != "alumni@example.org" and rng.random() < 0.7
            db.session.add(Choice(round_id=matching_round.id, fellow_id=fellow.id, mentor_id=mentor.id,
                                  fellow_rank=rank, mentor_accepts=True if answered else None))
    db.session.flush()
    run = MatchingRun(round_id=matching_round.id, algorithm=matching_round.algorithm, started_by_id=director.id,
                      summary={}, pairs=[])
    db.session.add(run)
    db.session.flush()
    execute_run(run)
    return 1
