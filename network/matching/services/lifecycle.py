"""A round's life: opened for cohorts (their fellows take part and are told), open to lists until its
deadline, locked for good when one run is published (mentorships created, every participant told).

``RoundError`` is the refusal every matching write raises, and ``must_be_open``/``must_take_lists`` the
checks of the round's state that the other writes make first.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import func, select, update

from network.audit.models import record
from network.extensions import db
from network.matching.models import Algorithm, MatchingRound, MatchingRun, Participant, RoundStatus, RunStatus, Side
from network.matching.queries.publishing import publish_plan
from network.matching.results import NOT_MATCHED, fellow_result_line, mentor_result_line, mentor_results
from network.members.models import MemberStatus, Role, User
from network.mentorship.models import MentoringType, MentorSettings, Mentorship
from network.notifications.services import notify_members
from network.permissions import can_manage_cohort
from network.programs.models import Cohort, CohortMembership, CohortRole
from network.types import utcnow


class RoundError(Exception):
    """A refused action; the message is for the member."""


def must_be_open(matching_round: MatchingRound) -> None:
    """Refuse any change to a published round."""
    if matching_round.status != RoundStatus.OPEN:
        raise RoundError("This round is published; nothing can change any more.")


def must_take_lists(matching_round: MatchingRound) -> None:
    """Refuse a change of lists once the round is published or its deadline has passed."""
    if matching_round.closed_early:
        raise RoundError(f"The round closed early on {matching_round.published_at:%d %b %Y}, before its deadline, "
                         "when its results were published; lists can no longer change.")
    must_be_open(matching_round)
    if not matching_round.is_open_at(utcnow()):
        raise RoundError("The deadline has passed; lists can no longer change.")


def _round_link(matching_round: MatchingRound) -> str:
    """The round's page, where a notification leads."""
    return url_for("matching.round_page", round_id=matching_round.id)


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


def publish(matching_round: MatchingRound, run: MatchingRun, user: User, *, close_early: bool = False) -> dict:
    """Turn the run's pairs into mentorships, tell every participant what became of them, and lock the round.

    Before the deadline the program must say ``close_early``: fellows were told they could change their
    lists until then, so everyone is told the round closed early."""
    must_be_open(matching_round)
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
