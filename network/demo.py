"""Demo data: three pain-medicine programs, their cohorts and 60+ members.

Every object is found by a natural key before it is created, so seeding twice
changes nothing. Later features add their own demo data here.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import generate_password_hash

from network.extensions import db
from network.mail.models import EmailOutbox, OutboxStatus
from network.members.models import MemberStatus, Registration, Role, User
from network.programs.models import Cohort, CohortMembership, CohortRole, Program
from network.taxonomy.models import Specialty
from network.types import utcnow

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (published with the demo accounts)
DEMO_SIGN_INS = [
    ("admin@example.org", "administrator"),
    ("faculty@example.org", "program director, Northbridge"),
    ("fellow@example.org", "fellow, Northbridge Class of 2027"),
    ("alumni@example.org", "alumna, Northbridge Class of 2026"),
]

PROGRAMS = [
    ("northbridge-pain", "Northbridge Pain Medicine Fellowship", "Northbridge University Hospital", "Boston, MA",
     "An ACGME-accredited interventional pain fellowship with a strong neuromodulation and cancer-pain service."),
    ("lakeshore-pain", "Lakeshore Multidisciplinary Pain Fellowship", "Lakeshore Medical College", "Chicago, IL",
     "A multidisciplinary program: interventional procedures, pain psychology and addiction medicine side by side."),
    ("sierra-vista-pain", "Sierra Vista Pain Medicine Fellowship", "Sierra Vista Health Sciences Center", "Austin, TX",
     "A community-academic program with high procedural volume, ultrasound-guided regional blocks and a VA rotation."),
]

# (class name, start, end, graduated)
COHORTS = [
    ("Class of 2025", date(2024, 7, 1), date(2025, 6, 30), True),
    ("Class of 2026", date(2025, 7, 1), date(2026, 6, 30), True),
    ("Class of 2027", date(2026, 7, 1), date(2027, 6, 30), False),
]

BACKGROUNDS = ["anesthesiology", "pmr", "neurology", "psychiatry", "family-medicine", "emergency-medicine"]

FIRST = ["Amara", "Ben", "Carmen", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jamal", "Keiko", "Liam",
         "Maya", "Nikhil", "Olivia", "Pedro", "Quinn", "Rosa", "Samuel", "Tara", "Umar", "Vera", "Wen", "Ximena",
         "Yusuf", "Zoe", "Aditi", "Bruno", "Chloe", "Dmitri", "Esther", "Felix", "Gabriela", "Henry", "Ines", "Jonah"]
LAST = ["Okafor", "Lindqvist", "Reyes", "Nakamura", "Haddad", "Patel", "Kowalski", "O'Brien", "Mensah", "García",
        "Cohen", "Nguyen", "Schmidt", "Alvarez", "Ibrahim", "Rossi", "Park", "Dubois", "Singh", "Moreau", "Adeyemi",
        "Fischer", "Yamamoto", "Costa", "Novak", "Ahmed", "Larsen", "Silva", "Chen", "Murphy"]


def link_context():
    """A request context on PUBLIC_URL, so the areas' services build their links with ``url_for`` while
    seeding as they do in a request."""
    return current_app.test_request_context(base_url=current_app.config.get("PUBLIC_URL") or None)


def _get_or_create(model, lookup: dict, **fields):
    obj = db.session.scalars(select(model).filter_by(**lookup)).first()
    if obj is None:
        obj = model(**lookup, **fields)
        db.session.add(obj)
        db.session.flush()
    return obj


class _Seeder:
    def __init__(self):
        self.rng = random.Random(2026)
        self.password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once: seeding stays fast
        self.specialties = {s.slug: s for s in db.session.scalars(select(Specialty))}
        self.names = iter(f"{first} {last}" for first, last in self._name_pairs())
        self.now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

    def _name_pairs(self):
        pairs = [(first, last) for first in FIRST for last in LAST]
        self.rng.shuffle(pairs)
        return pairs

    def member(self, email: str, role: Role, background: str | None, name: str | None = None,
               status: MemberStatus = MemberStatus.VERIFIED, days_ago: int = 200) -> User:
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is not None:
            return user
        joined = self.now - timedelta(days=days_ago)
        user = User(
            email=email, name=name or next(self.names), role=role, status=status,
            password_hash=self.password_hash,
            email_confirmed_at=joined + timedelta(minutes=5),
            verified_at=joined + timedelta(days=1) if status == MemberStatus.VERIFIED else None,
            training_background=self.specialties.get(background) if background else None,
            created_at=joined,
        )
        db.session.add(user)
        db.session.flush()
        return user

    def join(self, cohort: Cohort, user: User, role: CohortRole) -> None:
        _get_or_create(CohortMembership, {"cohort_id": cohort.id, "user_id": user.id}, role=role)


def seed_demo() -> str:
    """Add the demo network to the session (the caller commits); returns a summary."""
    # Services the demo goes through (opening the round, a reply) mail as they would on the site; those
    # mails are the demo's history, recorded as sent rather than left for the first `flask outbox send`.
    mails_before = db.session.scalar(select(func.max(EmailOutbox.id))) or 0
    seed = _Seeder()
    seed.member("admin@example.org", Role.ADMIN, None, name="Morgan Blake", days_ago=900)
    programs = []
    for slug, name, institution, city, description in PROGRAMS:
        program = _get_or_create(Program, {"slug": slug}, name=name, institution=institution, city=city,
                                 description=description, specialty_id=seed.specialties["pain-medicine"].id)
        cohorts = []
        for cohort_name, start, end, graduated in COHORTS:
            cohorts.append(_get_or_create(
                Cohort, {"program_id": program.id, "name": cohort_name}, start_date=start, end_date=end,
                graduated_at=datetime.combine(end, datetime.min.time(), UTC) if graduated else None))
        programs.append((program, cohorts))

    for index, (program, cohorts) in enumerate(programs):
        key = program.slug.split("-")[0]
        # Faculty: a director and three more, advisors of the current class.
        for n in range(4):
            email = "faculty@example.org" if index == 0 and n == 0 else f"faculty{n + 1}.{key}@example.org"
            name = "Dr. Priya Raman" if email == "faculty@example.org" else None
            faculty = seed.member(email, Role.FACULTY, BACKGROUNDS[(index + n) % len(BACKGROUNDS)], name=name,
                                  days_ago=800 - n)
            for cohort in cohorts:
                seed.join(cohort, faculty, CohortRole.FACULTY)
        # Graduated classes become alumni; the current class are fellows.
        for cohort_index, cohort in enumerate(cohorts):
            graduated = cohort.is_graduated
            for n in range(5 if graduated else 6):
                if index == 0 and n == 0 and cohort.name == "Class of 2026":
                    email, name = "alumni@example.org", "Dr. Sofia Martins"
                elif index == 0 and n == 0 and cohort.name == "Class of 2027":
                    email, name = "fellow@example.org", "Dr. Kwame Asante"
                else:
                    email, name = f"{'alumni' if graduated else 'fellow'}{cohort_index}{n + 1}.{key}@example.org", None
                role = Role.ALUMNI if graduated else Role.FELLOW
                background = BACKGROUNDS[(index * 5 + cohort_index * 2 + n) % len(BACKGROUNDS)]
                member = seed.member(email, role, background, name=name, days_ago=(2 - cohort_index) * 365 + 140 + n)
                seed.join(cohort, member, CohortRole.FELLOW)
    # A few registrations waiting for an administrator, with what they said of their program and stage.
    for n, (role, background, details) in enumerate([
            (Role.FELLOW, "pmr", {"program_id": programs[0][0].id, "training_year": 5}),
            (Role.ALUMNI, "neurology", {"program_name": "Pain Medicine Fellowship, Riverside General",
                                        "graduation_year": 2018}),
            (Role.FACULTY, "anesthesiology", {"program_id": programs[-1][0].id})]):
        member = seed.member(f"pending{n + 1}@example.org", role, background, status=MemberStatus.PENDING,
                             days_ago=2 + n)
        _get_or_create(Registration, {"user_id": member.id}, **details)
    from network.profiles.demo import seed_profiles

    seed_profiles()
    from network.mentorship.demo import seed_mentorship

    seed_mentorship()
    from network.opportunities.demo import seed_opportunities

    seed_opportunities()
    from network.evaluation.demo import seed_evaluation

    seed_evaluation()
    from network.cohorts.demo import seed_cohorts

    seed_cohorts()
    # After the cohorts: the research-track class they add gets its class threads in the same run.
    from network.discussions.demo import seed_discussions

    seed_discussions()
    from network.matching.demo import seed_matching

    seed_matching()
    from network.messages.demo import seed_messaging

    seed_messaging()
    from network.identity.demo import seed_identity_providers

    seed_identity_providers()
    from network.surveys.demo import seed_surveys

    seed_surveys()
    # After the mentorships and the opportunities: items name a research mentorship and demo conferences.
    from network.scholarly.demo import seed_scholarly

    seed_scholarly()
    # Last: each notification is about a demo object made above and links to it.
    from network.notifications.demo import seed_notifications

    seed_notifications()
    # After every area: the cockpit's demo adds what only the program director's cockpit asks for; a pending
    # co-authorship asks its co-author.
    from network.cockpit.demo import seed_cockpit
    from network.scholarly.demo import ask_the_co_author

    seed_cockpit()
    ask_the_co_author()
    # (feature areas seed their demo data here, one call each, after the members exist)
    db.session.execute(update(EmailOutbox).where(EmailOutbox.id > mails_before,
                                                 EmailOutbox.status == OutboxStatus.PENDING)
                       .values(status=OutboxStatus.SENT, sent_at=utcnow()))
    members = db.session.scalar(select(db.func.count()).select_from(User))
    return f"{len(programs)} programs, {len(programs) * len(COHORTS)} cohorts, {members} members"
