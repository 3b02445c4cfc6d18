"""Matching rounds through the routes: open, rank, review, preview with reasons, pin and forbid, runs kept,
publish into mentorships with notifications, CSV, the CLI and the queue, who may see what, query budgets."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from network.extensions import db
from network.matching.models import Choice, MatchingRound, MatchingRun, Participant, RunStatus
from network.mentorship.models import MentorSettings, Mentorship
from network.notifications.models import Notification
from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramStaff
from network.types import utcnow
from tests.conftest import outbox
from tests.html_checks import check_page


def add_program(app, slug="northbridge"):
    with app.app_context():
        program = Program(slug=slug, name=f"{slug.title()} Pain Fellowship", institution=f"{slug.title()} Hospital")
        db.session.add(program)
        db.session.flush()
        from datetime import date

        current = Cohort(program_id=program.id, name="Class of 2027", start_date=date(2026, 7, 1),
                         end_date=date(2027, 6, 30))
        past = Cohort(program_id=program.id, name="Class of 2026", start_date=date(2025, 7, 1),
                      end_date=date(2026, 6, 30), graduated_at=utcnow())
        db.session.add_all([current, past])
        db.session.commit()
        return program.id, current.id, past.id


def join(app, cohort_id, member, role):
    with app.app_context():
        db.session.add(CohortMembership(cohort_id=cohort_id, user_id=member.id, role=CohortRole(role)))
        db.session.commit()


def add_staff(app, program_id, member, role="director"):
    """``member`` runs the program (its rounds, cohorts and dashboard)."""
    with app.app_context():
        db.session.add(ProgramStaff(program_id=program_id, user_id=member.id, role=role))
        db.session.commit()


@pytest.fixture
def world(app, make_user):
    """A program with a faculty director (its staff and an advisor of the current class), three current
    fellows and three alumni of the past class."""
    program, current, past = add_program(app)
    director = make_user(role="faculty", name="Dr. Director")
    add_staff(app, program, director)
    join(app, current, director, "faculty")
    fellows = [make_user(role="fellow", name=f"Dr. Fellow {n}") for n in (1, 2, 3)]
    for fellow in fellows:
        join(app, current, fellow, "fellow")
    mentors = [make_user(role="alumni", name=f"Dr. Mentor {n}") for n in (1, 2, 3)]
    for mentor in mentors:
        join(app, past, mentor, "fellow")
    return {"cohort": current, "director": director, "fellows": fellows, "mentors": mentors}


def open_round(app, login, director, cohort_id, **fields):
    client = login(app.test_client(), director)
    deadline = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "Research mentors 2027", "cohorts": [str(cohort_id)], "type": "research",
            "algorithm": "stable", "deadline": deadline, "max_choices": "10", **fields}
    response = client.post("/matching/new", data=data)
    assert response.status_code == 302, response.data
    round_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return client, round_id


def prepared_round(app, login, world, algorithm="stable"):
    """Open a round; every mentor joins with one place; fellows rank; mentors accept everyone who listed them."""
    director_client, round_id = open_round(app, login, world["director"], world["cohort"], algorithm=algorithm)
    f1, f2, f3 = world["fellows"]
    m1, m2, m3 = world["mentors"]
    for mentor in (m1, m2, m3):
        response = login(app.test_client(), mentor).post(f"/matching/{round_id}/pool",
                                                         data={"pool-capacity": "1"})
        assert response.status_code == 302, response.data
    # Everyone wants mentor 1; fellow 3 wants nobody else.
    rankings = [(f1, [m1, m2]), (f2, [m1, m3]), (f3, [m1])]
    for fellow, wanted in rankings:
        data = {f"rank-{m.id}": str(n) for n, m in enumerate(wanted, 1)}
        response = login(app.test_client(), fellow).post(f"/matching/{round_id}/ranking", data=data)
        assert response.status_code == 302, response.data
    # Mentor 1 ranks fellow 2 first, then fellow 1, and does not accept fellow 3.
    login(app.test_client(), m1).post(f"/matching/{round_id}/review", data={
        f"answer-{f2.id}": "1", f"answer-{f1.id}": "2", f"answer-{f3.id}": "no"})
    login(app.test_client(), m2).post(f"/matching/{round_id}/review", data={f"answer-{f1.id}": "yes"})
    login(app.test_client(), m3).post(f"/matching/{round_id}/review", data={f"answer-{f2.id}": "yes"})
    return director_client, round_id


def test_a_round_from_opening_to_publishing(app, login, world):
    f1, f2, f3 = world["fellows"]
    m1, m2, m3 = world["mentors"]
    director, round_id = prepared_round(app, login, world)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.kind == "matching-opened")) == 3
    # The fellow's page: the pool with fit, and their saved ranks.
    page = login(app.test_client(), f1).get(f"/matching/{round_id}")
    assert page.status_code == 200 and check_page(page.data) == []
    text = page.data.decode()
    assert "Dr. Mentor 1" in text and "Dr. Mentor 3" in text and "Your rank for Dr. Mentor 2" in text
    # The mentor sees who listed them, not how they were ranked.
    review = login(app.test_client(), m1).get(f"/matching/{round_id}")
    assert review.status_code == 200 and check_page(review.data) == []
    assert "Dr. Fellow 3" in review.data.decode()

    assert director.post(f"/matching/{round_id}/runs").status_code == 302
    preview = director.get(f"/matching/{round_id}/preview")
    assert preview.status_code == 200 and check_page(preview.data) == []
    text = preview.data.decode()
    # Mentor 1 takes fellow 2 (ranked first); fellow 1 falls to mentor 2; fellow 3 listed only mentor 1.
    assert "66.7% (2 of 3 fellows matched)" in text
    assert "Dr. Mentor 1 was Dr. Fellow 2&#39;s 1st choice" in text
    assert "Higher choices: Dr. Mentor 1 was full with fellows they ranked higher" in text
    assert "Dr. Fellow 3</strong>: Nobody acceptable" in text
    assert "Blocking pairs</dt><dd class=\"col-sm-8\">0 (stable)" in text

    # Pin fellow 3 to mentor 3 and run again: both runs are kept.
    response = director.post(f"/matching/{round_id}/overrides", data={
        "override-fellow": str(f3.id), "override-mentor": str(m3.id), "override-kind": "pin"})
    assert response.status_code == 302
    director.post(f"/matching/{round_id}/runs")
    with app.app_context():
        runs = db.session.scalars(select(MatchingRun).where(MatchingRun.round_id == round_id)
                                  .order_by(MatchingRun.id)).all()
        assert len(runs) == 2
        second = runs[1]
        by_fellow = {p["fellow"]: p for p in second.pairs}
        assert by_fellow[f3.id]["mentor"] == m3.id and by_fellow[f3.id]["pinned"]
        assert by_fellow[f2.id]["mentor"] == m1.id and by_fellow[f1.id]["mentor"] == m2.id
        run_id = second.id
    text = director.get(f"/matching/{round_id}/preview").data.decode()
    assert "Pinned by faculty" in text and "100.0% (3 of 3 fellows matched)" in text

    exported = director.get(f"/matching/{round_id}/runs/{run_id}/export.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.data.decode())))
    assert rows[0][:2] == ["fellow", "mentor"] and len(rows) == 4
    assert rows[[r[0] for r in rows].index("Dr. Fellow 3")][:2] == ["Dr. Fellow 3", "Dr. Mentor 3"]

    assert director.post(f"/matching/{round_id}/publish", data={"run_id": str(run_id), "confirm": "yes",
                                                                "close_early": "yes"}).status_code == 302
    with app.app_context():
        made = {(m.mentee_id, m.mentor_id) for m in db.session.scalars(select(Mentorship))}
        assert made == {(f2.id, m1.id), (f1.id, m2.id), (f3.id, m3.id)}
        assert db.session.get(MentorSettings, m1.id).active_mentees == 1
    mails = outbox(app, "matching-result")
    assert len(mails) == 6  # three fellows and three mentors
    to_fellow = next(m for m in mails if m.recipient == f2.email)
    assert "Dr. Mentor 1 is your research mentor" in to_fellow.text_body
    to_mentor = next(m for m in mails if m.recipient == m1.email)
    assert "you will mentor Dr. Fellow 2" in to_mentor.text_body
    # The fellow sees the new mentor; the round is locked.
    fellow_page = login(app.test_client(), f2).get(f"/matching/{round_id}").data.decode()
    assert "Your research mentor is <strong>Dr. Mentor 1</strong>" in fellow_page
    assert "Dr. Mentor 1" in login(app.test_client(), f2).get("/mentorship/").data.decode()
    late = login(app.test_client(), f1).post(f"/matching/{round_id}/ranking", data={f"rank-{m1.id}": "1"})
    assert late.status_code == 409
    assert director.post(f"/matching/{round_id}/runs").status_code == 303
    with app.app_context():
        from network.audit.models import AuditLog

        actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.target_type == "matching_round")))
        assert {"matching.round_opened", "matching.pool_joined", "matching.ranking_saved", "matching.review_saved",
                "matching.run_started", "matching.pin", "matching.published"} <= actions


def test_optimal_rounds_maximise_the_total_and_forbids_keep_pairs_apart(app, login, world):
    f1, f2, _ = world["fellows"]
    m1, _m2, _ = world["mentors"]
    director, round_id = prepared_round(app, login, world, algorithm="optimal")
    director.post(f"/matching/{round_id}/overrides", data={
        "override-fellow": str(f2.id), "override-mentor": str(m1.id), "override-kind": "forbid"})
    director.post(f"/matching/{round_id}/runs")
    with app.app_context():
        run = db.session.scalars(select(MatchingRun).where(MatchingRun.round_id == round_id)).one()
        by_fellow = {p["fellow"]: p["mentor"] for p in run.pairs}
    assert by_fellow[f2.id] != m1.id
    assert by_fellow[f1.id] == m1.id  # with fellow 2 kept away, fellow 1 gets their first choice
    text = director.get(f"/matching/{round_id}/preview").data.decode()
    assert "1 pinned" not in text and "0 pinned, 1 forbidden" in text
    # Fellow 1 found a research mentor elsewhere before publishing: that pair is skipped and named, and the
    # fellow is told their mentorship continues (not "not matched").
    with app.app_context():
        db.session.add(Mentorship(mentee_id=f1.id, mentor_id=world["director"].id, type="research"))
        db.session.commit()
        run_id = db.session.scalar(select(MatchingRun.id).where(MatchingRun.round_id == round_id))
    published = director.post(f"/matching/{round_id}/publish", data={"run_id": str(run_id), "confirm": "yes",
                                                                     "close_early": "yes"}, follow_redirects=True)
    assert ("Not created: Dr. Fellow 1 now has an active research mentorship with Dr. Director; "
            "no new mentorship with Dr. Mentor 1.") in published.data.decode()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Mentorship).where(
            Mentorship.mentee_id == f1.id)) == 1
    told = login(app.test_client(), f1).get(f"/matching/{round_id}").data.decode()
    assert "Your research mentorship with <strong>Dr. Director</strong> continues; the match had paired you " \
           "with Dr. Mentor 1" in told and "not matched" not in told


def test_bad_lists_are_refused_with_a_message(app, login, world):
    _, round_id = open_round(app, login, world["director"], world["cohort"], max_choices="2")
    fellow = world["fellows"][0]
    m1, m2, m3 = world["mentors"]
    for mentor in (m1, m2, m3):
        login(app.test_client(), mentor).post(f"/matching/{round_id}/pool", data={"pool-capacity": "2"})
    client = login(app.test_client(), fellow)
    same_rank = client.post(f"/matching/{round_id}/ranking", data={f"rank-{m1.id}": "1", f"rank-{m2.id}": "1"})
    assert same_rank.status_code == 400 and "one mentor only" in same_rank.data.decode()
    too_many = client.post(f"/matching/{round_id}/ranking", data={f"rank-{m1.id}": "1", f"rank-{m2.id}": "2",
                                                                  f"rank-{m3.id}": "3"})
    assert too_many.status_code == 400 and "Ranks go from 1 to 2" in too_many.data.decode()
    outsider = client.post(f"/matching/{round_id}/ranking", data={f"rank-{world['director'].id}": "1"})
    assert outsider.status_code == 400 and "pool" in outsider.data.decode()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Choice)) == 0
    # Past the deadline nothing changes.
    with app.app_context():
        db.session.execute(update(MatchingRound).values(deadline=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    late = client.post(f"/matching/{round_id}/ranking", data={f"rank-{m1.id}": "1"})
    assert late.status_code == 409 and "deadline has passed" in late.data.decode()


def test_opening_a_round_validates_the_form(app, login, world, make_user):
    client = login(app.test_client(), world["director"])
    page = client.get("/matching/new")
    assert page.status_code == 200 and check_page(page.data) == []
    assert "Class of 2027" in page.data.decode() and "Class of 2026" not in page.data.decode()
    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post("/matching/new", data={"title": "", "deadline": past, "type": "research",
                                             "algorithm": "stable", "max_choices": "40"})
    assert bad.status_code == 400
    text = bad.data.decode()
    assert "Give the round a title" in text and "at least one cohort" in text and "in the future" in text
    assert "between 1 and 20" in text
    # Faculty of another program cannot open a round for this cohort.
    other_program, other_cohort, _ = add_program(app, "lakeshore")
    stranger = make_user(role="faculty")
    add_staff(app, other_program, stranger)
    join(app, other_cohort, stranger, "faculty")
    deadline = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    refused = login(app.test_client(), stranger).post("/matching/new", data={
        "title": "Not mine", "cohorts": [str(world["cohort"])], "type": "research", "algorithm": "stable",
        "deadline": deadline, "max_choices": "10"})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MatchingRound)) == 0


def test_who_may_see_and_run_a_round(app, login, world, make_user):
    _director, round_id = prepared_round(app, login, world)
    fellow = world["fellows"][0]
    other_program, other_cohort, other_past = add_program(app, "lakeshore")
    outsider_fellow = make_user(role="fellow")
    join(app, other_cohort, outsider_fellow, "fellow")
    outsider_faculty = make_user(role="faculty")
    add_staff(app, other_program, outsider_faculty)
    join(app, other_cohort, outsider_faculty, "faculty")
    outsider_alumni = make_user(role="alumni")
    join(app, other_past, outsider_alumni, "fellow")
    for member in (outsider_fellow, outsider_faculty, outsider_alumni):
        client = login(app.test_client(), member)
        assert client.get(f"/matching/{round_id}").status_code == 404
        assert client.get(f"/matching/{round_id}/preview").status_code == 404
        assert "Research mentors 2027" not in client.get("/matching/").data.decode()
    mine = login(app.test_client(), fellow)
    listing = mine.get("/matching/")
    assert check_page(listing.data) == [] and "Research mentors 2027" in listing.data.decode()
    assert "Open a round" not in listing.data.decode()
    assert mine.get(f"/matching/{round_id}/preview").status_code == 403
    assert mine.post(f"/matching/{round_id}/runs").status_code == 403
    assert mine.post(f"/matching/{round_id}/pool", data={"pool-capacity": "1"}).status_code == 403
    # An alumna of the program who has not joined may see the round to join its pool.
    newcomer = make_user(role="alumni")
    with app.app_context():
        program_id = db.session.get(Cohort, world["cohort"]).program_id
        past = db.session.scalar(select(Cohort.id).where(Cohort.name == "Class of 2026",
                                                         Cohort.program_id == program_id))
    join(app, past, newcomer, "fellow")
    assert "Join the pool" in login(app.test_client(), newcomer).get(f"/matching/{round_id}").data.decode()
    admin = login(app.test_client(), make_user(role="admin"))
    assert admin.get(f"/matching/{round_id}/preview").status_code == 200


def test_the_cli_runs_a_round_and_large_rounds_queue_for_the_worker(app, login, world, runner, monkeypatch):
    director, round_id = prepared_round(app, login, world)
    result = runner.invoke(args=["matching", "run", str(round_id)])
    assert result.exit_code == 0, result.output
    assert "2 of 3 fellows matched" in result.output and "blocking pairs 0" in result.output
    assert runner.invoke(args=["matching", "run", "999"]).exit_code != 0

    from network.matching.services import runs

    monkeypatch.setattr(runs, "DIRECT_RUN_LIMIT", 2)
    assert director.post(f"/matching/{round_id}/runs").status_code == 302
    with app.app_context():
        queued = db.session.scalars(select(MatchingRun).order_by(MatchingRun.id.desc())).first()
        assert queued.status == RunStatus.QUEUED
        queued_id = queued.id
    page = director.get(f"/matching/{round_id}/preview?run={queued_id}")
    assert check_page(page.data) == []
    assert "This run is queued" in page.data.decode() and "js/matching.js" in page.data.decode()
    status = director.get(f"/matching/{round_id}/runs/{queued_id}/status")
    assert status.json == {"status": "queued", "progress": 0, "error": ""}
    worked = runner.invoke(args=["matching", "work", "--once"])
    assert worked.exit_code == 0 and "1 queued run processed" in worked.output
    assert director.get(f"/matching/{round_id}/runs/{queued_id}/status").json["status"] == "done"


@pytest.mark.parametrize("size", [3, 40])
def test_round_pages_keep_a_query_budget(app, login, world, make_user, count_queries, size):
    director, round_id = prepared_round(app, login, world)
    if size > 3:
        from tests.profiles_helpers import bulk_members

        extra_fellows = bulk_members(app, size, prefix="Dr. Bulk Fellow")
        extra_mentors = bulk_members(app, size, prefix="Dr. Bulk Mentor")
        with app.app_context():
            db.session.add_all(Participant(round_id=round_id, user_id=i, side="fellow") for i in extra_fellows)
            db.session.add_all(Participant(round_id=round_id, user_id=i, side="mentor", capacity=2)
                               for i in extra_mentors)
            db.session.add_all(Choice(round_id=round_id, fellow_id=f, mentor_id=m, fellow_rank=1 + n % 10,
                                      mentor_accepts=True)
                               for f in extra_fellows for n, m in enumerate(extra_mentors[:10]))
            db.session.commit()
    director.post(f"/matching/{round_id}/runs")
    fellow = login(app.test_client(), world["fellows"][0])
    mentor = login(app.test_client(), world["mentors"][0])
    pages = [(director, f"/matching/{round_id}/preview"), (director, "/matching/"),
             (director, "/matching/new"), (fellow, f"/matching/{round_id}"), (mentor, f"/matching/{round_id}"),
             (fellow, "/matching/")]
    for client, path in pages:
        client.get(path)  # warm up: the first request writes last_seen
        with count_queries() as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        assert len(queries) <= 12, (path, len(queries), "\n\n".join(q[:150] for q in queries))


def test_round_computation_explains_the_unmatched_and_counts_choices():
    from network.matching.rounds import RoundInput, run_round

    names = {"a": "Dr. A", "b": "Dr. B", "c": "Dr. C", "d": "Dr. D", "X": "Dr. X", "Y": "Dr. Y"}
    data = RoundInput(algorithm="stable", max_choices=3, names=names, fellows=["a", "b", "c", "d"],
                      capacity={"X": 1, "Y": 1},
                      fellow_lists={"a": ["X"], "b": ["X", "Y"], "c": ["Y"], "d": []},
                      mentor_lists={"X": ["b", "a"], "Y": ["b"]}, fit={("b", "X"): 50},
                      explain_fit=lambda f, m: "same time zone")
    summary, rows = run_round(data)
    why = {r["fellow"]: r["why"] for r in rows}
    assert {r["fellow"]: r["mentor"] for r in rows} == {"a": None, "b": "X", "c": None, "d": None}
    assert why["a"].startswith("All full: every mentor who accepted them filled their places with fellows")
    assert why["c"].startswith("Nobody acceptable")
    assert why["d"] == "Listed no mentor."
    assert why["b"] == ("Dr. X was Dr. B's 1st choice. Dr. X accepted Dr. B (placed 1st by fit). "
                        "Fit 50/100: same time zone. First choice.")
    assert summary["coverage"] == 25.0 and summary["first_choice"] == 25.0 and summary["blocking_pairs"] == 0
    assert summary["mean_rank"] == 1
