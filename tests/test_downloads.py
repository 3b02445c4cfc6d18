"""Every download of members' data: a Content-Disposition header that any name fits (RFC 6266 ``filename*``
with an ASCII fallback, so a cohort called "Research track 2025–26" downloads instead of dropping the
connection), and ``Cache-Control: no-store`` so no cache keeps a copy."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from sqlalchemy import String, cast, literal, update

from network.extensions import db
from network.matching.models import MatchingRound
from network.members.models import User
from network.opportunities.models import Opportunity
from network.programs.models import Cohort, Program
from network.urls import API_ROOT
from tests.conftest import sign_in_session
from tests.matrix import MATRIX
from tests.test_access_matrix import resolve_arguments

#: Every route that hands out a file of members' data, with the extension of its file.
DOWNLOADS = {
    "cohorts.export_roster": ".csv",
    "cohorts.export_mentorships": ".csv",
    "evaluation.export_csv": ".csv",
    "evaluation.export_xlsx": ".xlsx",
    "matching.export": ".csv",
    "opportunities.event_ics": ".ics",
    "opportunities.deadline_ics": ".ics",
    "opportunities.feed": ".ics",
    "profiles.export": ".zip",
    "scholarly_exports.ads_csv": ".csv",
    "scholarly_exports.cv_download": ".pdf",
}
NAME = "Research track 2025–26 · Ψ"


def parse_disposition(value: str) -> dict[str, str]:
    """``attachment; filename="a"; filename*=UTF-8''b`` as ``{"type": ..., "filename": ..., "filename*": ...}``."""
    kind, *params = [part.strip() for part in value.split(";")]
    parsed = {"type": kind}
    for param in params:
        key, _, raw = param.partition("=")
        parsed[key.strip().lower()] = raw.strip()
    return parsed


def test_every_file_route_is_listed(app):
    # (The JSON API's answers are resources, not files to save: its document and its JSON or CSV export.)
    files = {rule.endpoint for rule in app.url_map.iter_rules() if not rule.rule.startswith(API_ROOT + "/")
             and (rule.rule.endswith((".csv", ".ics", ".json"))
                  or any(word in rule.endpoint.rsplit(".", 1)[-1] for word in ("export", "download")))}
    assert files == set(DOWNLOADS)


@pytest.mark.parametrize("endpoint", sorted(DOWNLOADS))
def test_a_download_has_a_valid_name_header_and_is_not_cached(app, make_user, endpoint):
    from flask import url_for

    admin = make_user(role="admin", name=f"Dr. Zoë {NAME}")
    kwargs = resolve_arguments(MATRIX[(endpoint, "GET")][0], app, {"admin": admin}, make_user,
                               route=(endpoint, "GET"))
    with app.app_context():  # every name a file name could be made from, beyond Latin-1
        for model, column in ((Cohort, "name"), (Program, "name"), (MatchingRound, "title"),
                              (Opportunity, "title"), (User, "name")):
            unique = literal(NAME + " ", String) + cast(model.id, String)
            db.session.execute(update(model).values({column: unique}))
        db.session.commit()
    with app.test_request_context():
        url = url_for(endpoint, **kwargs)
    client = app.test_client()
    sign_in_session(client, app, admin)
    response = client.get(url)
    assert response.status_code == 200, url
    assert "no-store" in response.headers["Cache-Control"]
    disposition = response.headers.get("Content-Disposition")
    if endpoint == "opportunities.feed":  # a subscription address, read by calendar apps: no file name
        assert disposition is None
        return
    disposition.encode("ascii")  # a header a server can send: non-ASCII goes in filename*
    parsed = parse_disposition(disposition)
    assert parsed["type"] == "attachment"
    fallback = parsed["filename"].strip('"')
    assert fallback.endswith(DOWNLOADS[endpoint]) and "/" not in fallback
    name = fallback
    if "filename*" in parsed:
        charset, _, quoted = parsed["filename*"].partition("''")
        assert charset.upper() == "UTF-8"
        name = unquote(quoted, encoding="utf-8", errors="strict")
    assert name.endswith(DOWNLOADS[endpoint])
    if endpoint.startswith("cohorts."):
        assert "2025–26" in name and "ψ" in name.lower()
