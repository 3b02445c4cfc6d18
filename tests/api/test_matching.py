"""Matching rounds over the API, against the preview page: a round's status and participation, its runs, a run's
preview with every pair's reason, and the export (the page's CSV as JSON, or the CSV itself); those who take part
but do not run the round are refused, others find nothing; every list keeps its query budget."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.matching.models import MatchingRound, MatchingRun, RunStatus, round_cohort
from network.matching.services import runs as run_service
from network.types import utcnow
from tests.api.helpers import bearer, issue_token
from tests.test_matching_rounds import prepared_round, world  # noqa: F401  (world is a fixture)
from tests.test_programs import make_program


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


@pytest.fixture
def ran(app, login, world):  # noqa: F811
    """The prepared round of ``tests/test_matching_rounds.py`` with one run, started from its preview page."""
    director, round_id = prepared_round(app, login, world)
    assert director.post(f"/matching/{round_id}/runs").status_code == 302
    with app.app_context():
        run = db.session.scalars(select(MatchingRun).where(MatchingRun.round_id == round_id)).one()
        assert run.status == RunStatus.DONE
        run_id = run.id
    return {**world, "page": director, "round": round_id, "run": run_id,
            "token": bearer(issue_token(app, world["director"], "read"))}


def test_a_round_and_its_run_are_as_the_preview_page_shows_them(app, ran):
    client, token = app.test_client(), ran["token"]
    base = f"/api/v1/matching-rounds/{ran['round']}"
    listed = client.get("/api/v1/matching-rounds", headers=token).json
    assert [r["id"] for r in listed] == [ran["round"]]
    shown = client.get(base, headers=token).json
    assert shown["status"] == "open" and shown["lists_open"] is True and "published_at" not in shown
    assert shown["participation"] == {"fellows": 3, "ranked": 3, "mentors": 3, "places": 3, "reviewed": 3,
                                      "unanswered": 0}
    assert [c["id"] for c in shown["cohorts"]] == [ran["cohort"]]
    runs = client.get(f"{base}/runs", headers=token).json
    assert [r["id"] for r in runs] == [ran["run"]] and runs[0]["status"] == "done" and "error" not in runs[0]
    preview = client.get(f"{base}/runs/{ran['run']}", headers=token)
    page = ran["page"].get(f"/matching/{ran['round']}/preview?run={ran['run']}").get_data(as_text=True)
    summary = preview.json["summary"]
    assert f"{summary['coverage']}% ({summary['matched']} of {summary['fellows']} fellows matched)" in page
    assert summary["blocking_pairs"] == 0 and preview.json["blocking"] == []
    pairs = preview.json["pairs"]
    with app.app_context():
        stored = db.session.get(MatchingRun, ran["run"]).pairs
    assert [(p["fellow"]["id"], p.get("mentor", {}).get("id"), p["why"]) for p in pairs] == \
        [(p["fellow"], p["mentor"], p["why"]) for p in stored]
    for pair in pairs:  # every pair's reason, as the page writes it
        assert pair["why"].replace("'", "&#39;") in page
        assert pair["fellow"]["name"] in page
    matched = [p for p in pairs if "mentor" in p]
    unmatched = [p for p in pairs if "mentor" not in p]
    assert len(matched) == 2 and len(unmatched) == 1 and "fellow_rank" not in unmatched[0]
    assert client.get(f"{base}/runs/{ran['run']}", headers={
        **token, "If-None-Match": preview.headers["ETag"]}).status_code == 304


def test_the_export_is_the_pages_csv_as_json_or_as_csv(app, ran):
    client, token = app.test_client(), ran["token"]
    url = f"/api/v1/matching-rounds/{ran['round']}/runs/{ran['run']}/export"
    page_csv = ran["page"].get(f"/matching/{ran['round']}/runs/{ran['run']}/export.csv")
    assert page_csv.status_code == 200
    rows = list(csv.reader(io.StringIO(page_csv.get_data(as_text=True))))[1:]
    exported = client.get(url, headers=token)
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    assert [[r["fellow"], r.get("mentor", ""), str(r.get("fellow_rank", "")), str(r.get("mentor_rank", "")),
             str(r["score"]), str(r.get("fit", "")), "yes" if r["pinned"] else "", r["explanation"]]
            for r in exported.json] == rows
    as_csv = client.get(url, headers={**token, "Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    assert as_csv.data == page_csv.data
    assert as_csv.headers["ETag"] != exported.headers["ETag"]
    assert "Accept" in as_csv.headers["Vary"] and "Authorization" in as_csv.headers["Vary"]
    assert client.get(url, headers={**token, "Accept": "text/csv",
                                    "If-None-Match": as_csv.headers["ETag"]}).status_code == 304


def test_a_queued_run_has_a_status_and_nothing_to_export(app, ran, monkeypatch):
    monkeypatch.setattr(run_service, "DIRECT_RUN_LIMIT", 2)
    assert ran["page"].post(f"/matching/{ran['round']}/runs").status_code == 302
    with app.app_context():
        queued = db.session.scalar(select(func.max(MatchingRun.id)))
    client, base = app.test_client(), f"/api/v1/matching-rounds/{ran['round']}/runs"
    preview = client.get(f"{base}/{queued}", headers=ran["token"]).json
    assert preview["status"] == "queued" and preview["progress"] == 0
    assert "pairs" not in preview and "summary" not in preview
    assert [r["id"] for r in client.get(base, headers=ran["token"]).json] == [queued, ran["run"]]
    refused = client.get(f"{base}/{queued}/export", headers=ran["token"])
    assert refused.status_code == 404 and "not finished" in refused.json["detail"]


def test_participants_are_refused_and_others_find_nothing(app, make_user, ran):
    client = app.test_client()
    base = f"/api/v1/matching-rounds/{ran['round']}"
    other = make_program(app, make_user, slug="other-program")["director"]
    for person, status in ((ran["fellows"][0], 403), (ran["mentors"][0], 403), (other, 404)):
        headers = bearer(issue_token(app, person))
        for url in (base, f"{base}/runs", f"{base}/runs/{ran['run']}", f"{base}/runs/{ran['run']}/export"):
            response = client.get(url, headers=headers)
            assert response.status_code == status, (person.name, url)
            assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/matching-rounds", headers=bearer(issue_token(app, ran["fellows"][0]))).status_code \
        == 403
    assert client.get("/api/v1/matching-rounds", headers=bearer(issue_token(app, other))).json == []
    assert client.get(f"/api/v1/matching-rounds/{ran['round'] + 1000}/runs/{ran['run']}",
                      headers=ran["token"]).status_code == 404


def bulk(app, ran, size: int) -> None:
    """Grow the director's rounds (each for their cohort) and the prepared round's runs to ``size`` each."""
    with app.app_context():
        base = db.session.get(MatchingRound, ran["round"])
        have = db.session.scalar(select(func.count()).select_from(MatchingRound))
        rounds = [MatchingRound(title=f"Bulk round {n}", type=base.type, algorithm=base.algorithm,
                                deadline=utcnow() + timedelta(days=7), created_by_id=ran["director"].id)
                  for n in range(have, size)]
        db.session.add_all(rounds)
        db.session.flush()
        if rounds:
            db.session.execute(round_cohort.insert(), [{"round_id": r.id, "cohort_id": ran["cohort"]} for r in rounds])
        have = db.session.scalar(select(func.count()).select_from(MatchingRun).filter_by(round_id=ran["round"]))
        db.session.add_all(MatchingRun(round_id=ran["round"], algorithm=base.algorithm, status=RunStatus.FAILED,
                                       error="Bulk", summary={}, pairs=[]) for _ in range(have, size))
        db.session.commit()


def test_every_list_keeps_its_query_budget(app, ran, count_queries):
    client = app.test_client()
    urls = ["/api/v1/matching-rounds?limit=100", f"/api/v1/matching-rounds/{ran['round']}/runs?limit=100",
            f"/api/v1/matching-rounds/{ran['round']}/runs/{ran['run']}/export"]
    counts = {}
    for size in (5, 500):
        bulk(app, ran, size)
        for url in urls:
            client.get(url, headers=ran["token"])  # the token's first use is written down once
            with count_queries() as queries:
                response = client.get(url, headers=ran["token"])
            assert response.status_code == 200, (url, response.json)
            if "export" not in url:
                assert len(response.json) == min(size, 100), (url, size)
            counts.setdefault(url, []).append(len(queries))
    for url, (small, large) in counts.items():
        assert small == large <= 8, (url, small, large)


def test_the_link_header_pages_through_every_run(app, ran):
    bulk(app, ran, 7)
    client, url, seen = app.test_client(), f"/api/v1/matching-rounds/{ran['round']}/runs?limit=3", []
    while url:
        response = client.get(url, headers=ran["token"])
        seen += [r["id"] for r in response.json]
        found = re.search(r"<([^>]+)>; rel=\"next\"", response.headers.get("Link", ""))
        url = found.group(1) if found else None
    with app.app_context():
        assert seen == db.session.scalars(select(MatchingRun.id).filter_by(round_id=ran["round"])
                                          .order_by(MatchingRun.id.desc())).all()
