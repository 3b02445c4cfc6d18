"""Directory throughput on 20,000 members: a profile page, a filtered directory page and a
word search, measured in one run next to a bare Flask endpoint.

    .venv/bin/python benchmarks/directory.py [--members 20000] [--seconds 3] [--database-url URL]

Goal: the word search serves at least half the profile page's throughput.
"""

from __future__ import annotations

import argparse
import random
import time

from _common import bare_app, measure, print_table, scratch_app, sign_in

FIRST = ["Amara", "Ben", "Carmen", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jamal", "Keiko",
         "Liam", "Maya", "Nikhil", "Olivia", "Pedro", "Quinn", "Rosa", "Samuel", "Tara", "Umar", "Vera", "Wen"]
LAST = ["Okafor", "Lindqvist", "Reyes", "Nakamura", "Haddad", "Patel", "Kowalski", "Mensah", "Garcia", "Cohen",
        "Nguyen", "Schmidt", "Alvarez", "Ibrahim", "Rossi", "Park", "Dubois", "Singh", "Moreau", "Adeyemi"]
REGIONS = [("TX", "Austin"), ("TX", "Houston"), ("MA", "Boston"), ("IL", "Chicago"), ("CA", "San Diego"),
           ("WA", "Seattle"), ("NY", "New York"), ("CO", "Denver"), ("GA", "Atlanta"), ("MN", "Minneapolis")]
WORDS = ["neuromodulation", "spine", "ultrasound", "cancer", "headache", "research", "pediatric", "regenerative",
         "addiction", "palliative", "psychology", "opioid", "education", "wellness", "radiofrequency"]


def seed(app, count: int) -> None:
    """``count`` verified members with profiles, interests and index entries, inserted in bulk."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from network.extensions import db
    from network.members.models import User
    from network.profiles.models import Profile, profile_interest
    from network.search import reindex_where
    from network.taxonomy.models import Interest, PracticeSetting, Specialty

    rng = random.Random(20000)
    with app.app_context():
        interests = db.session.execute(select(Interest.id, Interest.name)).all()
        specialties = db.session.scalars(select(Specialty.id)).all()
        settings = db.session.scalars(select(PracticeSetting.id)).all()
        password = generate_password_hash("benchmark passphrase 2026", method="pbkdf2:sha256:1000")
        users, profiles, links = [], [], []
        for n in range(1, count + 1):
            name = f"Dr. {rng.choice(FIRST)} {rng.choice(LAST)} {n}"
            role = rng.choice(["fellow", "alumni", "alumni", "faculty"])
            region, city = rng.choice(REGIONS)
            chosen = rng.sample(interests, rng.randint(3, 6))
            headline = f"{role.title()} in pain medicine, {rng.choice(WORDS)} and {rng.choice(WORDS)}"
            users.append({"id": n, "email": f"member{n}@bench.example.org", "name": name, "password_hash": password,
                          "role": role, "status": "verified", "session_version": 1,
                          "training_background_id": rng.choice(specialties)})
            profiles.append({"user_id": n, "headline": headline, "bio": f"Interested in {rng.choice(WORDS)}.",
                             "institution": f"{city} Pain Center", "city": city, "region": region, "country": "US",
                             "time_zone": "America/Chicago", "languages": "English", "links": [],
                             "current_position": "", "title": "",
                             "practice_setting_id": rng.choice(settings) if role == "alumni" else None,
                             "graduation_year": rng.randint(2005, 2026) if role == "alumni" else None,
                             "accepting_mentees": role != "fellow" and rng.random() < 0.6,
                             "email_visibility": "connected", "links_visibility": "members",
                             "location_visibility": rng.choice(["members"] * 8 + ["connected", "private"]),
                             "photo_version": 0})
            links += [{"profile_id": n, "interest_id": i} for i, _ in chosen]
        db.session.execute(insert(User), users)
        db.session.execute(insert(Profile), profiles)
        db.session.execute(insert(profile_interest), links)
        # The index the app keeps, written by its own indexer (Core inserts pass the flush hook by).
        reindex_where(db.session, Profile)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("SELECT setval('user_id_seq', (SELECT max(id) FROM \"user\"))"))
            db.session.execute(db.text("ANALYZE"))
        else:
            db.session.execute(db.text("ANALYZE"))
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per page")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL instead of a scratch SQLite file")
    args = parser.parse_args()
    config = {"SQLALCHEMY_DATABASE_URI": args.database_url} if args.database_url else {}
    with scratch_app(**config) as app:
        started = time.perf_counter()
        seed(app, args.members)
        print(f"seeded {args.members:,} members in {time.perf_counter() - started:.1f}s "
              f"({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]})")
        client = sign_in(app, "member1@bench.example.org", "benchmark passphrase 2026")
        bare_rps, bare_ms = measure(bare_app().test_client(), "/", args.seconds)
        profile_rps, profile_ms = measure(client, f"/members/{min(4242, args.members)}", args.seconds)
        rows = [("bare Flask endpoint", bare_rps, bare_ms), ("profile page", profile_rps, profile_ms)]
        for label, path in [
            ("filtered directory (TX alumni)", "/members/?role=alumni&country=US&region=TX&accepting=y"),
            ("word search (neuromodulation)", "/members/?q=neuromodulation"),
            ("word search, two words", "/members/?q=cancer+research"),
            ("directory, recently active", "/members/?sort=active"),
        ]:
            rows.append((label, *measure(client, path, args.seconds)))
        print_table(rows, bare_rps)
        search_rps = rows[3][1]
        print(f"\nword search at {search_rps / profile_rps:.0%} of the profile page's throughput "
              f"(goal: at least 50%)")


if __name__ == "__main__":
    main()
