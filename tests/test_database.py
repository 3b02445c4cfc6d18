"""How a request's transaction ends: reads end in COMMIT (so PostgreSQL keeps its prepared statements),
anything written and not committed by its view is still rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from network.access import public
from network.extensions import db
from network.members.models import User


def _name_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(User.name).where(User.id == user_id))


def test_uncommitted_writes_are_still_rolled_back(app, make_user):
    member = make_user(name="Dr. Original")
    # An ORM change that was flushed, a Core UPDATE and a text statement, none committed.
    with app.app_context():
        db.session.get(User, member.id).name = "Dr. Flushed"
        db.session.flush()
    assert _name_of(app, member.id) == "Dr. Original"
    with app.app_context():
        db.session.execute(update(User).where(User.id == member.id).values(name="Dr. Updated"))
    assert _name_of(app, member.id) == "Dr. Original"
    with app.app_context():
        db.session.execute(text('UPDATE "user" SET name = :name WHERE id = :id'), {"name": "Dr. Text", "id": member.id})
    assert _name_of(app, member.id) == "Dr. Original"
    # A change made to a loaded object but never flushed.
    with app.app_context():
        db.session.get(User, member.id).name = "Dr. Pending"
    assert _name_of(app, member.id) == "Dr. Original"


def test_a_page_that_fails_after_writing_leaves_nothing(app, make_user):
    member = make_user(name="Dr. Original")

    @public
    def write_then_fail():
        db.session.get(User, member.id).name = "Dr. Half Written"
        db.session.flush()
        raise RuntimeError("boom")

    app.add_url_rule("/_test/write-then-fail", "write_then_fail", write_then_fail)
    assert app.test_client().get("/_test/write-then-fail").status_code == 500
    assert _name_of(app, member.id) == "Dr. Original"


def test_objects_read_in_a_request_stay_readable_after_it(app, make_user):
    member = make_user(name="Dr. Kept")
    with app.app_context():
        user = db.session.get(User, member.id)
    # The read-only transaction ended in a commit that expired nothing.
    assert user.name == "Dr. Kept"


def test_postgresql_keeps_prepared_statements_between_requests(app, make_user, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server-side prepared statements to keep")
    member = make_user()
    for _ in range(8):  # psycopg prepares a statement on its fifth use on a connection
        with app.app_context():
            db.session.get(User, member.id)
    with app.app_context():
        prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared >= 1


def test_writes_through_the_sessions_connection_are_rolled_back_too(app, make_user):
    member = make_user(name="Dr. Original")
    with app.app_context():
        db.session.connection().execute(update(User).where(User.id == member.id).values(name="Dr. Connection"))
    assert _name_of(app, member.id) == "Dr. Original"
