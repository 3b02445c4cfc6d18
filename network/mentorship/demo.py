"""Demo mentoring: settings for every mentor, and active, overdue, pending and completed mentorships."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.mentorship.models import (
    Goal,
    Meeting,
    MeetingMode,
    MentoringType,
    MentorSettings,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
)
from network.profiles.models import Profile

TYPES = [t.value for t in MentoringType]


def seed_mentorship() -> int:
    """Idempotent: does nothing once any mentor has settings. Returns the mentorships made."""
    if db.session.scalar(select(MentorSettings.user_id).limit(1)) is not None:
        return 0
    rng = random.Random(77)
    people = db.session.scalars(select(User).where(User.status == MemberStatus.VERIFIED)
                                .options(selectinload(User.profile).selectinload(Profile.interests))
                                .order_by(User.id)).all()
    by_email = {u.email: u for u in people}
    mentors = [u for u in people if u.role in (Role.ALUMNI, Role.FACULTY)]
    fellows = [u for u in people if u.role == Role.FELLOW]
    settings = {}
    for mentor in mentors:
        accepting = bool(mentor.profile and mentor.profile.accepting_mentees)
        types = sorted(rng.sample(TYPES, rng.randint(1, 3)))
        if mentor.email in ("alumni@example.org", "faculty@example.org"):
            accepting, types = True, ["career", "clinical", "research"] if mentor.role == Role.ALUMNI else \
                ["clinical", "research", "wellness"]
        settings[mentor.id] = MentorSettings(
            user_id=mentor.id, accepting=accepting, capacity=rng.randint(2, 5), types=types,
            meeting_modes=rng.sample(["video", "phone", "in_person"], 2),
            availability=rng.choice(["Tuesday evenings", "Early mornings before clinic", "Friday afternoons", ""]),
            topics=list(mentor.profile.interests[:3]) if mentor.profile else [])
        if mentor.profile:
            mentor.profile.accepting_mentees = accepting
        db.session.add(settings[mentor.id])
    db.session.flush()
    today = date.today()
    now = datetime.now(UTC)
    made = 0

    def start(mentee, mentor, kind, days_ago, met_days_ago=None, status=MentorshipStatus.ACTIVE, rating=None):
        nonlocal made
        mentorship = Mentorship(mentee_id=mentee.id, mentor_id=mentor.id, type=kind, status=status,
                                started_at=now - timedelta(days=days_ago), cadence_days=30, length_months=12,
                                expectations="Monthly video calls; the fellow sets the agenda and sends it a day "
                                             "ahead.")
        if status != MentorshipStatus.ACTIVE:
            mentorship.ended_at = now - timedelta(days=5)
            mentorship.rating, mentorship.closing_comment = rating, "Generous with time and honest feedback."
        elif settings.get(mentor.id):
            settings[mentor.id].active_mentees += 1
        db.session.add(mentorship)
        db.session.flush()
        db.session.add(Goal(mentorship_id=mentorship.id, title="Submit the case series abstract to the spring meeting",
                            due_on=today + timedelta(days=45)))
        db.session.add(Goal(mentorship_id=mentorship.id, title="Shadow three spinal cord stimulator trials",
                            done_at=now - timedelta(days=10)))
        if met_days_ago is not None:
            met_on = today - timedelta(days=met_days_ago)
            db.session.add(Meeting(mentorship_id=mentorship.id, author_id=mentee.id, met_on=met_on, minutes=45,
                                   mode=MeetingMode.VIDEO, topics="Fellowship goals, first procedures",
                                   notes="Agreed on a research question and a timeline."))
            mentorship.last_met_on = met_on
        made += 1
        return mentorship

    fellow, faculty, alumna = (by_email.get("fellow@example.org"), by_email.get("faculty@example.org"),
                               by_email.get("alumni@example.org"))
    if fellow and faculty:
        # Clinical slot filled but overdue: no meeting for 70 days on a 30-day cadence. It began as the
        # fellow's request, accepted the day the mentorship started.
        clinical = start(fellow, faculty, MentoringType.CLINICAL, days_ago=120, met_days_ago=70)
        db.session.add(MentorshipRequest(mentee_id=fellow.id, mentor_id=faculty.id, type=MentoringType.CLINICAL,
                                         message="Could you guide my first interventional spine cases?",
                                         status=RequestStatus.ACCEPTED, mentorship_id=clinical.id,
                                         created_at=clinical.started_at - timedelta(days=2),
                                         responded_at=clinical.started_at))
    others = [f for f in fellows if f is not fellow]
    free_mentors = [m for m in mentors if m is not alumna and settings[m.id].accepting]
    for index, mentee in enumerate(others[:10]):
        mentor = free_mentors[index % len(free_mentors)]
        kind = MentoringType(settings[mentor.id].types[0])
        if settings[mentor.id].active_mentees < settings[mentor.id].capacity:
            start(mentee, mentor, kind, days_ago=60 + index * 7, met_days_ago=10 + index * 6)
    for index, mentee in enumerate(others[10:13]):
        mentor = free_mentors[(index + 3) % len(free_mentors)]
        start(mentee, mentor, MentoringType.CAREER, days_ago=300, met_days_ago=40,
              status=MentorshipStatus.COMPLETED, rating=4 + index % 2)
    if fellow and alumna:
        # A finished mentorship of the demo fellow with the demo alumna: their "Past mentorships".
        start(fellow, alumna, MentoringType.CAREER, days_ago=400, met_days_ago=300,
              status=MentorshipStatus.COMPLETED, rating=5)
    if alumna:
        # A request waiting for the demo alumna, from another fellow.
        for mentee in others[13:14]:
            db.session.add(MentorshipRequest(mentee_id=mentee.id, mentor_id=alumna.id, type=MentoringType.CAREER,
                                             message="I am weighing private practice offers in Texas and would "
                                                     "value your view on contracts.",
                                             created_at=now - timedelta(days=3)))
    if faculty:
        # A request the demo director has left for 8 days (their reminder says so).
        for mentee in others[14:15]:
            db.session.add(MentorshipRequest(mentee_id=mentee.id, mentor_id=faculty.id, type=MentoringType.RESEARCH,
                                             message="Would you supervise a retrospective chart review on "
                                                     "radiofrequency ablation outcomes?",
                                             created_at=now - timedelta(days=8, hours=2)))
    return made
