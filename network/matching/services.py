"""Matching round services: they change the session's objects, raise domain errors, and never commit."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import delete, func, literal, or_, select, update
from sqlalchemy.orm import aliased, contains_eager, selectinload

from network.audit.models import AuditLog, record
from network.extensions import db
from network.matching.models import (
    Algorithm,
    Choice,
    MatchingRound,
    MatchingRun,
    Override,
    OverrideKind,
    Participant,
    RoundStatus,
    RunStatus,
    Side,
    round_cohort,
)
from network.matching.rounds import RoundInput, run_round
from network.matching.scoring import Mentee, Mentor, fit_reasons, fit_score, score
from network.members.models import MemberStatus, Role, User
from network.mentorship.models import MentoringType, MentorSettings, Mentorship, MentorshipStatus, mentor_topic
from network.notifications.kinds import Delivery
from network.notifications.services import deliveries, notify_members
from network.permissions import (
    can_join_pool,
    can_manage_cohort,
    can_manage_round,
    can_open_rounds,
    managed_programs,
    may_mentor_in_rounds,
    reaches_others,
    runs_every_program,
    sees_other_rounds,
)
from network.profiles.models import Profile, profile_interest
from network.profiles.privacy import connected_member_ids
from network.programs.models import Cohort, CohortMembership, CohortRole
from network.taxonomy.models import Interest, PracticeSetting, Specialty
from network.types import utcnow

log = logging.getLogger(__name__)

#: Rounds with more participants than this run as a queued job (``flask matching work``).
DIRECT_RUN_LIMIT = 300


class RoundError(Exception):
    """A refused action; the message is for the member."""


def participant(matching_round: MatchingRound, user) -> Participant | None:
    return db.session.scalar(select(Participant).where(Participant.round_id == matching_round.id,
                                                       Participant.user_id == user.id))


# -- listing and opening --------------------------------------------------------------------------


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


def open_round(user: User, *, title: str, mentoring_type: str, algorithm: str, deadline: datetime,
               max_choices: int, cohorts: list[Cohort], no_answer_acceptable: bool = True) -> MatchingRound:
    """Open a round for ``cohorts``: their current fellows take part; mentors join the pool themselves."""
    if not cohorts:
        raise RoundError("Choose at least one cohort.")
    for cohort in cohorts:
        if not can_manage_cohort(user, cohort):
            raise RoundError(f"You do not run {cohort.name} of its program.")
    if deadline <= utcnow():
        raise RoundError("The deadline must be in the future.")
    matching_round = MatchingRound(title=title, type=MentoringType(mentoring_type), algorithm=Algorithm(algorithm),
                                   deadline=deadline, max_choices=max_choices, created_by_id=user.id,
                                   cohorts=list(cohorts), no_answer_acceptable=no_answer_acceptable)
    db.session.add(matching_round)
    db.session.flush()
    fellows = db.session.scalars(
        select(User.id).join(CohortMembership, CohortMembership.user_id == User.id)
        .where(CohortMembership.cohort_id.in_([c.id for c in cohorts]), CohortMembership.role == CohortRole.FELLOW,
               User.role == Role.FELLOW, User.status == MemberStatus.VERIFIED, User.deleted_at.is_(None))
        .distinct()).all()
    db.session.add_all([Participant(round_id=matching_round.id, user_id=f, side=Side.FELLOW) for f in fellows])
    record(user.id, "matching.round_opened", "matching_round", matching_round.id, title=title,
           cohorts=[c.id for c in cohorts], fellows=len(fellows), algorithm=algorithm,
           program_id=cohorts[0].program_id)
    notify_members(db.session.scalars(select(User).where(User.id.in_(fellows))).all(), "matching-opened",
                   f"Rank your mentors in “{title}” by {deadline:%d %b %Y}", _round_link(matching_round),
                   target_type="matching_round", target_id=matching_round.id,
                   mail_subject=f"Matching round open: {title}", mail_template="matching_event", body="")
    return matching_round


def _round_link(matching_round: MatchingRound) -> str:
    return url_for("matching.round_page", round_id=matching_round.id)


def _must_be_open(matching_round: MatchingRound) -> None:
    if matching_round.status != RoundStatus.OPEN:
        raise RoundError("This round is published; nothing can change any more.")


def _must_take_lists(matching_round: MatchingRound) -> None:
    if matching_round.closed_early:
        raise RoundError(f"The round closed early on {matching_round.published_at:%d %b %Y}, before its deadline, "
                         "when its results were published; lists can no longer change.")
    _must_be_open(matching_round)
    if not matching_round.is_open_at(utcnow()):
        raise RoundError("The deadline has passed; lists can no longer change.")


# -- the pool and the lists -----------------------------------------------------------------------


def join_pool(matching_round: MatchingRound, user: User, capacity: int, accept_any: bool) -> Participant:
    """Offer to mentor in this round (or change my capacity); 0 places leaves the pool."""
    _must_take_lists(matching_round)
    if not can_join_pool(user, matching_round):
        raise RoundError("Only alumni and faculty of the round's programs can mentor in it.")
    if capacity < 0 or capacity > 10:
        raise RoundError("Choose between 0 and 10 places.")
    entry = participant(matching_round, user)
    if entry is not None and entry.side == Side.FELLOW:
        raise RoundError("You take part in this round as a fellow.")
    if capacity == 0:
        if entry is not None:
            db.session.execute(delete(Choice).where(Choice.round_id == matching_round.id,
                                                    Choice.mentor_id == user.id))
            db.session.delete(entry)
            record(user.id, "matching.pool_left", "matching_round", matching_round.id)
        return None
    if entry is None:
        entry = Participant(round_id=matching_round.id, user_id=user.id, side=Side.MENTOR)
        db.session.add(entry)
    entry.capacity = capacity
    entry.accept_any = accept_any
    record(user.id, "matching.pool_joined", "matching_round", matching_round.id, capacity=capacity,
           accept_any=accept_any)
    return entry


def pool(matching_round: MatchingRound) -> list[Participant]:
    return db.session.scalars(select(Participant).where(Participant.round_id == matching_round.id,
                                                        Participant.side == Side.MENTOR)
                              .options(selectinload(Participant.user)).order_by(Participant.id)).all()


def fellow_choices(matching_round: MatchingRound, fellow: User) -> list[Choice]:
    return db.session.scalars(select(Choice).where(Choice.round_id == matching_round.id,
                                                   Choice.fellow_id == fellow.id).order_by(Choice.fellow_rank)).all()


def save_ranking(matching_round: MatchingRound, fellow: User, ranks: dict[int, int]) -> None:
    """Replace the fellow's list: ``ranks`` maps mentor id -> rank (1 = first); mentors' answers are kept."""
    _must_take_lists(matching_round)
    if len(ranks) > matching_round.max_choices:
        raise RoundError(f"Rank at most {matching_round.max_choices} mentors.")
    used = sorted(ranks.values())
    if len(set(used)) != len(used):
        raise RoundError("Give each rank to one mentor only.")
    in_pool = {p.user_id for p in pool(matching_round)}
    for mentor_id in ranks:
        if mentor_id not in in_pool:
            raise RoundError("One of the mentors is no longer in this round's pool.")
    order = sorted(ranks, key=ranks.get)
    existing = {c.mentor_id: c for c in fellow_choices(matching_round, fellow)}
    for mentor_id, choice in existing.items():
        if mentor_id not in ranks:
            db.session.delete(choice)
    for position, mentor_id in enumerate(order, 1):
        choice = existing.get(mentor_id)
        if choice is None:
            db.session.add(Choice(round_id=matching_round.id, fellow_id=fellow.id, mentor_id=mentor_id,
                                  fellow_rank=position, mentor_accepts=None))
        else:
            choice.fellow_rank = position
    record(fellow.id, "matching.ranking_saved", "matching_round", matching_round.id, mentors=order)


def mentor_review(matching_round: MatchingRound, mentor: User) -> list[Choice]:
    """The fellows who listed this mentor (their rank of the mentor is not shown to the mentor)."""
    return db.session.scalars(select(Choice).where(Choice.round_id == matching_round.id, Choice.mentor_id == mentor.id)
                              .order_by(Choice.mentor_rank.is_(None), Choice.mentor_rank, Choice.fellow_id)).all()


def save_review(matching_round: MatchingRound, mentor: User, answers: dict[int, str]) -> None:
    """The mentor's answer per fellow: "none" (no answer), "no", "yes" (acceptable, ordered by fit) or a
    rank "1", "2", ... (acceptable, in that order)."""
    _must_take_lists(matching_round)
    choices = {c.fellow_id: c for c in mentor_review(matching_round, mentor)}
    ranks = [int(a) for a in answers.values() if a.isdigit()]
    if len(set(ranks)) != len(ranks):
        raise RoundError("Give each rank to one fellow only.")
    for fellow_id, answer in answers.items():
        choice = choices.get(fellow_id)
        if choice is None:
            continue  # the fellow changed their list meanwhile
        choice.mentor_accepts = None if answer == "none" else answer != "no"
        choice.mentor_rank = int(answer) if answer.isdigit() else None
    record(mentor.id, "matching.review_saved", "matching_round", matching_round.id,
           accepted=sum(1 for a in answers.values() if a not in ("no", "none")),
           unanswered=sum(1 for a in answers.values() if a == "none"))


# -- overrides ------------------------------------------------------------------------------------


def overrides(matching_round: MatchingRound) -> list[Override]:
    return db.session.scalars(select(Override).where(Override.round_id == matching_round.id)
                              .options(selectinload(Override.fellow), selectinload(Override.mentor))
                              .order_by(Override.id)).all()


def add_override(matching_round: MatchingRound, user: User, fellow_id: int, mentor_id: int, kind: str) -> Override:
    """Pin (force) or forbid a pair in the next runs."""
    _must_be_open(matching_round)
    people = {p.user_id: p for p in db.session.scalars(select(Participant).where(
        Participant.round_id == matching_round.id, Participant.user_id.in_([fellow_id, mentor_id])))}
    if fellow_id not in people or people[fellow_id].side != Side.FELLOW:
        raise RoundError("Choose a fellow of this round.")
    if mentor_id not in people or people[mentor_id].side != Side.MENTOR:
        raise RoundError("Choose a mentor from this round's pool.")
    current = overrides(matching_round)
    if any(o.fellow_id == fellow_id and o.mentor_id == mentor_id for o in current):
        raise RoundError("That pair already has an override; remove it first.")
    if kind == OverrideKind.PIN:
        if any(o.kind == OverrideKind.PIN and o.fellow_id == fellow_id for o in current):
            raise RoundError("That fellow is already pinned to a mentor.")
        pins = sum(1 for o in current if o.kind == OverrideKind.PIN and o.mentor_id == mentor_id)
        if pins >= people[mentor_id].capacity:
            raise RoundError("Every place of that mentor is already pinned.")
    override = Override(round_id=matching_round.id, fellow_id=fellow_id, mentor_id=mentor_id,
                        kind=OverrideKind(kind), created_by_id=user.id)
    db.session.add(override)
    db.session.flush()
    record(user.id, f"matching.{kind}", "matching_round", matching_round.id, fellow_id=fellow_id,
           mentor_id=mentor_id)
    return override


def remove_override(matching_round: MatchingRound, user: User, override: Override) -> None:
    _must_be_open(matching_round)
    record(user.id, f"matching.{override.kind.value}_removed", "matching_round", matching_round.id,
           fellow_id=override.fellow_id, mentor_id=override.mentor_id)
    db.session.delete(override)


# -- runs -----------------------------------------------------------------------------------------


@dataclass
class _Person:
    id: int
    name: str
    background_id: int | None
    background_name: str | None
    role: str
    specialty_id: int | None
    time_zone: str
    country: str
    region: str
    career_goal: str | None
    practice: str | None
    location_visibility: str | None
    connected: bool  # to the viewer ``_people`` was read for (False when read for nobody in particular)

    def location(self, seen: bool) -> dict:
        """The time zone, country and region as the score reads them: empty unless ``seen``."""
        if not seen:
            return {"time_zone": "", "country": "", "region": ""}
        return {"time_zone": self.time_zone, "country": self.country, "region": self.region}

    @property
    def location_reaches_others(self) -> bool:
        """Whether the viewer read for (never this person) may see the location; for nobody in particular,
        whether every member may."""
        return reaches_others(self.location_visibility, connected=self.connected)


def _people(user_ids: list[int], viewer_id: int | None = None) -> dict[int, _Person]:
    """Names and the profile fields the fit score reads, and whether each is connected to ``viewer_id``,
    in one query."""
    connected = User.id.in_(connected_member_ids(viewer_id)) if viewer_id is not None else literal(False)
    rows = db.session.execute(
        select(User.id, User.name, User.training_background_id, Specialty.name, User.role,
               Profile.primary_specialty_id, Profile.time_zone, Profile.country, Profile.region, Profile.career_goal,
               PracticeSetting.slug, Profile.location_visibility, connected.label("connected"))
        .outerjoin(Specialty, Specialty.id == User.training_background_id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .outerjoin(PracticeSetting, PracticeSetting.id == Profile.practice_setting_id)
        .where(User.id.in_(user_ids))).all()
    return {r[0]: _Person(r[0], r[1], r[2], r[3], str(r[4]), r[5], r[6] or "", r[7] or "", r[8] or "",
                          r[9].value if r[9] else None, r[10], r[11], bool(r[12])) for r in rows}


def _interests(user_ids: list[int]) -> dict[int, dict[int, str]]:
    """Profile interests of everyone, plus mentoring topics of mentors: user id -> {interest id: name}."""
    found: dict[int, dict[int, str]] = {}
    for owner, interest_id, name in db.session.execute(
            select(profile_interest.c.profile_id, Interest.id, Interest.name)
            .join(Interest, Interest.id == profile_interest.c.interest_id)
            .where(profile_interest.c.profile_id.in_(user_ids))
            .union_all(select(mentor_topic.c.mentor_id, Interest.id, Interest.name)
                       .join(Interest, Interest.id == mentor_topic.c.interest_id)
                       .where(mentor_topic.c.mentor_id.in_(user_ids)))):
        found.setdefault(owner, {})[interest_id] = name
    return found


def _mentee(person: _Person, interests: dict, location_seen: bool) -> Mentee:
    return Mentee(id=person.id, specialty_id=person.specialty_id, background_id=person.background_id,
                  background_name=person.background_name, interest_ids=frozenset(interests.get(person.id, {})),
                  career_goal=person.career_goal, **person.location(location_seen))


def _mentor(person: _Person, kind: str, capacity: int, interests: dict, location_seen: bool) -> Mentor:
    return Mentor(id=person.id, name=person.name, types=frozenset([kind]), capacity=max(capacity, 1), active=0,
                  specialty_id=person.specialty_id, background_id=person.background_id,
                  interests=interests.get(person.id, {}), paths=frozenset({person.role, person.practice} - {None}),
                  **person.location(location_seen))


def active_mentors_of(fellow_ids, kind: MentoringType) -> dict[int, tuple[int, str]]:
    """Fellow id -> (mentor id, mentor name) of their active mentorship of ``kind`` (one a member at most),
    in one query; ``fellow_ids`` is a list or a subquery."""
    return {row[0]: (row[1], row[2]) for row in db.session.execute(
        select(Mentorship.mentee_id, Mentorship.mentor_id, User.name)
        .join(User, User.id == Mentorship.mentor_id)
        .where(Mentorship.mentee_id.in_(fellow_ids), Mentorship.type == kind,
               Mentorship.status == MentorshipStatus.ACTIVE))}


def round_input(matching_round: MatchingRound) -> RoundInput:
    """Everything the engine needs for this round, in seven queries whatever the round's size.

    A run's fits and reasons are kept and read by every manager of the round, who need not be connected
    to the fellow or the mentor: a location counts in them only when its owner shares it with all members.
    """
    people = db.session.execute(select(Participant.user_id, Participant.side, Participant.capacity,
                                       Participant.accept_any)
                                .where(Participant.round_id == matching_round.id)
                                .order_by(Participant.id)).all()
    fellows = [p.user_id for p in people if p.side == Side.FELLOW]
    mentors = {p.user_id: p for p in people if p.side == Side.MENTOR}
    choices = db.session.execute(select(Choice.fellow_id, Choice.mentor_id, Choice.fellow_rank, Choice.mentor_accepts,
                                        Choice.mentor_rank)
                                 .where(Choice.round_id == matching_round.id).order_by(Choice.fellow_rank)).all()
    ids = [p.user_id for p in people]
    details = _people(ids)
    interests = _interests(ids)
    kind = matching_round.type.value
    mentor_data = {m: _mentor(details[m], kind, p.capacity, interests, details[m].location_reaches_others)
                   for m, p in mentors.items() if m in details}
    mentees = {f: _mentee(details[f], interests, details[f].location_reaches_others) for f in fellows if f in details}
    fit = {}
    fellow_lists: dict[int, list[int]] = {f: [] for f in fellows}
    by_mentor: dict[int, list] = {m: [] for m in mentor_data}
    no_answer_acceptable = matching_round.no_answer_acceptable
    unanswered = set()
    # Plain tuples unpacked positionally: this loop runs once per listed pair (50,000 in a large round).
    for fellow_id, mentor_id, fellow_rank, accepts, mentor_rank in choices:
        if fellow_id not in fellow_lists or mentor_id not in mentor_data:
            continue
        fellow_lists[fellow_id].append(mentor_id)
        score_of_pair = fit_score(mentees[fellow_id], mentor_data[mentor_id], kind) or 0
        fit[(fellow_id, mentor_id)] = score_of_pair
        # An explicit "not acceptable" stands even for a mentor who accepts anyone; no answer counts as the
        # round says (or as acceptable for a mentor who accepts anyone).
        if accepts is None and not mentors[mentor_id].accept_any:
            unanswered.add((fellow_id, mentor_id))
            acceptable = no_answer_acceptable
        else:
            acceptable = accepts is not False
        if acceptable:
            # The mentor's order: explicit ranks first, then the others by fit, then the fellow's rank.
            by_mentor[mentor_id].append((mentor_rank is None, mentor_rank or 0, -score_of_pair, fellow_rank,
                                         fellow_id))

    def explain_fit(fellow_id, mentor_id) -> str:
        if fellow_id not in mentees or mentor_id not in mentor_data:
            return ""
        return "; ".join(r for r in fit_reasons(mentees[fellow_id], mentor_data[mentor_id]) if "places free" not in r)

    ranked = {}
    mentor_lists = {m: [] for m in mentors}
    for mentor_id, rows in by_mentor.items():
        rows.sort()
        mentor_lists[mentor_id] = [row[4] for row in rows]
        ranked.update({(row[4], mentor_id): True for row in rows if not row[0]})
    override_rows = db.session.execute(select(Override.fellow_id, Override.mentor_id, Override.kind)
                                       .where(Override.round_id == matching_round.id)).all()
    # Fellows who already have an active mentorship of the round's kind are kept with that mentor.
    active = active_mentors_of(select(Participant.user_id).where(Participant.round_id == matching_round.id,
                                                                 Participant.side == Side.FELLOW),
                               matching_round.type)
    names = {i: p.name for i, p in details.items()}
    for mentor_id, mentor_name in active.values():
        names.setdefault(mentor_id, mentor_name)
    return RoundInput(
        algorithm=matching_round.algorithm.value, max_choices=matching_round.max_choices,
        names=names, fellows=fellows,
        capacity={m: p.capacity for m, p in mentors.items()}, fellow_lists=fellow_lists, mentor_lists=mentor_lists,
        mentor_ranked=ranked, fit=fit, explain_fit=explain_fit,
        pins=[(o.fellow_id, o.mentor_id) for o in override_rows if o.kind == OverrideKind.PIN
              and o.fellow_id in fellow_lists and o.mentor_id in mentors],
        forbids={(o.fellow_id, o.mentor_id) for o in override_rows if o.kind == OverrideKind.FORBID},
        kept={f: mentor for f, (mentor, _) in active.items() if f in fellow_lists},
        unanswered=unanswered, no_answer_acceptable=no_answer_acceptable, kind=matching_round.type.label.lower())


def participant_count(matching_round: MatchingRound) -> int:
    return db.session.scalar(select(func.count()).select_from(Participant)
                             .where(Participant.round_id == matching_round.id)) or 0


def start_run(matching_round: MatchingRound, user: User | None) -> MatchingRun:
    """A new run: computed now for small rounds, queued for ``flask matching work`` for large ones."""
    _must_be_open(matching_round)
    run = MatchingRun(round_id=matching_round.id, algorithm=matching_round.algorithm, status=RunStatus.QUEUED,
                      started_by_id=user.id if user else None, summary={}, pairs=[])
    db.session.add(run)
    db.session.flush()
    record(user.id if user else None, "matching.run_started", "matching_round", matching_round.id, run_id=run.id)
    if participant_count(matching_round) <= DIRECT_RUN_LIMIT:
        execute_run(run)
    return run


def execute_run(run: MatchingRun, save_progress=None) -> MatchingRun:
    """Compute a run and store its figures and pairs; ``save_progress`` (the worker's commit) makes
    each step visible to the polling preview page."""
    run.status = RunStatus.RUNNING
    run.progress = 5
    db.session.flush()
    matching_round = db.session.get(MatchingRound, run.round_id)
    try:
        data = round_input(matching_round)
        data.algorithm = run.algorithm.value

        def progress(percent):
            run.progress = percent
            if save_progress is not None:
                save_progress()

        summary, pairs = run_round(data, progress)
    except ValueError as error:  # the engine names bad input; keep it on the run for the page
        log.warning("matching run %s failed: %s", run.id, error)
        run.status = RunStatus.FAILED
        run.error = str(error)
        run.finished_at = utcnow()
        return run
    run.summary = summary
    run.pairs = pairs
    run.status = RunStatus.DONE
    run.progress = 100
    run.finished_at = utcnow()
    log.info("matching run %s of round %s: %s of %s matched", run.id, run.round_id, summary["matched"],
             summary["fellows"])
    return run


def claim_queued_run() -> MatchingRun | None:
    """Take the oldest queued run (two workers never take the same: a conditional UPDATE claims it)."""
    for run_id in db.session.scalars(select(MatchingRun.id).where(MatchingRun.status == RunStatus.QUEUED)
                                     .order_by(MatchingRun.id).limit(5)).all():
        claimed = db.session.execute(update(MatchingRun).where(MatchingRun.id == run_id,
                                                               MatchingRun.status == RunStatus.QUEUED)
                                     .values(status=RunStatus.RUNNING, progress=1)
                                     .execution_options(synchronize_session=False)).rowcount
        if claimed == 1:
            db.session.commit()
            return db.session.get(MatchingRun, run_id, populate_existing=True)
    return None


def runs_of(matching_round: MatchingRound) -> list:
    """The round's runs, newest first, without their (large) pair lists."""
    return db.session.execute(select(MatchingRun.id, MatchingRun.algorithm, MatchingRun.status, MatchingRun.progress,
                                     MatchingRun.created_at, MatchingRun.summary, MatchingRun.error)
                              .where(MatchingRun.round_id == matching_round.id)
                              .order_by(MatchingRun.id.desc()).limit(50)).all()


# -- publish and export ---------------------------------------------------------------------------


#: Audit actions that change what a run reads.
LIST_CHANGES = ("matching.ranking_saved", "matching.review_saved", "matching.pool_joined", "matching.pool_left",
                "matching.pin", "matching.forbid", "matching.pin_removed", "matching.forbid_removed")
#: What an unmatched participant is told; never said to one who has a mentor of the round's kind.
NOT_MATCHED = "you were not matched this time"


@dataclass
class PublishPlan:
    """What publishing a run would do now: each fellow's outcome, and who is told how."""

    rows: list  # the run's rows, each with ``published``: state, mentor, mentor_name, note
    new: int
    kept: int
    not_created: list  # notes for the program, one per pair that will not become a mentorship
    unmatched: int
    told: int  # participants notified
    mailed: int  # of them, by mail right away
    early: bool  # before the ranking deadline
    changes_since: int  # lists, answers, pool places and overrides changed after the run


def publish_plan(matching_round: MatchingRound, run: MatchingRun) -> PublishPlan:
    """Each fellow's outcome if ``run`` were published now, read against today's mentorships (four queries).

    A fellow whose active mentorship of the round's kind began after the run keeps it: with the run's mentor
    it counts as kept; with another, the run's pair is not created (a member has one of a kind)."""
    kind = matching_round.type
    active = active_mentors_of([p["fellow"] for p in run.pairs], kind)
    proposed = [p for p in run.pairs if p["mentor"] is not None and not p.get("kept")]
    full = set(db.session.scalars(select(MentorSettings.user_id).where(
        MentorSettings.user_id.in_({p["mentor"] for p in proposed}), MentorSettings.active_mentees >= 10)))
    label = kind.label.lower()
    rows, notes = [], []
    for pair in run.pairs:
        current = active.get(pair["fellow"])
        if pair["mentor"] is None:
            outcome = {"state": "unmatched", "mentor": None, "mentor_name": None, "note": ""}
            if current is not None:  # began after the run: it continues
                outcome = {"state": "kept", "mentor": current[0], "mentor_name": current[1], "note": ""}
        elif current is not None and (pair.get("kept") or current[0] == pair["mentor"]):
            outcome = {"state": "kept", "mentor": current[0], "mentor_name": current[1], "note": ""}
        elif pair.get("kept"):  # the mentorship the run kept has ended since
            outcome = {"state": "unmatched", "mentor": None, "mentor_name": None,
                       "note": f"Your {label} mentorship with {pair['mentor_name']} ended after the match ran."}
        elif current is not None:
            outcome = {"state": "not_created", "mentor": current[0], "mentor_name": current[1],
                       "note": f"{pair['fellow_name']} now has an active {label} mentorship with {current[1]}; "
                               f"no new mentorship with {pair['mentor_name']}"}
        elif pair["mentor"] in full:
            outcome = {"state": "not_created", "mentor": None, "mentor_name": None,
                       "note": f"{pair['mentor_name']} has no place left for {pair['fellow_name']}"}
        else:
            outcome = {"state": "new", "mentor": pair["mentor"], "mentor_name": pair["mentor_name"], "note": ""}
        if outcome["state"] == "not_created":
            notes.append(outcome["note"])
        rows.append({**pair, "published": outcome})
    states = [r["published"]["state"] for r in rows]
    modes = deliveries(db.session.scalars(select(Participant.user_id)
                                          .where(Participant.round_id == matching_round.id)).all(),
                       "matching-result")
    # A run is a snapshot: whoever changed their list after it would be published on their old one.
    changes_since = db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.target_type == "matching_round", AuditLog.target_id == matching_round.id,
        AuditLog.action.in_(LIST_CHANGES), AuditLog.created_at > run.created_at)) or 0
    return PublishPlan(rows=rows, new=states.count("new"), kept=states.count("kept"), not_created=notes,
                       unmatched=states.count("unmatched"),
                       told=sum(1 for mode in modes.values() if mode != Delivery.OFF),
                       mailed=sum(1 for mode in modes.values() if mode == Delivery.IMMEDIATE),
                       early=matching_round.is_open_at(utcnow()), changes_since=changes_since)


