"""Demo data for the evaluation pack: what each program's alumni posted over the last academic year (the
pack's default), so its "opportunities posted by alumni" section has something to count. The other sections
count the mentoring and discussions the cohorts' demo already gives the Class of 2026's final year."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from network.evaluation.years import default_year
from network.extensions import db
from network.members.models import Role, User
from network.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus, WorkMode
from network.programs.models import Cohort, CohortMembership, CohortRole, Program
from network.types import utcnow

#: (kind, title, organisation, days into the academic year it was posted)
POSTINGS = [
    (OpportunityKind.JOB, "Staff pain physician, {city}", "Regional Spine and Pain Center", 40),
    (OpportunityKind.RESEARCH, "Multicentre registry of spinal cord stimulator outcomes: sites wanted",
     "{institution} alumni research group", 120),
    (OpportunityKind.CONFERENCE, "{short} alumni day and ultrasound refresher", "{institution}", 200),
    (OpportunityKind.LOCUM, "Locum pain coverage, eight weeks in spring", "Lakeside Community Hospital", 260),
]


def seed_evaluation() -> int:
    """Opportunities posted in the last academic year by each program's alumni (the caller commits); returns how
    many were added. Safe to rerun: each is found by its title."""
    year = default_year(utcnow().date())
    existing = set(db.session.scalars(select(Opportunity.title)))
    added = 0
    for program in db.session.scalars(select(Program).order_by(Program.id)):
        alumni = db.session.scalars(
            select(User).join(CohortMembership, CohortMembership.user_id == User.id)
            .join(Cohort, Cohort.id == CohortMembership.cohort_id)
            .where(Cohort.program_id == program.id, CohortMembership.role == CohortRole.FELLOW,
                   User.role == Role.ALUMNI).order_by(User.id)).all()
        if not alumni:
            continue
        short = program.name.split(" ")[0]
        for index, (kind, title, organisation, day) in enumerate(POSTINGS):
            title = title.format(city=program.city or short, short=short, institution=program.institution)
            if title in existing:
                continue
            posted = datetime.combine(year.first_day + timedelta(days=day), time(15), tzinfo=UTC)
            db.session.add(Opportunity(
                kind=kind, title=title, organisation=organisation.format(institution=program.institution),
                poster_id=alumni[index % len(alumni)].id, location=program.city, work_mode=WorkMode.ONSITE,
                description=f"Posted by a graduate of the {program.name} for fellows and fellow alumni.",
                time_zone="America/New_York", created_at=posted, updated_at=posted, going_count=0,
                status=OpportunityStatus.CLOSED, closed_at=posted + timedelta(days=45)))
            existing.add(title)
            added += 1
    db.session.flush()
    return added
