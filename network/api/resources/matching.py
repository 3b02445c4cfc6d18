"""``/api/v1/matching-rounds``: matching rounds for the people who run them.

The rounds a member manages, a round's status and participation, its runs, a run's preview (figures, pairs with
the reason for each, blocking pairs) and a run's export (the page's CSV, as JSON or as CSV). The same rules as the
preview page, through the same functions: a round the caller may not know of is not found (404); one they take
part in, or may mentor in, but do not run is refused (403), as for ex-staff who still advise one of its cohorts.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort, request
from flask_login import current_user

from network.api.auth import scope
from network.api.blueprint import api_blueprint
from network.api.pagination import LINK_HEADER, PageArgs, keyset_page
from network.api.schemas import MemberRef, UTCDateTime
from network.downloads import private_file
from network.extensions import db
from network.matching.models import Algorithm, MatchingRound, MatchingRun, OverrideKind, RoundStatus, RunStatus
from network.matching.queries.participation import (
    managed_rounds,
    overrides_named,
    participants_named,
    round_counts,
    run_rows,
)
from network.matching.results import export_csv
from network.matching.routes.loading import managed_round, of_round_or_404
from network.mentorship.models import MentoringType
from network.permissions import can_list_programs
from network.types import utcnow

blp = api_blueprint("matching-rounds", __name__,
                    "Matching rounds you run: status, participation, runs, a run's preview with its reasons, and "
                    "its export.")

NOT_STAFF = "Matching rounds are run by faculty and administrators: this account runs none."
NOT_DONE = "This run has not finished: only a finished run has pairs to export."
CSV = "text/csv"

# -- schemas ---------------------------------------------------------------------


class RoundCohortSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    program_id = ma.fields.Integer(required=True)


class MatchingRoundSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    type = ma.fields.String(required=True, metadata={"enum": [kind.value for kind in MentoringType],
                                                     "description": "The kind of mentoring the round matches."})
    algorithm = ma.fields.String(required=True, metadata={"enum": [a.value for a in Algorithm]})
    status = ma.fields.String(required=True, metadata={"enum": [s.value for s in RoundStatus],
                                                       "description": "Publishing one run locks the round."})
    lists_open = ma.fields.Boolean(required=True, metadata={"description": "Open and before its deadline: lists "
                                                                          "can still change."})
    deadline = UTCDateTime(required=True)
    max_choices = ma.fields.Integer(required=True)
    no_answer_acceptable = ma.fields.Boolean(required=True, metadata={
        "description": "Whether a mentor's “no answer” counts as acceptable."})
    created_at = UTCDateTime(required=True)
    published_at = UTCDateTime(metadata={"description": "Present once published."})
    published_run_id = ma.fields.Integer(metadata={"description": "The run that was published, once published."})
    cohorts = ma.fields.List(ma.fields.Nested(RoundCohortSchema), required=True)


class RoundParticipationSchema(ma.Schema):
    fellows = ma.fields.Integer(required=True)
    ranked = ma.fields.Integer(required=True, metadata={"description": "Fellows who listed a mentor."})
    mentors = ma.fields.Integer(required=True, metadata={"description": "Mentors in the pool."})
    places = ma.fields.Integer(required=True, metadata={"description": "The pool's places."})
    reviewed = ma.fields.Integer(required=True, metadata={"description": "Mentors who accepted someone."})
    unanswered = ma.fields.Integer(required=True, metadata={"description": "Answers outstanding."})


class RoundOverrideSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": [k.value for k in OverrideKind]})
    fellow = ma.fields.Nested(MemberRef, required=True)
    mentor = ma.fields.Nested(MemberRef, required=True)


class MatchingRoundDetailSchema(MatchingRoundSchema):
    participation = ma.fields.Nested(RoundParticipationSchema, required=True)
    overrides = ma.fields.List(ma.fields.Nested(RoundOverrideSchema), required=True,
                               metadata={"description": "Pins and forbids for the next runs."})


class RunSummarySchema(ma.Schema):
    """A finished run's figures, as the preview page shows them."""

    fellows = ma.fields.Integer(required=True)
    mentors = ma.fields.Integer(required=True)
    places = ma.fields.Integer()
    kept = ma.fields.Integer(metadata={"description": "Fellows kept with the mentor they have."})
    needing = ma.fields.Integer(metadata={"description": "Fellows who need a mentor."})
    matched = ma.fields.Integer(required=True)
    coverage = ma.fields.Float(required=True, metadata={"description": "Percent of the fellows needing a mentor."})
    first_choice = ma.fields.Float(metadata={"description": "Percent who got their first choice."})
    top_three = ma.fields.Float(metadata={"description": "Percent who got a top-3 choice."})
    mean_rank = ma.fields.Float(metadata={"description": "Absent when nobody was matched."})
    total_score = ma.fields.Integer()
    blocking_pairs = ma.fields.Integer()
    pins = ma.fields.Integer()
    forbids = ma.fields.Integer()


SUMMARY_FIELDS = tuple(RunSummarySchema().fields)


class MatchingRunSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    algorithm = ma.fields.String(required=True, metadata={"enum": [a.value for a in Algorithm]})
    status = ma.fields.String(required=True, metadata={"enum": [s.value for s in RunStatus]})
    progress = ma.fields.Integer(required=True, metadata={"description": "Percent, while queued or running."})
    created_at = UTCDateTime(required=True)
    published = ma.fields.Boolean(required=True, metadata={"description": "This is the round's published run."})
    summary = ma.fields.Nested(RunSummarySchema, metadata={"description": "Present once done."})
    error = ma.fields.String(metadata={"description": "Why it failed; present only then."})


class RunPairSchema(ma.Schema):
    fellow = ma.fields.Nested(MemberRef, required=True)
    mentor = ma.fields.Nested(MemberRef, metadata={"description": "Absent when the fellow is unmatched."})
    fellow_rank = ma.fields.Integer(metadata={"description": "The fellow's rank of the mentor, when listed."})
    mentor_rank = ma.fields.Integer(metadata={"description": "The mentor's rank of the fellow, when accepted."})
    score = ma.fields.Integer(required=True)
    fit = ma.fields.Integer(metadata={"description": "0 to 100, for a matched pair."})
    pinned = ma.fields.Boolean(required=True)
    kept = ma.fields.Boolean(required=True, metadata={"description": "An active mentorship kept as is."})
    why = ma.fields.String(required=True, metadata={"description": "The reason, in words."})


class BlockingPairSchema(ma.Schema):
    fellow = ma.fields.Nested(MemberRef, required=True)
    mentor = ma.fields.Nested(MemberRef, required=True)


class MatchingRunPreviewSchema(MatchingRunSchema):
    pairs = ma.fields.List(ma.fields.Nested(RunPairSchema), metadata={
        "description": "One row per fellow, matched or not, once done."})
    blocking = ma.fields.List(ma.fields.Nested(BlockingPairSchema), metadata={
        "description": "Pairs who would both rather be together (at most 50), once done."})


class RunExportRowSchema(ma.Schema):
    """A row of the run's export: the columns of the preview page's CSV."""

    fellow_id = ma.fields.Integer(required=True)
    fellow = ma.fields.String(required=True)
    mentor_id = ma.fields.Integer(metadata={"description": "Absent when the fellow is unmatched."})
    mentor = ma.fields.String(metadata={"description": "Absent when the fellow is unmatched."})
    fellow_rank = ma.fields.Integer()
    mentor_rank = ma.fields.Integer()
    score = ma.fields.Integer(required=True)
    fit = ma.fields.Integer()
    pinned = ma.fields.Boolean(required=True)
    explanation = ma.fields.String(required=True)


# -- what the schemas are built from ---------------------------------------------


def _present(values: dict) -> dict:
    """``values`` without the keys whose value is None: what does not apply is absent."""
    return {key: value for key, value in values.items() if value is not None}


def _round_fields(matching_round: MatchingRound) -> dict:
    return _present({
        "id": matching_round.id, "title": matching_round.title, "type": matching_round.type.value,
        "algorithm": matching_round.algorithm.value, "status": matching_round.status.value,
        "lists_open": matching_round.is_open_at(utcnow()), "deadline": matching_round.deadline,
        "max_choices": matching_round.max_choices, "no_answer_acceptable": matching_round.no_answer_acceptable,
        "created_at": matching_round.created_at, "published_at": matching_round.published_at,
        "published_run_id": matching_round.published_run_id,
        "cohorts": [{"id": c.id, "name": c.name, "program_id": c.program_id} for c in matching_round.cohorts]})


def _run_fields(run, matching_round: MatchingRound) -> dict:
    """A run (a ``MatchingRun`` or a row of ``run_rows``) without its pairs."""
    fields = {"id": run.id, "algorithm": run.algorithm.value, "status": run.status.value, "progress": run.progress,
              "created_at": run.created_at, "published": matching_round.published_run_id == run.id}
    if run.status == RunStatus.DONE and run.summary:
        fields["summary"] = _present({key: run.summary.get(key) for key in SUMMARY_FIELDS})
    if run.status == RunStatus.FAILED:
        fields["error"] = run.error or "The run failed."
    return fields


def _pair_fields(pair: dict) -> dict:
    fields = _present({"fellow": {"id": pair["fellow"], "name": pair["fellow_name"]},
                       "fellow_rank": pair["fellow_rank"], "mentor_rank": pair["mentor_rank"],
                       "score": pair["score"], "fit": pair["fit"], "pinned": bool(pair["pinned"]),
                       "kept": bool(pair.get("kept")), "why": pair["why"]})
    if pair["mentor"] is not None:
        fields["mentor"] = {"id": pair["mentor"], "name": pair["mentor_name"]}
    return fields


def _export_fields(pair: dict) -> dict:
    """A pair as the CSV export's row (``network.matching.results.export_csv``), with the members' ids."""
    return _present({"fellow_id": pair["fellow"], "fellow": pair["fellow_name"], "mentor_id": pair["mentor"],
                     "mentor": pair["mentor_name"], "fellow_rank": pair["fellow_rank"],
                     "mentor_rank": pair["mentor_rank"], "score": pair["score"], "fit": pair["fit"],
                     "pinned": bool(pair["pinned"]), "explanation": pair["why"]})


