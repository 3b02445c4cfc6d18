"""The cohort dashboard for a 500-fellow class against the profile page, and a 2,000-row roster import.

    .venv/bin/python benchmarks/cohorts.py [--fellows 500] [--rows 2000] [--seconds 3]

The dashboard computes everything per view (no cache): coverage, overdue flags, twelve months of
requests, meetings and posts, ratings. The SVG charts are separate requests, one is measured too.
"""

from __future__ import annotations

import argparse
import io
import random
import time
from datetime import date, timedelta

from _common import bare_app, measure, print_table, scratch_app, sign_in
from directory import seed


def build_class(app, fellows: int) -> tuple[int, str, int]:
    """A program, its director and a class of ``fellows`` with mentorships, meetings and requests."""
    from sqlalchemy import insert, select, update

    from network.extensions import db
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
        preview, imported = time_import(client, cohort_id, args.rows)
        print(f"\n{args.rows:,}-row CSV: upload and preview {preview:.2f}s, import (invitations and their mails) "
              f"{imported:.2f}s, total {preview + imported:.2f}s")


if __name__ == "__main__":
    main()
