"""A program's scholarly activity for one academic year, as ACGME's Accreditation Data System (ADS) asks for
it: per fellow and per faculty member, the items of the year with their PMIDs, and flags for what ADS
would question.

Which items are "in" a year (July 1 to June 30), written once here and shown on the page:

- an item is listed when its date (publication, presentation or start) falls in the year, or when it was
  added to the network during the year (so an item entered this year with last year's date is not lost);
- an item listed only because it was added in the year, while dated outside it, is flagged "dated outside
  the year" (ADS rejects it for this year), and one with no date "no date";
- a published peer-reviewed article, review or case report without a PMID is flagged "no PMID";
- items still in preparation are left out; submitted, accepted, published and presented ones are listed.

Only the items the staff member may see are listed (``item_visible_condition``); the others are counted,
never named. A fixed number of queries whatever the size: the people, the items with their authors, and
the count of hidden items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, literal, not_, or_, select, union, union_all

from network.extensions import db
from network.members.models import User
from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramStaff
from network.scholarly.models import AuthorConfirmation, ItemStatus, ScholarlyAuthor, ScholarlyItem
from network.scholarly.queries import item_visible_condition
from network.scholarly_exports.items import authors_of, citation
from network.scholarly_exports.references import PMID_KINDS, Reference
from network.years import AcademicYear

OUTSIDE_YEAR = "dated outside the year"
NO_DATE = "no date"
NO_PMID = "no PMID"

FELLOW = "Fellow"
FACULTY = "Faculty"


def year_bounds(year: int) -> tuple[date, date]:
    """The first and last day of academic year ``year`` (July ``year`` to June ``year + 1``)."""
    academic_year = AcademicYear(year)
    return academic_year.first_day, academic_year.last_day


def year_label(year: int) -> str:
    return f"{year}–{year + 1}"


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: str  # FELLOW or FACULTY
    cohorts: str  # "Class of 2027" for fellows; "" for staff


@dataclass(frozen=True)
class Row:
    item_id: int
    citation: Reference
    flags: tuple[str, ...]


@dataclass
class Report:
    program: Program
    year: int
    people: list[Person]
    rows: dict[int, list[Row]] = field(default_factory=dict)  # person id -> their items
    hidden: int = 0  # items of these people in the year that the viewer may not see

    @property
    def label(self) -> str:
        return year_label(self.year)

    def count(self, flag: str) -> int:
        return sum(flag in row.flags for rows in self.rows.values() for row in rows)

    @property
    def item_count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def flags(item: ScholarlyItem, start: date, end: date) -> tuple[str, ...]:
    """What ADS would question about ``item`` in the year from ``start`` to ``end``."""
    found = []
    if item.published_on is None:
        found.append(NO_DATE)
    elif not start <= item.published_on <= end:
        found.append(OUTSIDE_YEAR)
    if str(item.kind) in PMID_KINDS and item.status == ItemStatus.PUBLISHED and not item.pmid:
        found.append(NO_PMID)
    return tuple(found)


def in_year(year: int):
    """The SQL condition "item listed for academic year ``year``" (see the module's rule)."""
    start, end = year_bounds(year)
    entered_from, entered_until = AcademicYear(year).starts_at, AcademicYear(year).ends_before
    return and_(ScholarlyItem.status != ItemStatus.IN_PREPARATION,
                or_(ScholarlyItem.published_on.between(start, end),
                    and_(ScholarlyItem.created_at >= entered_from, ScholarlyItem.created_at < entered_until)))


def people(program: Program, year: int) -> list[Person]:
    """The program's fellows (of the cohorts that overlap the year) and faculty (its staff and its cohorts'
    faculty advisors), fellows first, by name: one query."""
    start, end = year_bounds(year)
    in_cohorts = (select(CohortMembership.user_id.label("user_id"), CohortMembership.role.label("role"),
                         Cohort.name.label("cohort"))
                  .join(Cohort, Cohort.id == CohortMembership.cohort_id)
                  .where(Cohort.program_id == program.id, Cohort.start_date <= end, Cohort.end_date >= start))
    staff = select(ProgramStaff.user_id, literal(CohortRole.FACULTY.value), literal("")).where(
        ProgramStaff.program_id == program.id)
    ties = union_all(in_cohorts, staff).subquery()
    found: dict[int, Person] = {}
    for user_id, name, role, cohort in db.session.execute(
            select(User.id, User.name, ties.c.role, ties.c.cohort).join(ties, ties.c.user_id == User.id)
            .where(User.deleted_at.is_(None)).order_by(User.name, User.id, ties.c.cohort)):
        fellow = str(role) == CohortRole.FELLOW.value
        known = found.get(user_id)
        if known is None or (fellow and known.role == FACULTY):
            found[user_id] = Person(user_id, name, FELLOW if fellow else FACULTY, cohort if fellow else "")
        elif fellow and cohort not in known.cohorts.split(", "):
            found[user_id] = Person(user_id, name, FELLOW, f"{known.cohorts}, {cohort}")
    return sorted(found.values(), key=lambda person: (person.role != FELLOW, person.name.casefold(), person.id))


def record_pairs(person_ids):
    """A subquery of ``(item_id, person_id)``: each person's record, the items they own and those they
    confirmed as co-author (``person_ids``: a list or a ``select`` of member ids)."""
    owned = select(ScholarlyItem.id.label("item_id"), ScholarlyItem.owner_id.label("person_id")).where(
        ScholarlyItem.owner_id.in_(person_ids))
    coauthored = select(ScholarlyAuthor.item_id, ScholarlyAuthor.member_id).where(
        ScholarlyAuthor.member_id.in_(person_ids), ScholarlyAuthor.confirmation == AuthorConfirmation.CONFIRMED)
    return union(owned, coauthored).subquery()


def build(program: Program, year: int, viewer) -> Report:
    """The ADS report of ``program`` for academic year ``year``, as ``viewer`` (program staff) may see it."""
    start, end = year_bounds(year)
    report = Report(program=program, year=year, people=people(program, year))
    if not report.people:
        return report
    ids = [person.id for person in report.people]
    pairs = record_pairs(ids)
    listed = select(pairs.c.person_id, ScholarlyItem).join(ScholarlyItem, ScholarlyItem.id == pairs.c.item_id).where(
        in_year(year))
    names = {person.id: person.name for person in report.people}
    found = db.session.execute(listed.where(item_visible_condition(viewer.id))
                               .order_by(pairs.c.person_id, ScholarlyItem.published_on.nulls_last(),
                                         ScholarlyItem.id)).all()
    authors = authors_of({item.id for _, item in found})
    for person_id, item in found:
        report.rows.setdefault(person_id, []).append(
            Row(item.id, citation(item, authors.get(item.id, []), person_id, names[person_id]),
                flags(item, start, end)))
    report.hidden = db.session.scalar(
        select(func.count(func.distinct(ScholarlyItem.id))).select_from(pairs)
        .join(ScholarlyItem, ScholarlyItem.id == pairs.c.item_id)
        .where(in_year(year), not_(item_visible_condition(viewer.id)))) or 0
    return report
