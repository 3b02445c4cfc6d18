"""``flask matching run ROUND_ID`` and ``flask matching work``: a round's match from the command line."""

from __future__ import annotations

import logging
import time

import click
from flask import current_app
from flask.cli import AppGroup

from network.audit.models import record
from network.extensions import db
from network.matching.models import MatchingRound, MatchingRun, RoundStatus, RunStatus
from network.matching.services.runs import claim_queued_run, execute_run
from network.text.words import plural
from network.types import utcnow

log = logging.getLogger(__name__)

matching_cli = AppGroup("matching", help="Matching rounds: run one now, or work through the queue.")


@matching_cli.command("run")
@click.argument("round_id", type=int)
def run_command(round_id: int):
    """Run a round's match now, whatever its size, and keep the run."""
    matching_round = db.session.get(MatchingRound, round_id)
    if matching_round is None:
        raise click.ClickException(f"No matching round {round_id}.")
    if matching_round.status != RoundStatus.OPEN:
        raise click.ClickException(f"Round {round_id} is published; it cannot run again.")
    with _cli_request():
        run = MatchingRun(round_id=round_id, algorithm=matching_round.algorithm, summary={}, pairs=[])
        db.session.add(run)
        db.session.flush()
        record(None, "matching.run_started", "matching_round", round_id, run_id=run.id, source="cli")
        execute_run(run)
        db.session.commit()
    if run.status == RunStatus.FAILED:
        raise click.ClickException(f"Run {run.id} failed: {run.error}")
    summary = run.summary
    click.echo(f"run {run.id} ({run.algorithm.value}): {run.matched_words} "
               f"({summary['coverage']}%), 1st choice {summary['first_choice']}%, top 3 {summary['top_three']}%, "
               f"blocking pairs {summary['blocking_pairs']}")


@matching_cli.command("work")
@click.option("--once", is_flag=True, help="Process the queued runs, then stop (otherwise wait for more).")
@click.option("--interval", default=5.0, help="Seconds between looks at the queue.")
def work_command(once: bool, interval: float):
    """Process queued runs of large rounds, oldest first."""
    while True:
        done = 0
        while (run := claim_queued_run()) is not None:
            with _cli_request():
                try:
                    execute_run(run, save_progress=db.session.commit)
                    db.session.commit()
                except Exception as error:  # keep the worker alive; the page shows the failure
                    log.exception("matching run %s failed", run.id)
                    db.session.rollback()
                    failed = db.session.get(MatchingRun, run.id)
                    failed.status, failed.error, failed.finished_at = RunStatus.FAILED, str(error)[:500], utcnow()
                    db.session.commit()
            click.echo(f"run {run.id} of round {run.round_id}: {run.status.value}")
            done += 1
        if once:
            click.echo(f"{plural(done, 'queued run')} processed")
            return
        time.sleep(interval)


def _cli_request():
    """A request context so services can build links; the audit entry has no address."""
    return current_app.test_request_context()