def publish(matching_round: MatchingRound, run: MatchingRun, user: User, *, close_early: bool = False) -> dict:
    """Turn the run's pairs into mentorships, tell every participant what became of them, and lock the round.

    Before the deadline the program must say ``close_early``: fellows were told they could change their
    lists until then, so everyone is told the round closed early."""
    _must_be_open(matching_round)
    if run.round_id != matching_round.id or run.status != RunStatus.DONE:
        raise RoundError("Only a finished run of this round can be published.")
    plan = publish_plan(matching_round, run)
    if plan.early and not close_early:
        raise RoundError(f"The ranking deadline ({matching_round.deadline:%d %b %Y, %H:%M} UTC) has not passed: "
                         "choose to publish early and close rankings now, or wait.")
    kind = matching_round.type
    settings = {s.user_id: s for s in db.session.scalars(select(MentorSettings).where(
        MentorSettings.user_id.in_({r["mentor"] for r in plan.rows if r["published"]["state"] == "new"})))}
    created = {}
    for row in plan.rows:
        outcome = row["published"]
        if outcome["state"] != "new":
            continue
        mentor_settings = settings.get(row["mentor"])
        if mentor_settings is None:
            # A mentor who joined the pool without mentoring settings: the round's places become theirs.
            mentor_settings = MentorSettings(user_id=row["mentor"], accepting=False, types=[kind.value],
                                             meeting_modes=[], availability="", capacity=1, active_mentees=0)
            db.session.add(mentor_settings)
            db.session.flush()
            settings[row["mentor"]] = mentor_settings
        # The round's places are the mentor's promise: the capacity counter follows (and grows if it must,
        # within the 10 the settings allow), in one conditional UPDATE as mentorship acceptances do.
        taken = db.session.execute(
            update(MentorSettings)
            .where(MentorSettings.user_id == row["mentor"], MentorSettings.active_mentees < 10)
            .values(active_mentees=MentorSettings.active_mentees + 1,
                    capacity=func.max(MentorSettings.capacity, MentorSettings.active_mentees + 1)
                    if db.engine.dialect.name == "sqlite"
                    else func.greatest(MentorSettings.capacity, MentorSettings.active_mentees + 1))
            .execution_options(synchronize_session=False)).rowcount
        if taken != 1:
            row["published"] = {"state": "not_created", "mentor": None, "mentor_name": None,
                                "note": f"{row['mentor_name']} has no place left for {row['fellow_name']}"}
            continue
        mentorship = Mentorship(mentee_id=row["fellow"], mentor_id=row["mentor"], type=kind)
        db.session.add(mentorship)
        created[row["fellow"]] = mentorship
    db.session.flush()
    # Each row keeps what publishing made of it: the round pages and the CSV read it.
    run.pairs = plan.rows
    matching_round.status = RoundStatus.PUBLISHED
    matching_round.published_at = utcnow()
    matching_round.published_run_id = run.id
    skipped = [r for r in plan.rows if r["published"]["state"] == "not_created"]
    kept = sum(1 for r in plan.rows if r["published"]["state"] == "kept")
    record(user.id, "matching.published", "matching_round", matching_round.id, run_id=run.id,
           mentorships=len(created), kept=kept, skipped=len(skipped), closed_early=plan.early)
    _notify_results(matching_round, plan.rows, created)
    return {"created": len(created), "kept": kept, "skipped": [r["published"]["note"] for r in skipped]}


