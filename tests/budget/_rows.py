"""Bulk rows for the populate hooks: plain INSERTs, fast at 500 rows on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools

from sqlalchemy import insert, select

from network.extensions import db

_numbers = itertools.count(1)


def members(count: int, role: str = "alumni", status: str = "verified", prefix: str = "Budget") -> list[int]:
    """``count`` members with empty profiles; returns their ids (in an app context, not committed)."""
    from network.members.models import User
    from network.profiles.models import Profile
    from network.types import utcnow

    batch = next(_numbers)
    now = utcnow()
    emails = [f"{prefix.lower()}.{role}.{batch}.{n}@example.org" for n in range(count)]
    db.session.execute(insert(User), [
        {"email": email, "name": f"Dr. {prefix} {role.title()} {batch}-{n}", "password_hash": "x", "role": role,
         "status": status, "session_version": 1, "email_confirmed_at": now,
         "verified_at": now if status == "verified" else None, "created_at": now, "updated_at": now}
        for n, email in enumerate(emails)])
    ids = db.session.scalars(select(User.id).where(User.email.in_(emails)).order_by(User.id)).all()
    db.session.execute(insert(Profile), [{"user_id": i, "headline": "Pain medicine", "city": "Austin",
                                          "country": "US"} for i in ids])
    return list(ids)


def counts_as_rows_grow(app, client, url: str, count_queries, grow, steps=(5, 195)) -> list[int]:
    """The queries one view of ``url`` costs after each call of ``grow(extra)`` (in an app context, committed
    after), for the page tests that check their own count as their rows grow."""
    counts = []
    for extra in steps:
        with app.app_context():
            grow(extra)
            db.session.commit()
        client.get(url).close()  # warm up: the first view records "last seen"
        with count_queries() as statements:
            response = client.get(url)
            assert response.status_code == 200, url
        counts.append(len(statements))
    return counts


def fellows_in(cohort_id: int, count: int, prefix: str) -> list[int]:
    """``count`` new fellows placed in the cohort; returns their ids (in an app context, not committed)."""
    from network.programs.models import CohortMembership

    fellows = members(count, role="fellow", prefix=prefix)
    db.session.execute(insert(CohortMembership), [{"cohort_id": cohort_id, "user_id": f, "role": "fellow"}
                                                  for f in fellows])
    return fellows
