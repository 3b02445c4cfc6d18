"""Who takes part in a round and what they listed: the rounds a member sees, the cohorts they may open one
for, a participant's row, the pool, a fellow's ranking and the fellows a mentor reviews, and the figures,
people, overrides and runs a round's managers preview.
"""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from network.extensions import db
from network.matching.models import (
    Choice,
    MatchingRound,
    MatchingRun,
    Override,
    Participant,
    RoundStatus,
    Side,
    round_cohort,
)
from network.members.models import User
from network.mentorship.models import MentoringType, Mentorship, MentorshipStatus
from network.permissions import (
    can_manage_round,
    can_open_rounds,
    managed_programs,
    may_mentor_in_rounds,
    runs_every_program,
    sees_other_rounds,
)
from network.programs.models import Cohort, CohortMembership


def participant(matching_round: MatchingRound, user) -> Participant | None:
    """The member's row in the round (fellow or mentor), or None."""
    return db.session.scalar(select(Participant).where(Participant.round_id == matching_round.id,
                                                       Participant.user_id == user.id))


def cohorts_for_new_round(user) -> list[Cohort]:
    """The current (not graduated) cohorts ``user`` may open a round for, with their programs, in one query."""
    if not can_open_rounds(user):
        return []
    statement = (select(Cohort).join(Cohort.program).where(Cohort.graduated_at.is_(None))
                 .where(managed_programs(user, Cohort.program_id))
                 .options(contains_eager(Cohort.program)).order_by(Cohort.program_id, Cohort.name))
    return list(db.session.scalars(statement))


def rounds_for(user) -> dict[str, list[MatchingRound]]:
    """Rounds the member manages, takes part in, or may join as a mentor."""
    options = (selectinload(MatchingRound.cohorts).selectinload(Cohort.program),)
    mine = db.session.scalars(select(MatchingRound).join(Participant, Participant.round_id == MatchingRound.id)
                              .where(Participant.user_id == user.id).options(*options)
                              .order_by(MatchingRound.created_at.desc())).all()
    managed, joinable = [], []
    if sees_other_rounds(user):
        # Rounds of the programs the member belongs to (may mentor in: ``can_join_pool``) or runs.
        member_programs = select(Cohort.program_id).join(CohortMembership, CohortMembership.cohort_id == Cohort.id) \
            .where(CohortMembership.user_id == user.id)
        of_member_programs = MatchingRound.id.in_(
            select(round_cohort.c.round_id).join(Cohort, Cohort.id == round_cohort.c.cohort_id)
            .where(Cohort.program_id.in_(member_programs)))
        query = select(MatchingRound, of_member_programs).options(*options) \
            .order_by(MatchingRound.created_at.desc()).limit(200)
        if not runs_every_program(user):
            query = query.where(or_(of_member_programs, MatchingRound.id.in_(
                select(round_cohort.c.round_id).join(Cohort, Cohort.id == round_cohort.c.cohort_id)
                .where(managed_programs(user, Cohort.program_id)))))
        seen = {r.id for r in mine}
        for matching_round, may_mentor in db.session.execute(query):
            if can_manage_round(user, matching_round):
                managed.append(matching_round)
            elif may_mentor and may_mentor_in_rounds(user) and matching_round.id not in seen \
                    and matching_round.status == RoundStatus.OPEN:
                joinable.append(matching_round)
    return {"managed": managed, "mine": mine, "joinable": joinable}


def pool(matching_round: MatchingRound) -> list[Participant]:
    """The round's mentors with their members, in the order they joined."""
    return db.session.scalars(select(Participant).where(Participant.round_id == matching_round.id,
                                                        Participant.side == Side.MENTOR)
                              .options(selectinload(Participant.user)).order_by(Participant.id)).all()


def fellow_choices(matching_round: MatchingRound, fellow: User) -> list[Choice]:
    """The fellow's list, first choice first."""
    return db.session.scalars(select(Choice).where(Choice.round_id == matching_round.id,
                                                   Choice.fellow_id == fellow.id).order_by(Choice.fellow_rank)).all()


def mentor_review(matching_round: MatchingRound, mentor: User) -> list[Choice]:
    """The fellows who listed this mentor (their rank of the mentor is not shown to the mentor)."""
    return db.session.scalars(select(Choice).where(Choice.round_id == matching_round.id, Choice.mentor_id == mentor.id)
                              .order_by(Choice.mentor_rank.is_(None), Choice.mentor_rank, Choice.fellow_id)).all()