def fellow_result_line(matching_round: MatchingRound, row: dict) -> str:
    """What publishing made of a fellow's row, in their words (the notification and the round page)."""
    outcome = row.get("published") or {"state": "new" if row["mentor"] else "unmatched",
                                       "mentor_name": row["mentor_name"], "note": ""}
    kind = matching_round.type.label.lower()
    state, name = outcome["state"], outcome["mentor_name"]
    if state == "new":
        return f"{name} is your {kind} mentor"
    if state == "kept":
        return f"your {kind} mentorship with {name} continues"
    if state == "not_created" and name:
        return f"your {kind} mentorship with {name} continues; no new mentorship with {row['mentor_name']}"
    if state == "not_created":
        return f"the match paired you with {row['mentor_name']}, but they had no place left, so no mentorship " \
               "was created"
    return NOT_MATCHED


def mentor_results(rows: list[dict]) -> dict[int, dict[str, list[str]]]:
    """Each mentor's fellows once the round is published: new mentees, mentorships that continue, and pairs
    of the run that did not become mentorships; in one pass over the rows."""
    found: dict[int, dict[str, list[str]]] = {}

    def of(mentor_id):
        return found.setdefault(mentor_id, {"new": [], "kept": [], "not_created": []})

    for row in rows:
        outcome = row.get("published") or {"state": "new" if row["mentor"] else "unmatched",
                                           "mentor": row["mentor"]}
        if outcome["state"] in ("new", "kept"):
            of(outcome["mentor"])[outcome["state"]].append(row["fellow_name"])
        elif outcome["state"] == "not_created":
            of(row["mentor"])["not_created"].append(row["fellow_name"])
    return found


