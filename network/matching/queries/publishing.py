"""What publishing a run would do now: each fellow's outcome read against today's mentorships and mentors'
places, who is told and how, and how many lists changed after the run (its confirmation page and
``publish`` read the same plan).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from network.audit.models import AuditLog
from network.extensions import db
from network.matching.models import MatchingRound, MatchingRun, Participant
from network.matching.queries.participation import active_mentors_of
from network.mentorship.models import MentorSettings
from network.notifications.kinds import Delivery
from network.notifications.services import deliveries
from network.types import utcnow

#: Audit actions that change what a run reads.
LIST_CHANGES = ("matching.ranking_saved", "matching.review_saved", "matching.pool_joined", "matching.pool_left",
                "matching.pin", "matching.forbid", "matching.pin_removed", "matching.forbid_removed")


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
