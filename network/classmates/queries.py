"""What "My class" shows, in a fixed number of queries whatever the class's size: the current cohort with
its program and category, its people, the mentorships the viewer may see among them, and the dates ahead."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from network.discussions.models import Category
from network.extensions import db
from network.matching.models import MatchingRound, Participant, RoundStatus, round_cohort
from network.members.models import MemberStatus, User
from network.mentorship.models import (
    Goal,
    MentoringType,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
)
from network.mentorship.services import REQUEST_LIFETIME
from network.permissions import visible_mentorships
from network.programs.models import Cohort, CohortMembership, CohortRole, Program


@dataclass
class Classmate:
    id: int
    name: str
    is_viewer: bool
    mentors: list[tuple[str, int, str]] = field(default_factory=list)  # (type label, mentor id, name) seen


@dataclass(frozen=True)
class Deadline:
    on: date
    what: str
    endpoint: str | None = None  # where to act on it (``url_for`` with ``values``)
    values: tuple = ()
    overdue: bool = False


@dataclass
class MyClass:
    cohort: Cohort
    program_name: str
    category: tuple[str, str] | None  # (slug, name)
    fellows: list[Classmate]
    advisors: list[Classmate]
    deadlines: list[Deadline]


def current_cohort(user: User, today: date):
    """The fellow's class that runs now (or, before it starts, the next one), with its program's name and its
    category, or None when they have no class that has not ended or graduated."""
    return db.session.execute(
        select(Cohort, Program.name, Category.slug, Category.name)
        .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .join(Program, Program.id == Cohort.program_id)
        .outerjoin(Category, Category.cohort_id == Cohort.id)
        .where(CohortMembership.user_id == user.id, CohortMembership.role == CohortRole.FELLOW,
               Cohort.graduated_at.is_(None), Cohort.end_date >= today)
        .order_by(Cohort.start_date, Cohort.id).limit(1)).first()


def my_class(user: User, today: date, now: datetime) -> MyClass | None:
    """Everything the page shows, or None when the fellow has no current class."""
    found = current_cohort(user, today)
    if found is None:
        return None
    cohort, program_name, category_slug, category_name = found
    fellows, advisors = _people(user, cohort)
    mine = _mentorships(user, cohort, fellows)
    deadlines = _rounds(user, cohort, now) + _own_items(user, mine, today) + _class_dates(cohort, today)
    return MyClass(cohort, program_name, (category_slug, category_name) if category_slug else None,
                   list(fellows.values()), advisors, sorted(deadlines, key=lambda d: (d.on, d.what)))


def _people(user: User, cohort: Cohort) -> tuple[dict[int, Classmate], list[Classmate]]:
    """The class's verified members by name: fellows, and faculty advisors."""
    fellows, advisors = {}, []
    for member_id, name, role in db.session.execute(
            select(User.id, User.name, CohortMembership.role)
            .join(CohortMembership, CohortMembership.user_id == User.id)
            .where(CohortMembership.cohort_id == cohort.id, User.status == MemberStatus.VERIFIED,
                   User.deleted_at.is_(None)).order_by(User.name, User.id)):
        person = Classmate(member_id, name, member_id == user.id)
        if role == CohortRole.FELLOW:
            fellows[member_id] = person
        else:
            advisors.append(person)
    return fellows, advisors


def _mentorships(user: User, cohort: Cohort, fellows: dict[int, Classmate]) -> list:
    """The classmates' active mentorships the viewer may see (``sees_mentorship``), shown on their rows;
    returns the viewer's own, for their next meetings."""
    mentor = aliased(User)
    classmates = select(CohortMembership.user_id).where(CohortMembership.cohort_id == cohort.id,
                                                        CohortMembership.role == CohortRole.FELLOW)
    rows = db.session.execute(
        select(Mentorship.id, Mentorship.mentee_id, Mentorship.type, mentor.id.label("mentor_id"),
               mentor.name.label("mentor_name"), Mentorship.last_met_on,
               Mentorship.started_at, Mentorship.cadence_days)
        .join(mentor, mentor.id == Mentorship.mentor_id)
        .where(Mentorship.status == MentorshipStatus.ACTIVE, Mentorship.mentee_id.in_(classmates),
               visible_mentorships(user, Mentorship))
        .order_by(Mentorship.type)).all()
    for row in rows:
        if row.mentee_id in fellows:
            fellows[row.mentee_id].mentors.append((MentoringType(row.type).label, row.mentor_id, row.mentor_name))
    return [row for row in rows if row.mentee_id == user.id]


def _rounds(user: User, cohort: Cohort, now: datetime) -> list[Deadline]:
    """Open matching rounds of the class whose ranking deadline is ahead; linked for the fellows placed in
    them (``can_view_round``: a fellow sees only the rounds they take part in)."""
    deadlines = []
    for round_id, title, deadline, participant in db.session.execute(
            select(MatchingRound.id, MatchingRound.title, MatchingRound.deadline, Participant.id)
            .join(round_cohort, round_cohort.c.round_id == MatchingRound.id)
            .outerjoin(Participant, and_(Participant.round_id == MatchingRound.id, Participant.user_id == user.id))
            .where(round_cohort.c.cohort_id == cohort.id, MatchingRound.status == RoundStatus.OPEN,
                   MatchingRound.deadline > now)):
        link = ("matching.round_page", (("round_id", round_id),)) if participant else (None, ())
        deadlines.append(Deadline(deadline.date(), f"Ranking deadline: {title}", *link))
    return deadlines


def _own_items(user: User, mine: list, today: date) -> list[Deadline]:
    """The fellow's own dates: when each mentorship's next meeting is due, goals due, and waiting requests'
    expiry."""
    items = [Deadline(due, f"Next meeting with {row.mentor_name} ({MentoringType(row.type).label.lower()})",
                      "mentorship.workspace", (("mentorship_id", row.id),), overdue=due < today)
             for row in mine for due in [(row.last_met_on or row.started_at.date()) + timedelta(days=row.cadence_days)]]
    for title, due_on, mentorship_id in db.session.execute(
            select(Goal.title, Goal.due_on, Goal.mentorship_id).join(Mentorship, Mentorship.id == Goal.mentorship_id)
            .where(Mentorship.mentee_id == user.id, Mentorship.status == MentorshipStatus.ACTIVE,
                   Goal.done_at.is_(None), Goal.due_on.is_not(None))):
        items.append(Deadline(due_on, f"Goal due: {title}", "mentorship.workspace",
                              (("mentorship_id", mentorship_id),), overdue=due_on < today))
    mentor = aliased(User)
    for created_at, mentor_name in db.session.execute(
            select(MentorshipRequest.created_at, mentor.name).join(mentor, mentor.id == MentorshipRequest.mentor_id)
            .where(MentorshipRequest.mentee_id == user.id, MentorshipRequest.status == RequestStatus.PENDING)):
        items.append(Deadline((created_at + REQUEST_LIFETIME).date(), f"Your request to {mentor_name} expires",
                              "mentorship.requests"))
    return items


def _class_dates(cohort: Cohort, today: date) -> list[Deadline]:
    """The dates the whole class shares: its start (before it starts) and its end."""
    dates = [Deadline(cohort.start_date, f"{cohort.name} starts")] if cohort.start_date >= today else []
    return dates + [Deadline(cohort.end_date, f"{cohort.name} ends")]