def overrides(matching_round: MatchingRound) -> list[Override]:
    """The round's pins and forbids with both members, oldest first."""
    return db.session.scalars(select(Override).where(Override.round_id == matching_round.id)
                              .options(selectinload(Override.fellow), selectinload(Override.mentor))
                              .order_by(Override.id)).all()


def active_mentors_of(fellow_ids, kind: MentoringType) -> dict[int, tuple[int, str]]:
    """Fellow id -> (mentor id, mentor name) of their active mentorship of ``kind`` (one a member at most),
    in one query; ``fellow_ids`` is a list or a subquery."""
    return {row[0]: (row[1], row[2]) for row in db.session.execute(
        select(Mentorship.mentee_id, Mentorship.mentor_id, User.name)
        .join(User, User.id == Mentorship.mentor_id)
        .where(Mentorship.mentee_id.in_(fellow_ids), Mentorship.type == kind,
               Mentorship.status == MentorshipStatus.ACTIVE))}


def participant_count(matching_round: MatchingRound) -> int:
    """Fellows and mentors of the round (it decides whether a run is computed now or queued)."""
    return db.session.scalar(select(func.count()).select_from(Participant)
                             .where(Participant.round_id == matching_round.id)) or 0


def round_counts(matching_round: MatchingRound) -> dict:
    """Fellows, fellows who ranked, mentors and places, mentors who accepted someone and answers outstanding,
    in one query."""
    ranked = select(func.count(func.distinct(Choice.fellow_id))).where(Choice.round_id == matching_round.id) \
        .scalar_subquery()
    accepted = select(func.count(func.distinct(Choice.mentor_id))).where(
        Choice.round_id == matching_round.id, Choice.mentor_accepts.is_(True)).scalar_subquery()
    unanswered = select(func.count()).select_from(Choice).where(
        Choice.round_id == matching_round.id, Choice.mentor_accepts.is_(None)).scalar_subquery()
    row = db.session.execute(
        select(func.count().filter(Participant.side == Side.FELLOW),
               func.count().filter(Participant.side == Side.MENTOR),
               func.coalesce(func.sum(Participant.capacity).filter(Participant.side == Side.MENTOR), 0),
               ranked, accepted, unanswered)
        .where(Participant.round_id == matching_round.id)).one()
    return {"fellows": row[0], "mentors": row[1], "places": row[2], "ranked": row[3], "reviewed": row[4],
            "unanswered": row[5]}


def participants_named(matching_round: MatchingRound) -> list:
    """(user id, name, side, capacity) of everyone in the round, by name."""
    return db.session.execute(select(Participant.user_id, User.name, Participant.side, Participant.capacity)
                              .join(User, User.id == Participant.user_id)
                              .where(Participant.round_id == matching_round.id).order_by(User.name)).all()


def overrides_named(matching_round: MatchingRound) -> list:
    """(override id, kind, fellow name, mentor name, fellow id, mentor id) in one query."""
    fellow, mentor = aliased(User), aliased(User)
    return db.session.execute(select(Override.id, Override.kind, fellow.name, mentor.name, Override.fellow_id,
                                     Override.mentor_id)
                              .join(fellow, fellow.id == Override.fellow_id)
                              .join(mentor, mentor.id == Override.mentor_id)
                              .where(Override.round_id == matching_round.id).order_by(Override.id)).all()


def run_rows(matching_round: MatchingRound) -> Select:
    """A ``select`` of the round's runs as rows without their (large) pair lists, not yet ordered."""
    return select(MatchingRun.id, MatchingRun.algorithm, MatchingRun.status, MatchingRun.progress,
                  MatchingRun.created_at, MatchingRun.summary, MatchingRun.error) \
        .where(MatchingRun.round_id == matching_round.id)


def runs_of(matching_round: MatchingRound) -> list:
    """The round's runs, newest first, without their (large) pair lists."""
    return db.session.execute(run_rows(matching_round).order_by(MatchingRun.id.desc()).limit(50)).all()


def managed_rounds(user) -> Select:
    """A ``select`` of the rounds ``user`` manages (``can_manage_round`` as SQL: every round for
    administrators; for program staff, the rounds all of whose cohorts are of programs they run), with their
    cohorts, not yet ordered."""
    statement = select(MatchingRound).options(selectinload(MatchingRound.cohorts))
    if runs_every_program(user):
        return statement
    of_other_programs = (select(round_cohort.c.round_id).join(Cohort, Cohort.id == round_cohort.c.cohort_id)
                         .where(~managed_programs(user, Cohort.program_id)))
    return statement.where(MatchingRound.id.in_(select(round_cohort.c.round_id)),
                           MatchingRound.id.not_in(of_other_programs))
