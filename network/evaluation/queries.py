"""The pack's aggregates, one statement each, whatever the program's size: the program's fellows and
alumni are subqueries, and counts, averages and distinct participants are computed by the database.
Meeting notes, closing comments and posts' text are never read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select

from network.discussions.models import Category, Post, Thread
from network.evaluation.years import AcademicYear
from network.extensions import db
from network.members.models import Role, User
from network.mentorship.models import Meeting, Mentorship, MentorshipStatus
from network.opportunities.models import Opportunity, OpportunityStatus
from network.programs.models import Cohort, CohortMembership, CohortRole, Program


@dataclass(frozen=True)
class CohortRow:
    id: int
    name: str
    fellows: int


@dataclass(frozen=True)
class MentorshipSpan:
    """One mentorship of a cohort's fellow that ran during the year, with the meetings it logged in it."""
    cohort_id: int
    mentee_id: int
    type: str
    started_on: date
    ended_on: date | None
    cadence_days: int
    meetings: int


def _program_fellows(program: Program):
    """The ids of everyone who was a fellow in one of the program's cohorts."""
    return (select(CohortMembership.user_id).join(Cohort, Cohort.id == CohortMembership.cohort_id)
            .where(Cohort.program_id == program.id, CohortMembership.role == CohortRole.FELLOW))


def _year_cohort_ids(program: Program, year: AcademicYear):
    """The program's cohorts whose dates overlap the year."""
    return select(Cohort.id).where(Cohort.program_id == program.id, Cohort.start_date < year.next_first_day,
                                   Cohort.end_date >= year.first_day)


def _ran_during(year: AcademicYear):
    """A mentorship that had started before the year ended and had not closed before it began."""
    return and_(Mentorship.started_at < year.ends_before,
                or_(Mentorship.ended_at.is_(None), Mentorship.ended_at >= year.starts_at))


def cohorts(program: Program, year: AcademicYear) -> list[CohortRow]:
    """The cohorts of the year, oldest first, with their fellows counted."""
    fellows = (select(func.count()).where(CohortMembership.cohort_id == Cohort.id,
                                          CohortMembership.role == CohortRole.FELLOW)
               .correlate(Cohort).scalar_subquery())
    return [CohortRow(*row) for row in db.session.execute(
        select(Cohort.id, Cohort.name, fellows).where(Cohort.id.in_(_year_cohort_ids(program, year)))
        .order_by(Cohort.start_date, Cohort.name))]


def mentorship_spans(program: Program, year: AcademicYear) -> list[MentorshipSpan]:
    """Each mentorship of the year's cohorts' fellows that ran in the year, with its meetings in the year
    counted by the database: one row per mentorship, as both the plan to meet and the coverage (fellows with
    a mentor of a type, whichever mentor) are per mentorship."""
    in_year = and_(Meeting.mentorship_id == Mentorship.id, Meeting.met_on >= year.first_day,
                   Meeting.met_on <= year.last_day)
    rows = db.session.execute(
        select(CohortMembership.cohort_id, Mentorship.mentee_id, Mentorship.type, Mentorship.started_at,
               Mentorship.ended_at, Mentorship.cadence_days,
               func.count(Meeting.id))
        .join(Mentorship, Mentorship.mentee_id == CohortMembership.user_id)
        .outerjoin(Meeting, in_year)
        .where(CohortMembership.cohort_id.in_(_year_cohort_ids(program, year)),
               CohortMembership.role == CohortRole.FELLOW, _ran_during(year))
        .group_by(CohortMembership.cohort_id, Mentorship.id, Mentorship.mentee_id, Mentorship.type,
                  Mentorship.started_at, Mentorship.ended_at,
                  Mentorship.cadence_days))
    return [MentorshipSpan(cohort_id, mentee_id, str(kind), _day(started), _day(ended) if ended else None, cadence,
                           meetings) for cohort_id, mentee_id, kind, started, ended, cadence, meetings in rows]


def _day(moment: datetime) -> date:
    return moment.date()


def closed_mentorships(program: Program, year: AcademicYear) -> dict[tuple[str, int | None], int]:
    """``{(status, rating or None): count}`` of the program's fellows' mentorships that closed in the year."""
    return {(str(status), rating): n for status, rating, n in db.session.execute(
        select(Mentorship.status, Mentorship.rating, func.count())
        .where(Mentorship.mentee_id.in_(_program_fellows(program)), Mentorship.status != MentorshipStatus.ACTIVE,
               Mentorship.ended_at >= year.starts_at, Mentorship.ended_at < year.ends_before)
        .group_by(Mentorship.status, Mentorship.rating))}


def alumni_opportunities(program: Program, year: AcademicYear) -> dict[str, int]:
    """``{kind: count}`` of the opportunities the program's alumni posted in the year (taken-down ones aside)."""
    alumni = _program_fellows(program).join(User, User.id == CohortMembership.user_id).where(User.role == Role.ALUMNI)
    return {str(kind): n for kind, n in db.session.execute(
        select(Opportunity.kind, func.count())
        .where(Opportunity.poster_id.in_(alumni), Opportunity.status != OpportunityStatus.REMOVED,
               Opportunity.created_at >= year.starts_at, Opportunity.created_at < year.ends_before)
        .group_by(Opportunity.kind))}


@dataclass(frozen=True)
class CategoryActivity:
    id: int
    name: str
    cohort_id: int
    threads: int
    posts: int
    participants: int


def discussion_activity(program: Program, year: AcademicYear) -> tuple[list[CategoryActivity], int]:
    """Threads started, posts written and distinct authors in the year in each of the program's (cohort)
    categories, and the distinct authors across all of them; held and removed posts do not count."""
    categories = (select(Category.id).join(Cohort, Cohort.id == Category.cohort_id)
                  .where(Cohort.program_id == program.id))
    posts_in_year = and_(Post.removed_at.is_(None), Post.held.is_(False), Post.created_at >= year.starts_at,
                         Post.created_at < year.ends_before)
    threads = (select(func.count()).where(Thread.category_id == Category.id, Thread.held.is_(False),
                                          Thread.removed_at.is_(None), Thread.created_at >= year.starts_at,
                                          Thread.created_at < year.ends_before)
               .correlate(Category).scalar_subquery())

    def of_posts(aggregate, correlated: bool):
        statement = select(aggregate).select_from(Post).join(Thread, Thread.id == Post.thread_id).where(posts_in_year)
        if correlated:
            return statement.where(Thread.category_id == Category.id).correlate(Category).scalar_subquery()
        return statement.where(Thread.category_id.in_(categories)).scalar_subquery()

    rows = db.session.execute(
        select(Category.id, Category.name, Category.cohort_id, threads, of_posts(func.count(), True),
               of_posts(func.count(func.distinct(Post.author_id)), True),
               of_posts(func.count(func.distinct(Post.author_id)), False))
        .where(Category.id.in_(categories)).order_by(Category.position, Category.name)).all()
    everyone = rows[0][-1] if rows else 0
    return [CategoryActivity(*row[:-1]) for row in rows], everyone
