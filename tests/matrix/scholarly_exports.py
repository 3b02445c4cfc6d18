"""Access rows for the CV downloads and the ADS export.

A member's CV has no member in its URL: every verified member gets their own. The ADS export is a
program's: only its staff and administrators reach it; faculty who do not run the program (its former
staff member, another program's director) get 404, fellows and alumni 403 (the cohorts' rule)."""

from __future__ import annotations

from tests.matrix.cohorts import prepare as cohorts_prepare
from tests.matrix.cohorts import staff
from tests.matrix.common import LOGIN, PENDING, members

PROGRAM = {"slug": "@program_slug"}

ROUTES = {
    ("scholarly_exports.cv_download", "GET"): ({"extension": "pdf"}, members(LOGIN, PENDING, 200)),
    ("scholarly_exports.ads_page", "GET"): (PROGRAM, staff(200)),
    ("scholarly_exports.ads_csv", "GET"): (PROGRAM, staff(200)),
}

#: The cohorts area's program nobody in the matrix runs (its ex-staff ran it): the same hook, so a test that
#: prepares each area once makes that program once.
prepare = cohorts_prepare
