"""A program with something in every cockpit list, for the cockpit's tests, matrix rows and budget hooks.

``build(app, make_user, slug)`` makes a program, its director and a current class: a fellow with no mentor at
all, a fellow whose research mentorship is overdue (never met in 60 days on a 30-day plan), a fellow with a
mentoring request waiting 10 days, an invitation never accepted, a held post in the class's category, and an
open round where one fellow has not ranked and one mentor has not answered the fellow who listed them. A
graduated class of the same program has a fellow without mentors too (it must never show).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from network.cohorts.models import Invitation
from network.discussions.models import Category, CategoryVisibility, Post, Thread
from network.extensions import db
from network.matching.models import Algorithm, Choice, MatchingRound, Participant, Side
from network.mentorship.models import Mentorship, MentorshipRequest
from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramStaff
from network.types import utcnow


@dataclass
class World:
    program: int
    cohort: int
    graduated: int
    director: object
    lonely: object  # no mentor of any type
    overdue_fellow: object
    overdue_mentor: object
    mentorship: int
    waiting_fellow: object
    waiting_mentor: object
    request: int
    invitation: int
    post: int
    round: int
    unranked: object
    ranked: object
    reviewer: object  # a mentor in the round who has not answered
    past_fellow: object


def build(app, make_user, slug: str = "cockpit-program", name: str = "Cockpit Program") -> World:
    director = make_user(role="faculty", name=f"Dr. Director of {name}")
    lonely = make_user(name=f"Dr. Lonely {slug}")
    overdue_fellow = make_user(name=f"Dr. Overdue Fellow {slug}")
    overdue_mentor = make_user(role="alumni", name=f"Dr. Overdue Mentor {slug}")
    waiting_fellow = make_user(name=f"Dr. Waiting Fellow {slug}")
    waiting_mentor = make_user(role="alumni", name=f"Dr. Slow Mentor {slug}")
    unranked = make_user(name=f"Dr. Unranked {slug}")
    reviewer = make_user(role="alumni", name=f"Dr. Reviewer {slug}")
    past_fellow = make_user(role="alumni", name=f"Dr. Graduate {slug}")
    now = utcnow()
    with app.app_context():
        program = Program(slug=slug, name=name, institution="Cockpit Hospital")
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(program_id=program.id, name="Class of 2027", start_date=date(2026, 7, 1),
                        end_date=date(2027, 6, 30))
        graduated = Cohort(program_id=program.id, name="Class of 2025", start_date=date(2024, 7, 1),
                           end_date=date(2025, 6, 30), graduated_at=now - timedelta(days=100))
        db.session.add_all([cohort, graduated])
        db.session.flush()
        db.session.add(ProgramStaff(program_id=program.id, user_id=director.id, role="director"))
        for fellow in (lonely, overdue_fellow, waiting_fellow, unranked):
            db.session.add(CohortMembership(cohort_id=cohort.id, user_id=fellow.id, role=CohortRole.FELLOW))
        db.session.add(CohortMembership(cohort_id=graduated.id, user_id=past_fellow.id, role=CohortRole.FELLOW))
        mentorship = Mentorship(mentee_id=overdue_fellow.id, mentor_id=overdue_mentor.id, type="research",
                                cadence_days=30, started_at=now - timedelta(days=60))
        request = MentorshipRequest(mentee_id=waiting_fellow.id, mentor_id=waiting_mentor.id, type="clinical",
                                    message="Could we work on ultrasound-guided blocks?",
                                    created_at=now - timedelta(days=10))
        invitation = Invitation(cohort_id=cohort.id, email=f"invited.{slug}@example.org", name="Dr. Invited",
                                role=CohortRole.FELLOW, token_hash=f"{slug:0<64}"[:64])
        category = Category(slug=f"class-{slug}", name=f"{name} class", visibility=CategoryVisibility.COHORT,
                            cohort_id=cohort.id)
        db.session.add_all([mentorship, request, invitation, category])
        db.session.flush()
        thread = Thread(category_id=category.id, author_id=lonely.id, title="A case from clinic", held=True,
                        post_count=1)
        db.session.add(thread)
        db.session.flush()
        post = Post(thread_id=thread.id, author_id=lonely.id, body="A difficult case.", body_html="<p>A difficult "
                    "case.</p>", held=True)
        db.session.add(post)
        db.session.flush()
        thread.first_post_id = thread.last_post_id = post.id
        matching_round = MatchingRound(title=f"Research round {slug}", type="research", algorithm=Algorithm.STABLE,
                                       deadline=now + timedelta(days=5), created_by_id=director.id)
        matching_round.cohorts = [cohort]
        db.session.add(matching_round)
        db.session.flush()
        db.session.add_all([
            Participant(round_id=matching_round.id, user_id=unranked.id, side=Side.FELLOW),
            Participant(round_id=matching_round.id, user_id=lonely.id, side=Side.FELLOW),
            Participant(round_id=matching_round.id, user_id=reviewer.id, side=Side.MENTOR, capacity=2),
            Choice(round_id=matching_round.id, fellow_id=lonely.id, mentor_id=reviewer.id, fellow_rank=1)])
        db.session.commit()
        return World(program.id, cohort.id, graduated.id, director, lonely, overdue_fellow, overdue_mentor,
                     mentorship.id, waiting_fellow, waiting_mentor, request.id, invitation.id, post.id,
                     matching_round.id, unranked, lonely, reviewer, past_fellow)
