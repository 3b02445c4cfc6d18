"""How a matching page loads its round for the viewer (404 for whoever may not know the round, 403 for
whoever knows it but may not run it), and a run or an override of that round."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.extensions import db
from network.matching.models import MatchingRound, MatchingRun, Override, Participant
from network.matching.queries.participation import participant
from network.permissions import can_manage_round, can_view_round


def round_or_404(round_id: int) -> MatchingRound:
    """The round with its cohorts, or 404."""
    return db.first_or_404(select(MatchingRound).where(MatchingRound.id == round_id)
                           .options(selectinload(MatchingRound.cohorts)))


def viewer(matching_round: MatchingRound) -> tuple[Participant | None, bool]:
    """(participant row or None, manages the round); 404 for those who may not know it."""
    entry = participant(matching_round, current_user)
    if not can_view_round(current_user, matching_round, entry):
        abort(404)
    return entry, can_manage_round(current_user, matching_round)


def managed_round(round_id: int) -> MatchingRound:
    """The round for its managers: 404 if the viewer may not know it, 403 if they may not run it."""
    matching_round = round_or_404(round_id)
    if not can_manage_round(current_user, matching_round):
        viewer(matching_round)  # 404 unless the viewer takes part or may join
        abort(403)
    return matching_round


def of_round_or_404(model: type[MatchingRun | Override], object_id: int, matching_round: MatchingRound):
    """A run or an override of ``matching_round`` by id, or 404 (another round's is not found here either)."""
    found = db.get_or_404(model, object_id)
    if found.round_id != matching_round.id:
        abort(404)
    return found
