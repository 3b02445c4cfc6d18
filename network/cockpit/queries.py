"""The cockpit's numbers for one program's current cohorts, in four statements whatever the program's size.

Coverage is one grouped query over the cohorts (each cohort's fellows and, per mentoring type, those with an
active mentor); the waiting requests, unanswered invitations, held posts and each open round's ranking progress
are one ``UNION ALL`` of grouped counts; the open rounds are one more query; overdue mentorships are read as
plain rows and judged by the model's own rule (``Mentorship.is_overdue``), the one the reminders use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Integer, and_, case, cast, exists, func, literal, null, select, union_all
from sqlalchemy.orm import aliased

from network.cohorts.dashboard import TYPES
from network.cohorts.models import Invitation, InvitationStatus
from network.discussions.models import Category, Post, Thread
from network.extensions import db
from network.matching.models import Choice, MatchingRound, Participant, RoundStatus, Side, round_cohort
from network.members.models import User
from network.mentorship.models import Mentorship, MentorshipRequest, MentorshipStatus, RequestStatus
from network.programs.models import Cohort, CohortMembership, CohortRole
from network.reminders.services import REQUEST_WAIT

#: The lists behind the numbers, by the slug in their URL: those named after a mentoring type, then the rest.
WITHOUT = {f"without-{kind.value}": kind for kind in TYPES}
LISTS = (*WITHOUT, "overdue", "waiting-requests", "not-ranked", "not-reviewed", "invitations", "held-posts")


@dataclass
class RoundProgress:
    id: int
    title: str
    deadline: datetime
    fellows: int = 0  # the cohort's fellows in the round
    not_ranked: int = 0
    not_reviewed: int = 0  # the round's mentors with fellows they have not answered


@dataclass
class CohortPanel:
    id: int
    name: str
    fellows: int
    without: dict[str, int]  # mentoring type value -> fellows without an active mentor of it
    overdue: int = 0
    waiting_requests: int = 0
    invitations: int = 0
    held_posts: int = 0
    rounds: list[RoundProgress] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        """Nothing needs attention."""
        return not (any(self.without.values()) or self.overdue or self.waiting_requests or self.invitations
                    or self.held_posts or any(r.not_ranked or r.not_reviewed for r in self.rounds))


def current_cohorts(program_id: int):
    """A subquery of the ids of the program's current (not graduated) cohorts."""
    return select(Cohort.id).where(Cohort.program_id == program_id, Cohort.graduated_at.is_(None)).scalar_subquery()


def fellows_of(cohort_ids):
    """``(cohort id, fellow id)`` of the fellows of ``cohort_ids`` (a list or a subquery), as a subquery."""
    return (select(CohortMembership.cohort_id, CohortMembership.user_id)
            .where(CohortMembership.cohort_id.in_(cohort_ids), CohortMembership.role == CohortRole.FELLOW)
            .subquery())


def waiting_since(now: datetime) -> datetime:
    """Requests sent before this have waited longer than the reminders' week."""
    return now - REQUEST_WAIT


def overdue_rows(cohort_ids, today: date, named: bool = False) -> list:
    """The active mentorships of the fellows of ``cohort_ids`` that are overdue, as rows with the cohort id
    (and, if ``named``, ``mentee_name`` and ``mentor_name``)."""
    fellows = fellows_of(cohort_ids)
    statement = (select(Mentorship.id, Mentorship.mentee_id, Mentorship.mentor_id, Mentorship.type,
                        Mentorship.status, Mentorship.started_at, Mentorship.last_met_on, Mentorship.cadence_days,
                        fellows.c.cohort_id)
                 .join(fellows, fellows.c.user_id == Mentorship.mentee_id)
                 .where(Mentorship.status == MentorshipStatus.ACTIVE))
    if named:
        mentee, mentor = aliased(User), aliased(User)
        statement = (statement.add_columns(mentee.name.label("mentee_name"), mentor.name.label("mentor_name"))
                     .join(mentee, mentee.id == Mentorship.mentee_id).join(mentor, mentor.id == Mentorship.mentor_id))
    return [row for row in db.session.execute(statement) if Mentorship.is_overdue(row, today)]


def _count_rows(cohort_ids, now: datetime):
    """One statement: ``(list, cohort id, round id, count)`` for every grouped count the cockpit shows."""
    fellows = fellows_of(cohort_ids)
    no_round = cast(null(), Integer)
    waiting = (select(literal("waiting-requests"), fellows.c.cohort_id, no_round, func.count())
               .select_from(MentorshipRequest).join(fellows, fellows.c.user_id == MentorshipRequest.mentee_id)
               .where(MentorshipRequest.status == RequestStatus.PENDING,
                      MentorshipRequest.created_at <= waiting_since(now))
               .group_by(fellows.c.cohort_id))
    invitations = (select(literal("invitations"), Invitation.cohort_id, no_round, func.count())
                   .where(Invitation.cohort_id.in_(cohort_ids), Invitation.status == InvitationStatus.SENT)
                   .group_by(Invitation.cohort_id))
    held = (select(literal("held-posts"), Category.cohort_id, no_round, func.count())
            .select_from(Post).join(Thread, Thread.id == Post.thread_id)
            .join(Category, Category.id == Thread.category_id)
            .where(Category.cohort_id.in_(cohort_ids), Post.held.is_(True), Post.removed_at.is_(None))
            .group_by(Category.cohort_id))
    in_rounds = _round_fellows("round-fellows", fellows)
    not_ranked = _round_fellows("not-ranked", fellows).where(~unranked_filter())
    not_reviewed = (select(literal("not-reviewed"), no_round, Participant.round_id, func.count())
                    .join(MatchingRound, MatchingRound.id == Participant.round_id)
                    .where(Participant.side == Side.MENTOR, MatchingRound.status == RoundStatus.OPEN,
                           Participant.round_id.in_(select(round_cohort.c.round_id)
                                                    .where(round_cohort.c.cohort_id.in_(cohort_ids))),
                           unreviewed_filter())
                    .group_by(Participant.round_id))
    return db.session.execute(union_all(waiting, invitations, held, in_rounds, not_ranked, not_reviewed)).all()


