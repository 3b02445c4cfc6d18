"""What the participants of an open round say: a mentor joins the pool with a number of places (or leaves
it), a fellow ranks mentors of the pool, a mentor answers for the fellows who listed them. Until the
deadline; every change is audited, which the publish page counts as a list changed after a run.
"""

from __future__ import annotations

from sqlalchemy import delete

from network.audit.models import record
from network.extensions import db
from network.matching.models import Choice, MatchingRound, Participant, Side
from network.matching.queries.participation import fellow_choices, mentor_review, participant, pool
from network.matching.services.lifecycle import RoundError, must_take_lists
from network.members.models import User
from network.permissions import can_join_pool


def join_pool(matching_round: MatchingRound, user: User, capacity: int, accept_any: bool) -> Participant:
    """Offer to mentor in this round (or change my capacity); 0 places leaves the pool."""
    must_take_lists(matching_round)
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


def save_ranking(matching_round: MatchingRound, fellow: User, ranks: dict[int, int]) -> None:
    """Replace the fellow's list: ``ranks`` maps mentor id -> rank (1 = first); mentors' answers are kept."""
    must_take_lists(matching_round)
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


def save_review(matching_round: MatchingRound, mentor: User, answers: dict[int, str]) -> None:
    """The mentor's answer per fellow: "none" (no answer), "no", "yes" (acceptable, ordered by fit) or a
    rank "1", "2", ... (acceptable, in that order)."""
    must_take_lists(matching_round)
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
