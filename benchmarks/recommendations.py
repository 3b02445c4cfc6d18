"""Mentor recommendations over 10,000 mentors, next to the profile page and a bare Flask endpoint.

    .venv/bin/python benchmarks/recommendations.py [--mentors 10000] [--seconds 3]

A view reads the ranking kept for the mentor pool's version and the mentee's inputs
(``network/mentorship/cache.py``: in this process here, in Redis in production), so the
repeated page views measure the page around it. Ranking afresh, which the first view after any
change to the pool pays (every mentor with a place free scored in Python, two queries feeding
it), is timed on its own in the last row.
"""

from __future__ import annotations

import argparse
import random
import time

from _common import bare_app, measure, print_table, scratch_app, sign_in
from directory import seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    from sqlalchemy import insert, select

    from network.extensions import db
    from network.members.models import Role, User
    from network.mentorship.models import MentorSettings

    with scratch_app() as app:
        started = time.perf_counter()
        members = int(args.mentors / 0.75) + 50  # a quarter of the seeded members are fellows
        seed(app, members)
        rng = random.Random(10_000)
        with app.app_context():
            mentors = db.session.scalars(select(User.id).where(User.role != Role.FELLOW)
                                         .order_by(User.id).limit(args.mentors)).all()
            db.session.execute(insert(MentorSettings), [
                {"user_id": i, "accepting": True, "capacity": rng.randint(1, 6), "active_mentees": 0,
                 "types": rng.sample(["research", "clinical", "career", "wellness"], rng.randint(1, 3)),
                 "meeting_modes": ["video"], "availability": ""} for i in mentors])
            fellow = db.session.scalar(select(User.id).where(User.role == Role.FELLOW).order_by(User.id))
            fellow_email = db.session.scalar(select(User.email).where(User.id == fellow))
            db.session.commit()
        print(f"seeded {members:,} members, {len(mentors):,} of them mentors, in {time.perf_counter() - started:.1f}s")
        client = sign_in(app, fellow_email, "benchmark passphrase 2026")
        bare_rps, bare_ms = measure(bare_app().test_client(), "/", args.seconds)
        profile_rps, profile_ms = measure(client, f"/members/{mentors[0]}", args.seconds)
        rows = [("bare Flask endpoint", bare_rps, bare_ms), ("profile page", profile_rps, profile_ms)]
        for kind in ("research", "wellness"):
            rows.append((f"recommendations ({kind})",
                         *measure(client, f"/mentorship/recommendations?type={kind}", args.seconds)))
        rows.append(("ranking afresh (research)", *rank_afresh(app, fellow, args.seconds)))
        print_table(rows, bare_rps)
        print(f"\nrecommendations at {rows[2][1] / profile_rps:.0%} of the profile page's throughput")
        from sqlalchemy import event

        statements = []
        with app.app_context():
            engine = db.engine

        def listener(conn, cursor, statement, *rest):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", listener)
        client.get("/mentorship/recommendations?type=research").close()
        event.remove(engine, "before_cursor_execute", listener)
        print(f"queries for one recommendation page over {len(mentors):,} mentors: {len(statements)} (budget: 12)")


def rank_afresh(app, fellow_id: int, seconds: float) -> tuple[float, float]:
    """(rankings per second, mean milliseconds) of a cache miss: every candidate read and scored."""
    from dataclasses import replace

    from network.extensions import db
    from network.members.models import User
    from network.mentorship.queries import recommendations as ranking

    with app.test_request_context():
        mentee, _ = ranking.mentee_and_pool_version(db.session.get(User, fellow_id))
        mentee = replace(mentee, id=0)
        ranking.rank(mentee, "research", set(), ranking.RANKED_DEPTH)
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            ranking.rank(mentee, "research", set(), ranking.RANKED_DEPTH)
            count += 1
        elapsed = time.perf_counter() - start
    return count / elapsed, elapsed / count * 1000


if __name__ == "__main__":
    main()
