"""A member's academic CV as plain values: contact, education and training, positions, board certifications
and scholarly items grouped by kind, in the order of a medical CV. The PDF, DOCX and Markdown writers
print the same ``CurriculumVitae``.

A fixed number of queries whatever the record's size: the member with their profile, their cohorts, their
program staff roles, and their items with the authors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.extensions import db
from network.members.models import User
from network.profiles.models import ROLE_FIELDS, Profile, Visibility
from network.programs.models import Cohort, CohortMembership, CohortRole, ProgramStaff
from network.scholarly_exports import items as item_rows
from network.scholarly_exports.references import SECTIONS, Reference


@dataclass(frozen=True)
class Entry:
    text: str
    when: str = ""


@dataclass
class Section:
    heading: str
    entries: list[Entry] = field(default_factory=list)
    citations: list[Reference] = field(default_factory=list)


@dataclass
class CurriculumVitae:
    name: str
    contact: list[str]
    sections: list[Section]
    prepared_on: date

    @property
    def file_stem(self) -> str:
        return f"{self.name} CV"


def _span(start: date, end: date) -> str:
    return f"{start.strftime('%b %Y')} – {end.strftime('%b %Y')}"


def _shown(level) -> bool:
    """What the member shows others is what their CV shows (a field kept to themselves stays off it)."""
    return level != Visibility.PRIVATE


def _contact(user: User, profile: Profile | None) -> list[str]:
    if profile is None:
        return []
    lines = [user.email] if _shown(profile.email_visibility) else []
    if profile.institution:
        lines.append(profile.institution)
    place = ", ".join(part for part in (profile.city, profile.region, profile.country) if part)
    if place and _shown(profile.location_visibility):
        lines.append(place)
    if _shown(profile.links_visibility):
        lines += [str(link) for link in profile.links or []]
    return lines


def _training(user: User, profile: Profile | None, cohorts, today: date) -> Section:
    section = Section("Education and training")
    for cohort, program in cohorts:
        state = "" if cohort.end_date < today or cohort.is_graduated else " (in progress)"
        section.entries.append(Entry(f"Fellowship, {program.name}, {program.institution} · {cohort.name}{state}",
                                     _span(cohort.start_date, cohort.end_date)))
    if user.training_background is not None:
        section.entries.append(Entry(f"Residency training: {user.training_background.name}"))
    if profile is not None and profile.primary_specialty is not None:
        section.entries.append(Entry(f"Primary specialty: {profile.primary_specialty.name}"))
    return section


def _positions(user: User, profile: Profile | None, staff_roles, advised) -> Section:
    section = Section("Positions")
    fields = ROLE_FIELDS.get(user.role, ())
    if profile is not None:
        if "current_position" in fields and profile.current_position:
            section.entries.append(Entry(profile.current_position))
        if "title" in fields and (profile.title or profile.academic_rank):
            words = [profile.title, profile.academic_rank.label if profile.academic_rank else "", profile.institution]
            section.entries.append(Entry(", ".join(word for word in words if word)))
    for role, program in staff_roles:
        section.entries.append(Entry(f"{role.label}, {program.name}, {program.institution}"))
    for cohort, program in advised:
        section.entries.append(Entry(f"Faculty advisor, {program.name} · {cohort.name}",
                                     _span(cohort.start_date, cohort.end_date)))
    return section


def build(user_id: int, today: date) -> CurriculumVitae:
    """The CV of member ``user_id`` (their own: the caller passes the signed-in member)."""
    user = db.session.scalars(select(User).where(User.id == user_id).options(
        selectinload(User.training_background),
        selectinload(User.profile).selectinload(Profile.primary_specialty),
        selectinload(User.profile).selectinload(Profile.certifications))).one()
    profile = user.profile
    memberships = db.session.execute(
        select(CohortMembership.role, Cohort).join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .where(CohortMembership.user_id == user_id).options(selectinload(Cohort.program))
        .order_by(Cohort.start_date, Cohort.id)).all()
    studied = [(cohort, cohort.program) for role, cohort in memberships if role == CohortRole.FELLOW]
    advised = [(cohort, cohort.program) for role, cohort in memberships if role == CohortRole.FACULTY]
    staff_roles = [(row.role, row.program) for row in db.session.scalars(
        select(ProgramStaff).where(ProgramStaff.user_id == user_id).options(selectinload(ProgramStaff.program))
        .order_by(ProgramStaff.added_at, ProgramStaff.id))]
    sections = [_training(user, profile, studied, today), _positions(user, profile, staff_roles, advised)]
    if profile is not None and profile.certifications:
        sections.append(Section("Board certifications",
                                [Entry(certification.name) for certification in profile.certifications]))
    by_kind: dict[str, list[Reference]] = {}
    for citation in item_rows.citations_of(user):
        by_kind.setdefault(citation.kind, []).append(citation)
    sections += [Section(heading, citations=by_kind[kind]) for kind, heading in SECTIONS if kind in by_kind]
    return CurriculumVitae(name=user.name, contact=_contact(user, profile),
                           sections=[section for section in sections if section.entries or section.citations],
                           prepared_on=today)
