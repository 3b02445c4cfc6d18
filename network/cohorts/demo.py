"""Demo programs' staff, invitations in every state, a class waiting to graduate, and a year of
mentoring and discussion activity so the cohort dashboards have something to show."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from network.audit.models import record
from network.cohorts.models import Invitation, InvitationStatus
from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramRole, ProgramStaff

STAFF_ROLES = [ProgramRole.DIRECTOR, ProgramRole.COORDINATOR, ProgramRole.FACULTY, ProgramRole.FACULTY]
#: Northbridge's research-track class ended in June and waits for its director to graduate it.
WAITING_CLASS = ("Research track 2025–26", date(2025, 7, 1), date(2026, 6, 30))


def _token_hash(text: str) -> str:
    # Demo invitations have no working link (their tokens were never mailed): a hash of a known phrase.
    return hashlib.sha256(f"demo-invitation:{text}".encode()).hexdigest()


def seed_cohorts(seed=None) -> int:
    """Idempotent: does nothing once any program has staff. Returns the invitations made."""
    if db.session.scalar(select(ProgramStaff.id).limit(1)) is not None:
        return 0
    rng = random.Random(8)
    now = datetime.now(UTC)
    today = now.date()
    programs = db.session.scalars(select(Program).order_by(Program.id)).all()
    made = 0
    for program in programs:
        key = program.slug.split("-")[0]
        faculty_emails = [("faculty@example.org" if (program.slug == "northbridge-pain" and n == 0)
                           else f"faculty{n + 1}.{key}@example.org") for n in range(4)]
        faculty = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(faculty_emails)))}
        for email, role in zip(faculty_emails, STAFF_ROLES, strict=True):
            if email in faculty:
                db.session.add(ProgramStaff(program_id=program.id, user_id=faculty[email].id, role=role))
        director = faculty.get(faculty_emails[0])
        current = db.session.scalars(select(Cohort).where(Cohort.program_id == program.id,
                                                          Cohort.graduated_at.is_(None))
                                     .order_by(Cohort.start_date.desc())).first()
        if current is None:
            continue
        # One invitation in each state.
        states = [("sent", now - timedelta(days=2), None), ("expired", now - timedelta(days=12), None),
                  ("revoked", now - timedelta(days=5), InvitationStatus.REVOKED),
                  ("accepted", now - timedelta(days=100), InvitationStatus.ACCEPTED)]
        accepted_by = db.session.scalars(
            select(User).join(CohortMembership, CohortMembership.user_id == User.id)
            .where(CohortMembership.cohort_id == current.id, CohortMembership.role == CohortRole.FELLOW)
            .order_by(User.id)).first()
        for label, sent_at, status in states:
            email = accepted_by.email if label == "accepted" and accepted_by else f"incoming.{label}.{key}@example.org"
            invitation = Invitation(
                cohort_id=current.id, email=email, name="" if label == "accepted" else f"Dr. Incoming {label.title()}",
                role=CohortRole.FELLOW, token_hash=_token_hash(f"{program.slug}:{label}"),
                status=status or InvitationStatus.SENT, invited_by_id=director.id if director else None,
                created_at=sent_at, sent_at=sent_at, expires_at=sent_at + timedelta(days=7),
                accepted_at=sent_at + timedelta(days=1) if label == "accepted" else None,
                accepted_by_id=accepted_by.id if label == "accepted" and accepted_by else None)
            db.session.add(invitation)
            db.session.flush()
            if director is not None:  # what the director did, in the program's audit log
                entry = record(director.id, "cohort.invite", "cohort", current.id, program_id=program.id, count=1,
                               emails=[email])
                entry.created_at, entry.ip = sent_at, "192.0.2.10"
                if label == "revoked":
                    revoked = record(director.id, "invitation.revoke", "invitation", invitation.id,
                                     program_id=program.id, email=email)
                    revoked.created_at, revoked.ip = sent_at + timedelta(days=1), "192.0.2.10"
            made += 1
    db.session.flush()
    _waiting_class(now)
    _activity(rng, today, now)
    return made


def _waiting_class(now: datetime) -> None:
    """Northbridge's research-track class: ended, not graduated yet (three fellows)."""
    program = db.session.scalars(select(Program).where(Program.slug == "northbridge-pain")).first()
    if program is None:
        return
    name, start, end = WAITING_CLASS
    cohort = Cohort(program_id=program.id, name=name, start_date=start, end_date=end)
    db.session.add(cohort)
    db.session.flush()
    template = db.session.scalars(select(User).where(User.role == Role.FELLOW, User.status == MemberStatus.VERIFIED)
                                  .order_by(User.id)).first()
    people = [("Dr. Lena Hoffmann", "research1.northbridge@example.org"),
              ("Dr. Omar Siddiqui", "research2.northbridge@example.org"),
              ("Dr. Priscila Duarte", "research3.northbridge@example.org")]
    for n, (full_name, email) in enumerate(people):
        user = User(email=email, name=full_name, role=Role.FELLOW, status=MemberStatus.VERIFIED,
                    password_hash=template.password_hash if template else "!", created_at=now - timedelta(days=500 + n),
                    email_confirmed_at=now - timedelta(days=500), verified_at=now - timedelta(days=499),
                    training_background_id=template.training_background_id if template else None)
        db.session.add(user)
        db.session.flush()
        db.session.add(CohortMembership(cohort_id=cohort.id, user_id=user.id, role=CohortRole.FELLOW,
                                        joined_at=now - timedelta(days=500)))
    director = db.session.scalars(select(User).where(User.email == "faculty@example.org")).first()
    if director:
        db.session.add(CohortMembership(cohort_id=cohort.id, user_id=director.id, role=CohortRole.FACULTY))
    db.session.flush()
    from network.discussions.services.categories import ensure_cohort_categories
    from network.profiles.demo import seed_profiles

    ensure_cohort_categories()
    seed_profiles()  # only members without a profile: the three new fellows


