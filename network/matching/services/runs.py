"""The engine's runs of a round: started by the program (computed at once for small rounds, queued for the
worker of ``flask matching work`` for large ones), computed from the round's input, every run kept.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from network.audit.models import record
from network.extensions import db
from network.matching.models import MatchingRound, MatchingRun, RunStatus
from network.matching.queries.fit import round_input
from network.matching.queries.participation import participant_count
from network.matching.rounds import run_round
from network.matching.services.lifecycle import must_be_open
from network.members.models import User
from network.types import utcnow

log = logging.getLogger(__name__)

#: Rounds with more participants than this run as a queued job (``flask matching work``).
DIRECT_RUN_LIMIT = 300


def start_run(matching_round: MatchingRound, user: User | None) -> MatchingRun:
    """A new run: computed now for small rounds, queued for ``flask matching work`` for large ones."""
    must_be_open(matching_round)
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