def mentor_result(rows: list[dict], mentor_id: int) -> dict[str, list[str]]:
    return mentor_results(rows).get(mentor_id) or {"new": [], "kept": [], "not_created": []}


def mentor_result_line(found: dict[str, list[str]]) -> str:
    parts = []
    if found["new"]:
        parts.append(f"you will mentor {', '.join(found['new'])}")
    if found["kept"]:
        parts.append(f"your mentorship with {', '.join(found['kept'])} continues")
    if found["not_created"]:
        parts.append(f"no new mentorship with {', '.join(found['not_created'])}, who could not take it")
    return "; ".join(parts) or NOT_MATCHED


def _notify_results(matching_round: MatchingRound, rows: list[dict], created: dict) -> None:
    """Tell each participant what publishing made of them: never "not matched" to one who has a mentor, and
    that the round closed early when it did."""
    users = {u.id: u for u in db.session.scalars(select(User).join(Participant, Participant.user_id == User.id)
                                                 .where(Participant.round_id == matching_round.id))}
    by_fellow = {row["fellow"]: row for row in rows}
    by_mentor = mentor_results(rows)
    body, early = "", ""
    if matching_round.closed_early:
        early = " (the round closed early)"
        body = (f"The round closed early: its results were published on {matching_round.published_at:%d %b %Y}, "
                f"before its ranking deadline of {matching_round.deadline:%d %b %Y, %H:%M} UTC, so lists could "
                "no longer change from then.")
    for user_id, user in users.items():
        row = by_fellow.get(user_id)
        if row is not None:
            line = fellow_result_line(matching_round, row)
            link = url_for("mentorship.workspace", mentorship_id=created[user_id].id) if user_id in created \
                else _round_link(matching_round)
        else:
            found = by_mentor.get(user_id) or {"new": [], "kept": [], "not_created": []}
            line = mentor_result_line(found)
            link = url_for("mentorship.index") if found["new"] or found["kept"] else _round_link(matching_round)
        title = f"“{matching_round.title}” is published: {line}" if line == NOT_MATCHED \
            else f"“{matching_round.title}”: {line}"
        notify_members([user], "matching-result", title + early, link, target_type="matching_round",
                       target_id=matching_round.id, mail_subject=f"Matching results: {matching_round.title}",
                       mail_template="matching_event", body=body)