def _activity(rng: random.Random, today: date, now: datetime) -> None:
    """Requests, meetings, ratings and posts over twelve months: the last year of every current class and the
    final year of each program's Class of 2026."""
    from network.discussions.models import Category, Post, Thread
    from network.discussions.rendering import render_body
    from network.mentorship.models import (
        Meeting,
        MeetingMode,
        MentoringType,
        Mentorship,
        MentorshipRequest,
        MentorshipStatus,
        RequestStatus,
    )

    mentors = db.session.scalars(select(User).where(User.role.in_([Role.ALUMNI, Role.FACULTY]),
                                                    User.status == MemberStatus.VERIFIED).order_by(User.id)).all()
    if len(mentors) < 2:
        return

    def mentor_for(fellow_id: int) -> User:
        # Graduated fellows are alumni, and so mentors themselves: never their own.
        while True:
            mentor = rng.choice(mentors)
            if mentor.id != fellow_id:
                return mentor
    # Every current class, and each program's latest graduated class over its own final year.
    cohorts = db.session.scalars(select(Cohort).where(
        (Cohort.graduated_at.is_(None)) | (Cohort.name == "Class of 2026")).order_by(Cohort.id)).all()
    for cohort in cohorts:
        graduated = cohort.is_graduated
        day = min(today, cohort.end_date) if graduated else today
        at_day = datetime.combine(day, time(12), tzinfo=UTC) if graduated else now
        fellow_ids = db.session.scalars(select(CohortMembership.user_id).where(
            CohortMembership.cohort_id == cohort.id, CohortMembership.role == CohortRole.FELLOW)).all()
        for fellow_id in fellow_ids:
            # Requests spread over the year: most accepted (each became a mentorship, since completed with a
            # rating), a few declined.
            accepted = []
            for month_back in sorted(rng.sample(range(2, 12), 3), reverse=True):
                at = at_day - timedelta(days=30 * month_back + rng.randint(0, 25))
                mentor = mentor_for(fellow_id)
                kind = rng.choice(list(MentoringType))
                request = MentorshipRequest(mentee_id=fellow_id, mentor_id=mentor.id, type=kind,
                                            message="Could we talk about my plans for this year?",
                                            status=RequestStatus.DECLINED if month_back % 4 == 0
                                            else RequestStatus.ACCEPTED,
                                            created_at=at, responded_at=at + timedelta(days=2))
                db.session.add(request)
                if request.status == RequestStatus.ACCEPTED:
                    started = request.responded_at
                    ended = min(started + timedelta(days=rng.randint(45, 120)), at_day - timedelta(days=5))
                    mentorship = Mentorship(mentee_id=fellow_id, mentor_id=mentor.id, type=kind,
                                            status=MentorshipStatus.COMPLETED, started_at=started, ended_at=ended,
                                            rating=rng.choice([3, 4, 4, 5, 5]), closing_comment="Generous with time.")
                    db.session.add(mentorship)
                    db.session.flush()
                    request.mentorship_id = mentorship.id
                    accepted.append(mentorship)
            # The longest of them has a meeting most months while it lasted.
            past = accepted[0]
            for month_back in range(1, 11):
                met_on = past.started_at.date() + timedelta(days=30 * month_back - rng.randint(0, 20))
                if met_on < past.ended_at.date() and rng.random() < 0.75:
                    db.session.add(Meeting(mentorship_id=past.id, author_id=fellow_id, minutes=rng.choice([30, 45, 60]),
                                           met_on=met_on, mode=rng.choice(list(MeetingMode)),
                                           topics="Progress and next steps",
                                           notes="Private to the pair: never shown on the dashboard."))
        # Meetings on the mentorships active now, one most months.
        active = [] if graduated else db.session.scalars(select(Mentorship).where(
            Mentorship.mentee_id.in_(fellow_ids), Mentorship.status == MentorshipStatus.ACTIVE)).all()
        for mentorship in active:
            for month_back in range(1, 3):
                met_on = today - timedelta(days=30 * month_back + rng.randint(0, 10))
                if met_on > mentorship.started_at.date() and (mentorship.last_met_on is None
                                                               or met_on < mentorship.last_met_on):
                    db.session.add(Meeting(mentorship_id=mentorship.id, author_id=mentorship.mentee_id, minutes=45,
                                           met_on=met_on, mode=MeetingMode.VIDEO, topics="Monthly check-in"))
        # A monthly check-in thread in the cohort's private category.
        category = db.session.scalars(select(Category).where(Category.cohort_id == cohort.id)).first()
        if category is None or not fellow_ids:
            continue
        started = datetime.combine(day - timedelta(days=330), time(9), tzinfo=UTC)
        thread = Thread(category_id=category.id, author_id=fellow_ids[0], title="Monthly check-in",
                        created_at=started, last_post_at=started, post_count=0)
        db.session.add(thread)
        db.session.flush()
        posts = []
        for month in range(11):
            for _ in range(rng.randint(1, 4)):
                at = started + timedelta(days=30 * month + rng.randint(0, 25), hours=rng.randint(0, 8))
                body = rng.choice(["Journal club went well this month.", "Who can swap call next weekend?",
                                   "Board question bank: I finished the headache chapter.",
                                   "Ultrasound workshop slides are in the shared folder."])
                html, _ = render_body(body)
                posts.append(Post(thread_id=thread.id, author_id=rng.choice(fellow_ids), body=body, body_html=html,
                                  created_at=at))
        posts.sort(key=lambda p: p.created_at)
        db.session.add_all(posts)
        db.session.flush()
        thread.first_post_id, thread.last_post_id = posts[0].id, posts[-1].id
        thread.post_count, thread.last_post_at = len(posts), posts[-1].created_at
    db.session.flush()