def _round_fellows(label: str, fellows):
    """``(label, cohort id, round id, count)`` of the cohorts' fellows in each open round of their cohort."""
    return (select(literal(label), fellows.c.cohort_id, Participant.round_id, func.count())
            .select_from(Participant)
            .join(MatchingRound, MatchingRound.id == Participant.round_id)
            .join(round_cohort, round_cohort.c.round_id == Participant.round_id)
            .join(fellows, and_(fellows.c.user_id == Participant.user_id,
                                fellows.c.cohort_id == round_cohort.c.cohort_id))
            .where(Participant.side == Side.FELLOW, MatchingRound.status == RoundStatus.OPEN)
            .group_by(fellows.c.cohort_id, Participant.round_id))


def unranked_filter():
    """A fellow participant has ranked: some choice of theirs in the round (negate for "not ranked")."""
    return exists().where(Choice.round_id == Participant.round_id, Choice.fellow_id == Participant.user_id)


def unreviewed_filter():
    """A mentor participant has fellows who listed them and whom they have not answered."""
    return exists().where(Choice.round_id == Participant.round_id, Choice.mentor_id == Participant.user_id,
                          Choice.mentor_accepts.is_(None))


def open_rounds(cohort_ids) -> list:
    """``(round id, title, deadline, cohort id)`` of the open rounds of ``cohort_ids``, soonest deadline first."""
    return db.session.execute(
        select(MatchingRound.id, MatchingRound.title, MatchingRound.deadline, round_cohort.c.cohort_id)
        .join(round_cohort, round_cohort.c.round_id == MatchingRound.id)
        .where(round_cohort.c.cohort_id.in_(cohort_ids), MatchingRound.status == RoundStatus.OPEN)
        .order_by(MatchingRound.deadline, MatchingRound.id)).all()


def coverage(program_id: int) -> list[CohortPanel]:
    """The program's current cohorts, each with its fellows and, per type, those without an active mentor."""
    fellows = fellows_of(current_cohorts(program_id))
    covered = [func.count(func.distinct(case((Mentorship.type == kind, Mentorship.mentee_id)))) for kind in TYPES]
    rows = db.session.execute(
        select(Cohort.id, Cohort.name, func.count(func.distinct(fellows.c.user_id)), *covered)
        .outerjoin(fellows, fellows.c.cohort_id == Cohort.id)
        .outerjoin(Mentorship, and_(Mentorship.mentee_id == fellows.c.user_id,
                                    Mentorship.status == MentorshipStatus.ACTIVE))
        .where(Cohort.program_id == program_id, Cohort.graduated_at.is_(None))
        .group_by(Cohort.id, Cohort.name, Cohort.start_date).order_by(Cohort.start_date, Cohort.id)).all()
    return [CohortPanel(id=row[0], name=row[1], fellows=row[2],
                        without={kind.value: row[2] - n for kind, n in zip(TYPES, row[3:], strict=True)})
            for row in rows]


def cockpit(program_id: int, now: datetime) -> list[CohortPanel]:
    """Every number of the program's cockpit, per current cohort, in four queries."""
    panels = coverage(program_id)
    if not panels:
        return panels
    by_id = {panel.id: panel for panel in panels}
    ids = list(by_id)
    for row in overdue_rows(ids, now.date()):
        by_id[row.cohort_id].overdue += 1
    rounds: dict[tuple[int, int], RoundProgress] = {}
    for round_id, title, deadline, cohort_id in open_rounds(ids):
        rounds[(round_id, cohort_id)] = progress = RoundProgress(round_id, title, deadline)
        by_id[cohort_id].rounds.append(progress)
    reviewed: dict[int, int] = {}
    for kind, cohort_id, round_id, count in _count_rows(ids, now):
        if kind == "not-reviewed":
            reviewed[round_id] = count
        elif round_id is not None:
            progress = rounds.get((round_id, cohort_id))
            if progress is not None:
                setattr(progress, "fellows" if kind == "round-fellows" else "not_ranked", count)
        else:
            setattr(by_id[cohort_id], kind.replace("-", "_"), count)
    for (round_id, _), progress in rounds.items():
        progress.not_reviewed = reviewed.get(round_id, 0)
    return panels