def export_csv(run: MatchingRun) -> str:
    """The run's pairs as CSV, one row per fellow."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["fellow", "mentor", "fellow's rank of mentor", "mentor's rank of fellow", "score", "fit",
                     "pinned", "explanation"])
    for pair in run.pairs:
        writer.writerow([_cell(pair["fellow_name"]), _cell(pair["mentor_name"] or ""), pair["fellow_rank"] or "",
                         pair["mentor_rank"] or "", pair["score"], pair["fit"] if pair["fit"] is not None else "",
                         "yes" if pair["pinned"] else "", _cell(pair["why"])])
    return out.getvalue()


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas in names (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text



# -- what each page reads -------------------------------------------------------------------------


def pool_for_fellow(matching_round: MatchingRound, fellow: User) -> list[dict]:
    """The pool's mentors with their fit for this fellow and the reasons, best fit first (four queries).

    A mentor's location counts only where the fellow may see it (the reasons and the fit would tell it)."""
    mentors = db.session.execute(select(Participant.user_id, Participant.capacity)
                                 .where(Participant.round_id == matching_round.id, Participant.side == Side.MENTOR)
                                 ).all()
    ids = [m.user_id for m in mentors] + [fellow.id]
    details = _people(ids, viewer_id=fellow.id)
    interests = _interests(ids)
    mentee = _mentee(details[fellow.id], interests, location_seen=True)  # the fellow's own
    kind = matching_round.type.value
    rows = []
    for mentor_id, capacity in mentors:
        person = details.get(mentor_id)
        if person is None:
            continue
        mentor = _mentor(person, kind, capacity, interests, person.location_reaches_others)
        result = score(mentee, mentor, kind)
        rows.append({"id": mentor_id, "name": person.name, "role": person.role, "capacity": capacity,
                     "fit": result.score if result else 0,
                     "reasons": "; ".join(r for r in result.reasons if "places free" not in r) if result else ""})
    rows.sort(key=lambda r: (-r["fit"], r["name"].lower(), r["id"]))
    return rows


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
    """(override id, kind, fellow name, mentor name) in one query."""
    fellow, mentor = aliased(User), aliased(User)
    return db.session.execute(select(Override.id, Override.kind, fellow.name, mentor.name)
                              .join(fellow, fellow.id == Override.fellow_id)
                              .join(mentor, mentor.id == Override.mentor_id)
                              .where(Override.round_id == matching_round.id).order_by(Override.id)).all()