def _round_and_run(round_id: int, run_id: int) -> tuple[MatchingRound, MatchingRun]:
    """The round (404 / 403 as its preview page) and its run (404 for another round's)."""
    matching_round = managed_round(round_id)
    return matching_round, of_round_or_404(MatchingRun, run_id, matching_round)


# -- operations ------------------------------------------------------------------


@blp.route("")
@scope("read")
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, MatchingRoundSchema(many=True), headers=LINK_HEADER)
@blp.alt_response(403, response="FORBIDDEN", description="Not faculty or an administrator.")
def rounds(args):
    """The rounds you run, newest first (every round for administrators).

    Faculty and administrators only, as the programs they run (403 for fellows and alumni, who take part in
    rounds on their pages)."""
    if not can_list_programs(current_user):
        abort(403, NOT_STAFF)
    page = keyset_page(db.session, managed_rounds(current_user),
                       [(MatchingRound.created_at, True), (MatchingRound.id, True)],
                       lambda r: (r.created_at, r.id), args)
    return [_round_fields(matching_round) for matching_round in page.items], 200, page.headers


@blp.route("/<int:round_id>")
@scope("read")
@blp.etag
@blp.response(200, MatchingRoundDetailSchema)
@blp.alt_response(403, response="FORBIDDEN", description="You take part in the round (or may) but do not run it.")
@blp.alt_response(404, response="NOT_FOUND", description="No such round, or none you may know of.")
def round_status(round_id: int):
    """A round's status, participation, pins and forbids, as its preview page shows them."""
    matching_round = managed_round(round_id)
    overrides = [{"id": o.id, "kind": o.kind.value, "fellow": {"id": o.fellow_id, "name": o[2]},
                  "mentor": {"id": o.mentor_id, "name": o[3]}} for o in overrides_named(matching_round)]
    return {**_round_fields(matching_round), "participation": round_counts(matching_round), "overrides": overrides}


@blp.route("/<int:round_id>/runs")
@scope("read")
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, MatchingRunSchema(many=True), headers=LINK_HEADER)
@blp.alt_response(403, response="FORBIDDEN", description="You take part in the round (or may) but do not run it.")
@blp.alt_response(404, response="NOT_FOUND", description="No such round, or none you may know of.")
def runs(args, round_id: int):
    """The round's runs, newest first, with their figures (every run is kept)."""
    matching_round = managed_round(round_id)
    page = keyset_page(db.session, run_rows(matching_round), [(MatchingRun.id, True)], lambda r: (r.id,), args,
                       scalars=False)
    return [_run_fields(run, matching_round) for run in page.items], 200, page.headers


@blp.route("/<int:round_id>/runs/<int:run_id>")
@scope("read")
@blp.etag
@blp.response(200, MatchingRunPreviewSchema)
@blp.alt_response(403, response="FORBIDDEN", description="You take part in the round (or may) but do not run it.")
@blp.alt_response(404, response="NOT_FOUND", description="No such run of this round, or no round you may know of.")
def run_preview(round_id: int, run_id: int):
    """A run's preview, as the preview page shows it.

    Its status, and once done its figures, every fellow's pair with the reason, and the blocking pairs."""
    matching_round, run = _round_and_run(round_id, run_id)
    fields = _run_fields(run, matching_round)
    if run.status == RunStatus.DONE:
        fields["pairs"] = [_pair_fields(pair) for pair in run.pairs]
        blocking = run.summary.get("blocking") or []
        names = {p.user_id: p.name for p in participants_named(matching_round)} if blocking else {}
        fields["blocking"] = [{"fellow": {"id": f, "name": names.get(f, str(f))},
                               "mentor": {"id": m, "name": names.get(m, str(m))}} for f, m in blocking]
    return fields


@blp.route("/<int:round_id>/runs/<int:run_id>/export")
@scope("read")
@blp.etag
@blp.response(200, RunExportRowSchema(many=True))
@blp.doc(responses={200: {"content": {CSV: {"schema": {"type": "string"},
                                              "example": "fellow,mentor,fellow's rank of mentor,..."}}}})
@blp.alt_response(403, response="FORBIDDEN", description="You take part in the round (or may) but do not run it.")
@blp.alt_response(404, response="NOT_FOUND", description="No such finished run of this round, or no round you "
                                                         "may know of.")
def export(round_id: int, run_id: int):
    """A finished run's pairs, one row per fellow, as the preview page's export.

    JSON by default; `Accept: text/csv` gives the page's CSV file itself."""
    matching_round, run = _round_and_run(round_id, run_id)
    if run.status != RunStatus.DONE:
        abort(404, NOT_DONE)
    if request.accept_mimetypes.best_match(["application/json", CSV]) == CSV:
        blp.set_etag([CSV, run.id, run.pairs])
        response = private_file(export_csv(run), CSV, f"matching-round-{matching_round.id}-run-{run.id}.csv")
        response.headers["Vary"] = "Accept"
        return response
    return [_export_fields(pair) for pair in run.pairs], 200, {"Vary": "Accept"}
