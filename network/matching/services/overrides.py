"""The program's overrides of an open round: pin a fellow to a mentor of the pool (it takes one of the
mentor's places) or forbid a pair, for the next runs; and remove either.
"""

from __future__ import annotations

from sqlalchemy import select

from network.audit.models import record
from network.extensions import db
from network.matching.models import MatchingRound, Override, OverrideKind, Participant, Side
from network.matching.queries.participation import overrides
from network.matching.services.lifecycle import RoundError, must_be_open
from network.members.models import User


def add_override(matching_round: MatchingRound, user: User, fellow_id: int, mentor_id: int, kind: str) -> Override:
    """Pin (force) or forbid a pair in the next runs."""
    must_be_open(matching_round)
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
    """Remove a pin or a forbid from the next runs."""
    must_be_open(matching_round)
    record(user.id, f"matching.{override.kind.value}_removed", "matching_round", matching_round.id,
           fellow_id=override.fellow_id, mentor_id=override.mentor_id)
    db.session.delete(override)
