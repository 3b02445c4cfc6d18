"""The cohort dashboard's numbers: coverage, last meetings, activity by month and ratings.

A fixed number of queries whatever the cohort size: the fellows are a subquery, and every
aggregate is one statement. Meeting notes and closing comments are never read here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select

from network.discussions.models import Post
from network.extensions import db
from network.members.models import User
from network.mentorship.models import Meeting, MentoringType, Mentorship, MentorshipRequest, MentorshipStatus
from network.programs.models import Cohort, CohortMembership, CohortRole

TYPES = list(MentoringType)
MONTHS = 12


@dataclass
class FellowRow:
    id: int
    name: str
    email: str
    role: str
    mentors: dict = field(default_factory=dict)  # type value -> (mentor name, last_met_on, overdue)
    last_met_on: date | None = None
    overdue: bool = False

    @property
    def covered(self) -> int:
        return len(self.mentors)


@dataclass
class Dashboard:
    cohort: Cohort
    fellows: list[FellowRow]
    months: list[str]
    requests: list[int]
    meetings: list[int]
    posts: list[int]
    ratings: dict  # type value -> (average, count)
    type_filter: str | None = None
    attention_only: bool = False
    # This academic year's scholarly tiles (network.scholarly_exports.tiles, an area above this one): the
    # dashboard's view adds them, so this module reads no scholarly record.
    scholarly: object | None = None

    @property
    def coverage_by_type(self) -> dict[str, int]:
        return {t.value: sum(1 for f in self.fellows if t.value in f.mentors) for t in TYPES}

    @property
    def fellows_by_mentor_count(self) -> list[int]:
        counts = Counter(f.covered for f in self.fellows)
        return [counts.get(n, 0) for n in range(len(TYPES) + 1)]

    @property
    def overdue_count(self) -> int:
        return sum(1 for f in self.fellows if f.overdue)

    @property
    def shown(self) -> list[FellowRow]:
        """The fellows the filters keep."""
        rows = self.fellows
        if self.type_filter:
            rows = [f for f in rows if self.type_filter not in f.mentors]
        if self.attention_only:
            rows = [f for f in rows if f.overdue or f.covered == 0]
        return rows


def month_keys(end: date, count: int = MONTHS) -> list[str]:
    """``count`` months ending with ``end``'s month, oldest first, as ``YYYY-MM``."""
    keys, year, month = [], end.year, end.month
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return keys[::-1]


def _bucket(values, keys: list[str]) -> list[int]:
    counts = Counter(v.strftime("%Y-%m") for v in values if v is not None)
    return [counts.get(k, 0) for k in keys]


def window_end(cohort: Cohort, today: date) -> date:
    """Activity is shown for the 12 months up to today, or up to the end of a graduated class."""
    return min(today, cohort.end_date) if cohort.is_graduated else today


#: What each chart needs, so a chart image computes only its own part.
NEEDS = {"coverage": {"fellows"}, "fellows": {"fellows"}, "activity": {"activity"}, "discussions": {"posts"},
         "ratings": {"ratings"}, "scholarly": {"scholarly"}}  # "scholarly": added by the view


def cohort_fellow_ids(cohort_id: int):
    """A ``select`` of the ids of the cohort's fellows."""
    return select(CohortMembership.user_id).where(CohortMembership.cohort_id == cohort_id,
                                                  CohortMembership.role == CohortRole.FELLOW)


def build(cohort: Cohort, today: date, type_filter: str | None = None, attention_only: bool = False,
          parts: set[str] | None = None) -> Dashboard:
    """Everything the dashboard shows (or only ``parts`` of it), in at most six queries."""
    parts = parts or {"fellows", "activity", "posts", "ratings"}
    fellow_ids = cohort_fellow_ids(cohort.id).scalar_subquery()
    fellows: dict[int, FellowRow] = {}
    if "fellows" in parts:
        fellows = _fellows(fellow_ids, today)
    keys = month_keys(window_end(cohort, today))
    start = datetime.strptime(keys[0] + "-01", "%Y-%m-%d").date()
    start_at = datetime.combine(start, time.min, tzinfo=UTC)
    requests = meetings = posts = []
    if "activity" in parts:
        requests = db.session.scalars(select(MentorshipRequest.created_at).where(
            MentorshipRequest.mentee_id.in_(fellow_ids), MentorshipRequest.created_at >= start_at)).all()
        meetings = db.session.scalars(select(Meeting.met_on).join(Mentorship, Mentorship.id == Meeting.mentorship_id)
                                      .where(Mentorship.mentee_id.in_(fellow_ids), Meeting.met_on >= start)).all()
    if "posts" in parts:
        posts = db.session.scalars(select(Post.created_at).where(
            Post.author_id.in_(fellow_ids), Post.removed_at.is_(None), Post.created_at >= start_at)).all()
    ratings = {}
    if "ratings" in parts:
        ratings = {str(kind): (round(float(avg), 2), n) for kind, avg, n in db.session.execute(
            select(Mentorship.type, func.avg(Mentorship.rating), func.count())
            .where(Mentorship.mentee_id.in_(fellow_ids), Mentorship.rating.is_not(None))
            .group_by(Mentorship.type))}
    return Dashboard(cohort=cohort, fellows=list(fellows.values()), months=keys, requests=_bucket(requests, keys),
                     meetings=_bucket(meetings, keys), posts=_bucket(posts, keys), ratings=ratings,
                     type_filter=type_filter, attention_only=attention_only)


def _fellows(fellow_ids, today: date) -> dict[int, FellowRow]:
    """The fellows by name with their active mentorships: two queries."""
    fellows = {uid: FellowRow(uid, name, email, str(role)) for uid, name, email, role in db.session.execute(
        select(User.id, User.name, User.email, User.role).where(User.id.in_(fellow_ids)).order_by(User.name, User.id))}
    mentor = db.aliased(User)
    for mentee_id, kind, mentor_name, last_met_on, started_at, cadence in db.session.execute(
            select(Mentorship.mentee_id, Mentorship.type, mentor.name, Mentorship.last_met_on, Mentorship.started_at,
                   Mentorship.cadence_days)
            .join(mentor, mentor.id == Mentorship.mentor_id)
            .where(Mentorship.mentee_id.in_(fellow_ids), Mentorship.status == MentorshipStatus.ACTIVE)):
        row = fellows.get(mentee_id)
        if row is None:
            continue
        since = last_met_on or started_at.date()
        overdue = (today - since).days > 1.5 * cadence
        row.mentors[str(kind)] = (mentor_name, last_met_on, overdue)
        row.overdue = row.overdue or overdue
        if last_met_on and (row.last_met_on is None or last_met_on > row.last_met_on):
            row.last_met_on = last_met_on
    return fellows
