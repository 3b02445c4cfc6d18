"""The cohort dashboard for a 500-fellow class against the profile page, the program's cockpit next to its bare
endpoint, and a 2,000-row roster import.

    .venv/bin/python benchmarks/cohorts.py [--fellows 500] [--rows 2000] [--seconds 3]

The dashboard computes everything per view (no cache): coverage, overdue flags, twelve months of
requests, meetings and posts, ratings. The SVG charts are separate requests, one is measured too.

The cockpit (``/programs/<id>/cockpit``, the director's home) runs next to its **bare endpoint**: a plain view in
the same app (``/_bench/bare/cockpit``, ``bare_cockpit`` below) that makes the same reads with the same function
(``network.cockpit.queries.cockpit``: coverage by class, the grouped counts, the open rounds, the overdue rows)
and returns them as JSON, with no session, permission check, template or navigation. The two are measured in
turns of 20 requests (``measure_side_by_side``) for twice ``--seconds``; the issue's target is 35%.
"""

from __future__ import annotations

import argparse
import io
import random
import time
from datetime import date, timedelta

from _common import bare_app, measure, measure_side_by_side, print_table, scratch_app, sign_in
from directory import seed
from flask import Blueprint, jsonify


def bare_cockpit() -> Blueprint:
    """The cockpit's reads as a plain view: the same function as the page, for the benchmark's program, each class
    as a dict, then ``jsonify``."""
    from dataclasses import asdict

    from sqlalchemy import select

    from network.access import public
    from network.cockpit import queries
    from network.extensions import db
    from network.programs.models import Program
    from network.types import utcnow

    bare = Blueprint("bench_cockpit_bare", __name__)

    @bare.route("/_bench/bare/cockpit")
    @public
    def cockpit():
        program_id = db.session.scalar(select(Program.id).where(Program.slug == "bench"))
        return jsonify([asdict(panel) for panel in queries.cockpit(program_id, utcnow())])

    return bare


