"""``/api/v1/matching-rounds``: as the matching preview pages answer each role.

``prepare`` opens a round for a cohort of a program the matrix's faculty member directs (and advises), with the
matrix's fellow in it, the alumna in its pool, a pin and a finished run. Ex-staff was taken off the program's
staff but still advises the cohort: they may mentor in the round, so they know it and are refused its management
(403), as on its preview page; the other program's director may not know it exists (404); the fellow and the
alumna take part and are refused (403). Listing the rounds one runs is for faculty and administrators.
"""

from __future__ import annotations

# The page matrix's round and run, the same world its preview pages are asked in.
from tests.matrix.matching import prepare  # noqa: F401


def runs(ok):
    return {"fellow": 403, "alumni": 403, "faculty": ok, "ex_staff": 403, "other_staff": 404, "admin": ok}


ROUND = {"round_id": "@round_id"}
RUN = {"round_id": "@round_id", "run_id": "@run_id"}

ROUTES = {
    ("api_matching_rounds.rounds", "GET"): ({}, None, {"fellow": 403, "alumni": 403, "faculty": 200,
                                                       "ex_staff": 200, "other_staff": 200, "admin": 200}),
    ("api_matching_rounds.round_status", "GET"): (ROUND, None, runs(200)),
    ("api_matching_rounds.runs", "GET"): (ROUND, None, runs(200)),
    ("api_matching_rounds.run_preview", "GET"): (RUN, None, runs(200)),
    ("api_matching_rounds.export", "GET"): (RUN, None, runs(200)),
}