def build_class(app, fellows: int) -> tuple[int, str, int]:
    """A program, its director and a class of ``fellows`` with mentorships, meetings and requests."""
    from sqlalchemy import insert, select, update

    from network.cohorts.models import Invitation
    from network.extensions import db
    from network.matching.models import Choice, MatchingRound, Participant
    from network.members.models import User
    from network.mentorship.models import Meeting, Mentorship, MentorshipRequest
    from network.programs.models import Cohort, CohortMembership, Program, ProgramStaff
    from network.types import utcnow

    rng = random.Random(500)
    now = utcnow()
    with app.app_context():
        ids = db.session.scalars(select(User.id).order_by(User.id)).all()
        director, mentors, class_ids = ids[0], ids[1:101], ids[101:101 + fellows]
        db.session.execute(update(User).where(User.id == director).values(role="faculty"))
        db.session.execute(update(User).where(User.id.in_(mentors)).values(role="alumni"))
        db.session.execute(update(User).where(User.id.in_(class_ids)).values(role="fellow"))
        program = Program(slug="bench", name="Bench Program", institution="Bench Hospital")
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(program_id=program.id, name="Class of 2027", start_date=date(2026, 7, 1),
                        end_date=date(2027, 6, 30))
        db.session.add(cohort)
        db.session.flush()
        db.session.add(ProgramStaff(program_id=program.id, user_id=director, role="director"))
        db.session.execute(insert(CohortMembership), [
            {"cohort_id": cohort.id, "user_id": uid, "role": "fellow", "joined_at": now} for uid in class_ids])
        rows = []
        for uid in class_ids:
            for kind in rng.sample(["research", "clinical", "career", "wellness"], rng.randint(0, 3)):
                rows.append({"mentee_id": uid, "mentor_id": rng.choice(mentors), "type": kind, "status": "active",
                             "started_at": now - timedelta(days=rng.randint(10, 300)), "cadence_days": 30,
                             "length_months": 12, "expectations": "", "closing_comment": "",
                             "last_met_on": date.today() - timedelta(days=rng.randint(1, 90))})
        db.session.execute(insert(Mentorship), rows)
        mentorships = db.session.scalars(select(Mentorship.id)).all()
        db.session.execute(insert(Meeting), [
            {"mentorship_id": m, "author_id": director, "met_on": date.today() - timedelta(days=rng.randint(1, 360)),
             "minutes": 45, "mode": "video", "topics": "", "notes": "private", "notes_private": False,
             "created_at": now} for m in mentorships for _ in range(4)])
        db.session.execute(insert(MentorshipRequest), [
            {"mentee_id": rng.choice(class_ids), "mentor_id": rng.choice(mentors), "type": "research", "message": "",
             "status": "declined", "response_note": "", "created_at": now - timedelta(days=rng.randint(1, 360))}
            for _ in range(fellows * 3)])
        # The cockpit's other lists: invitations never answered, and an open round half ranked.
        db.session.execute(insert(Invitation), [
            {"cohort_id": cohort.id, "email": f"invited{n}@bench.example.org", "name": "", "role": "fellow",
             "token_hash": f"{n:064d}", "status": "sent", "created_at": now, "sent_at": now,
             "expires_at": now + timedelta(days=3)} for n in range(fellows // 10)])
        matching_round = MatchingRound(title="Research round", type="research", algorithm="stable",
                                       deadline=now + timedelta(days=10), created_by_id=director)
        matching_round.cohorts = [cohort]
        db.session.add(matching_round)
        db.session.flush()
        db.session.execute(insert(Participant), [
            {"round_id": matching_round.id, "user_id": uid, "side": "fellow", "capacity": 0, "accept_any": False,
             "joined_at": now} for uid in class_ids] + [
            {"round_id": matching_round.id, "user_id": uid, "side": "mentor", "capacity": 5, "accept_any": False,
             "joined_at": now} for uid in mentors])
        db.session.execute(insert(Choice), [
            {"round_id": matching_round.id, "fellow_id": uid, "mentor_id": mentor, "fellow_rank": rank + 1}
            for uid in class_ids[: fellows // 2] for rank, mentor in enumerate(rng.sample(mentors, 3))])
        db.session.commit()
        email = db.session.scalar(select(User.email).where(User.id == director))
        return cohort.id, email, class_ids[0]


def time_import(client, cohort_id: int, rows: int) -> tuple[float, float]:
    """Seconds to upload and preview, and to import, ``rows`` new people."""
    data = ("name,email,role,training background\n" + "".join(
        f"Dr. Incoming {n},incoming{n}@bench.example.org,fellow,anesthesiology\n" for n in range(rows))).encode()
    started = time.perf_counter()
    staged = client.post(f"/cohorts/{cohort_id}/import", data={"roster": (io.BytesIO(data), "roster.csv")},
                         content_type="multipart/form-data")
    assert staged.status_code == 302, staged.status_code
    preview = client.get(staged.headers["Location"])
    assert preview.status_code == 200
    previewed = time.perf_counter()
    done = client.post(staged.headers["Location"])
    assert done.status_code == 302, done.status_code
    return previewed - started, time.perf_counter() - previewed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fellows", type=int, default=500)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    from sqlalchemy import event

    from network.extensions import db

    with scratch_app(MAIL_ECHO=False) as app:
        app.register_blueprint(bare_cockpit())
        started = time.perf_counter()
        seed(app, args.fellows + 200)
        cohort_id, email, fellow_id = build_class(app, args.fellows)
        print(f"seeded {args.fellows + 200:,} members and a class of {args.fellows} in "
              f"{time.perf_counter() - started:.1f}s")
        client = sign_in(app, email, "benchmark passphrase 2026")
        bare_rps, bare_ms = measure(bare_app().test_client(), "/", args.seconds)
        profile = measure(client, f"/members/{fellow_id}", args.seconds)
        rows = [("bare Flask endpoint", bare_rps, bare_ms), ("profile page", *profile)]
        for label, path in [(f"cohort dashboard ({args.fellows} fellows)", f"/cohorts/{cohort_id}/dashboard"),
                            ("coverage chart (SVG)", f"/cohorts/{cohort_id}/charts/coverage.svg"),
                            ("roster and invitations", f"/cohorts/{cohort_id}")]:
            rows.append((label, *measure(client, path, args.seconds)))
        print_table(rows, bare_rps)
        print(f"\ndashboard at {rows[2][1] / profile[0]:.0%} of the profile page's throughput")
        statements = []
        with app.app_context():
            engine = db.engine

        def listener(conn, cursor, statement, *rest):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", listener)
        client.get(f"/cohorts/{cohort_id}/dashboard").close()
        event.remove(engine, "before_cursor_execute", listener)
        print(f"dashboard queries per view: {len(statements)}")
        with app.app_context():
            from sqlalchemy import select

            from network.programs.models import Program

            program_id = db.session.scalar(select(Program.id).where(Program.slug == "bench"))
        cockpit_path = f"/programs/{program_id}/cockpit"
        statements.clear()
        event.listen(engine, "before_cursor_execute", listener)
        client.get(cockpit_path).close()
        event.remove(engine, "before_cursor_execute", listener)
        page_rps, bare_rps_same = measure_side_by_side((client, cockpit_path),
                                                       (app.test_client(), "/_bench/bare/cockpit"), 2 * args.seconds)
        print(f"\n{'request':<44}{'req/s':>9}{'mean ms':>10}{'of its bare':>14}")
        print(f"{'cockpit: bare endpoint':<44}{bare_rps_same:>9.0f}{1000 / bare_rps_same:>10.2f}{'100.0%':>14}")
        print(f"{f'cockpit ({args.fellows} fellows): page':<44}{page_rps:>9.0f}{1000 / page_rps:>10.2f}"
              f"{page_rps / bare_rps_same:>14.1%}")
        print(f"cockpit queries per view: {len(statements)}")
        preview, imported = time_import(client, cohort_id, args.rows)
        print(f"\n{args.rows:,}-row CSV: upload and preview {preview:.2f}s, import (invitations and their mails) "
              f"{imported:.2f}s, total {preview + imported:.2f}s")


if __name__ == "__main__":
    main()
