"""The cache layer (network/cache.py): a write to what a cached value is computed from gives its version a fresh
value at commit, whichever database API wrote it, and never on rollback; every table a cached computation reads
is declared; the store is Redis when the app has one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, event, insert, inspect, select, text, update

from network import cache
from network.cache import VERSIONS, RedisStore, cache_version
from network.extensions import db
from network.members.models import User
from network.mentorship.models import MentorSettings
from network.mentorship.queries.recommendations import MENTOR_POOL
from network.profiles.directory import DIRECTORY, VOCABULARY
from network.taxonomy.models import Interest, Specialty
from network.types import utcnow
from tests.test_directory import add_profile
from tests.test_recommendation_cache import pool, shown  # noqa: F401  (the fixture and its page reader)


def version_of(app, version) -> str:
    with app.app_context():
        return db.session.scalar(select(cache_version.c.version).where(cache_version.c.name == version.name))


# -- the stale-pool probe -----------------------------------------------------------------------------

def test_a_write_through_the_sessions_connection_reaches_the_recommendations(app, pool):  # noqa: F811
    """The hot paths write through ``db.session.connection().execute``, which no session hook sees."""
    with app.app_context():
        db.session.connection().execute(update(MentorSettings).where(MentorSettings.user_id == pool.ada.id)
                                        .values(accepting=False))
        db.session.commit()
    assert shown(pool.client) == ["Dr. Ben Mentor"]


# -- every API bumps, a rollback does not ---------------------------------------------------------------

def _orm(member_id):
    db.session.get(MentorSettings, member_id).capacity = 7


def _session_update(member_id):
    db.session.execute(update(MentorSettings).where(MentorSettings.user_id == member_id).values(capacity=7))


def _connection_update(member_id):
    db.session.connection().execute(update(MentorSettings).where(MentorSettings.user_id == member_id)
                                    .values(capacity=7))


def _session_insert_and_delete(member_id):
    db.session.execute(delete(MentorSettings).where(MentorSettings.user_id == member_id))
    db.session.execute(insert(MentorSettings).values(user_id=member_id, capacity=7, active_mentees=0))


def _text_update(member_id):
    db.session.execute(text("UPDATE mentor_settings SET capacity = 7 WHERE user_id = :id"), {"id": member_id})


@pytest.mark.parametrize("write", [_orm, _session_update, _connection_update, _session_insert_and_delete,
                                   _text_update], ids=lambda f: f.__name__.strip("_"))
def test_every_way_of_writing_bumps_at_commit_and_not_at_rollback(app, make_user, login, write):
    from tests.test_mentorship import mentor_with_settings

    mentor = mentor_with_settings(app, make_user, login)
    before = version_of(app, MENTOR_POOL)
    with app.app_context():
        write(mentor.id)
        db.session.flush()
        db.session.rollback()
    assert version_of(app, MENTOR_POOL) == before
    with app.app_context():
        write(mentor.id)
        db.session.commit()
    assert version_of(app, MENTOR_POOL) != before
    with app.app_context():
        assert db.session.get(MentorSettings, mentor.id).capacity == 7


# -- every declared table bumps; undeclared columns do not ---------------------------------------------

def _declared_writes():
    for version in VERSIONS.values():
        for table, columns in version.tables.items():
            for column in sorted(columns) if columns else [None]:
                yield pytest.param(version.name, table, column, id=f"{version.name}-{table}-{column or 'row'}")


@pytest.mark.parametrize(("name", "table", "column"), list(_declared_writes()))
def test_a_write_to_each_declared_table_bumps_its_version(app, name, table, column):
    """Written as raw SQL (what any API sends): a declared table or column that no write can bump fails here."""
    version = VERSIONS[name]
    with app.app_context():
        inspector = inspect(db.engine)
        if not inspector.has_table(table) or (
                column and column not in {c["name"] for c in inspector.get_columns(table)}):
            pytest.skip(f"{table}.{column} is the other database's")  # profile_fts on SQLite, search_vector on PG
    before = version_of(app, version)
    quoted = f'"{table}"'
    with app.app_context():
        if column is None:
            db.session.execute(text(f"DELETE FROM {quoted} WHERE 1 = 0"))  # noqa: S608 (a declared table)
        else:
            db.session.execute(text(f"UPDATE {quoted} SET {column} = {column} WHERE 1 = 0"))  # noqa: S608 (as above)
        db.session.commit()
    assert version_of(app, version) != before


def test_writes_the_cached_values_do_not_read_bump_nothing(app, make_user):
    member = make_user(role="alumni")
    before = {v: version_of(app, v) for v in (MENTOR_POOL, DIRECTORY, VOCABULARY)}
    with app.app_context():
        db.session.execute(update(User).where(User.id == member.id).values(last_seen_at=utcnow()))
        db.session.get(User, member.id).last_login_at = utcnow()
        db.session.commit()
    assert {v: version_of(app, v) for v in before} == before


def test_every_version_has_its_row(app):
    with app.app_context():
        names = set(db.session.scalars(select(cache_version.c.name)))
    assert set(VERSIONS) <= names, "add the version's row in a migration"


# -- every table a cached computation reads is declared -------------------------------------------------

_TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


class RecordingStore:
    """Misses every time and notes the tables read by each computation (between a miss and its ``set``)."""

    def __init__(self):
        self.computing, self.read = False, {}

    def get(self, key):
        self.computing, self.statements = True, []

    def set(self, key, value, ttl):
        self.computing = False
        name = key.split(":")[1]
        known = set(db.metadata.tables) | {"profile_fts"}
        self.read.setdefault(name, set()).update(
            table for statement in self.statements for table in _TABLE.findall(statement) if table in known)


def test_every_table_a_cached_value_reads_is_declared(app, pool, make_user, login):  # noqa: F811
    store = RecordingStore()
    app.extensions["cache"] = store
    with app.app_context():
        engine = db.engine

    def note(conn, cursor, statement, *args):
        if store.computing:
            store.statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        add_profile(app, pool.ada, headline="Research methods")
        assert shown(pool.client) == ["Dr. Ada Mentor", "Dr. Ben Mentor"]
        assert b"Dr. Ada Mentor" in pool.client.get("/members/?q=research").data
        assert pool.client.get("/opportunities/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert set(store.read) == {"mentor-pool", "directory", "vocabulary"}
    for name, tables in store.read.items():
        assert tables and tables <= set(VERSIONS[name].tables), f"{name} reads undeclared tables"


# -- the board's filter choices are the vocabulary's, not the directory's --------------------------------

def _term_reads(statements) -> int:
    return sum(1 for s in statements if "practice_setting" in s and "UNION ALL" in s)


def test_a_profile_edit_keeps_the_boards_filter_choices(app, make_user, login, count_queries):
    member = make_user(role="fellow")
    client = login(app.test_client(), member)
    assert client.get("/opportunities/").status_code == 200
    add_profile(app, member, headline="A new headline")  # a new directory version
    with count_queries() as statements:
        assert client.get("/opportunities/").status_code == 200
    assert _term_reads(statements) == 0


def test_a_renamed_term_shows_on_the_board_and_in_the_directory_at_once(app, make_user, login):
    client = login(app.test_client(), make_user(role="fellow"))
    assert b"Research methods" in client.get("/opportunities/").data
    assert b"Research methods" in client.get("/members/").data
    with app.app_context():
        db.session.execute(update(Interest).where(Interest.name == "Research methods").values(name="Research design"))
        db.session.execute(update(Specialty).where(Specialty.slug == "pmr").values(name="Rehab medicine"))
        db.session.commit()
    for page in ("/opportunities/", "/members/"):
        body = client.get(page).get_data(as_text=True)
        assert "Research design" in body and "Research methods" not in body
        assert "Rehab medicine" in body


# -- the store ------------------------------------------------------------------------------------------

def test_the_store_is_redis_when_the_app_has_one(make_app, make_user, login, redis_server):
    redis = redis_server.client()
    redis.flushdb()
    app = make_app(RATELIMIT_STORAGE_URI=redis_server.url)
    assert isinstance(app.extensions["cache"], RedisStore)
    client = login(app.test_client(), make_user(role="fellow", name="Dr. Fay Fellow"))
    assert b"Dr. Fay Fellow" in client.get("/members/?q=fay").data
    assert redis.keys("fn:directory:*:ranking:fay") and redis.keys("fn:vocabulary:*:filter-choices")
    redis.flushdb()


def test_a_worker_reads_a_value_another_kept_and_then_keeps_it_itself(redis_server):
    """Redis shares a value between workers; each keeps the ones it read, decoded, and asks Redis no more
    (safe: the key names its version, so the value under it never changes)."""
    redis = redis_server.client()
    redis.flushdb()
    key = "fn:directory:v1:ranking:lee"
    RedisStore(redis_server.url).set(key, {"ids": [3, 1, 2]}, 60)
    other_worker = RedisStore(redis_server.url)
    assert other_worker.get(key) == {"ids": [3, 1, 2]}
    redis.flushdb()
    assert other_worker.get(key) == {"ids": [3, 1, 2]}
    assert RedisStore(redis_server.url).get(key) is None


def test_while_redis_is_down_the_store_keeps_values_in_this_process(caplog):
    store = RedisStore("redis://127.0.0.1:1/0")
    assert store.get("fn:directory:v1:ranking:lee") is None
    store.set("fn:directory:v1:ranking:lee", [3, 1], 60)
    assert store.get("fn:directory:v1:ranking:lee") == [3, 1]
    assert "Redis unavailable" in caplog.text


def test_the_memory_store_keeps_the_most_recently_used():
    store = cache.MemoryStore(size=2)
    store.set("a", [1], 60)
    store.set("b", [2], 60)
    assert store.get("a") == [1]
    store.set("c", [3], 60)
    assert store.get("b") is None and store.get("a") == [1] and store.get("c") == [3]


@pytest.mark.parametrize(("statement", "names"), [
    ('UPDATE "user" SET last_seen_at=%(last_seen_at)s WHERE "user".id = %(id_1)s', set()),
    ('UPDATE "user" SET name=?, last_seen_at=? WHERE "user".id = ?', {"mentor-pool", "directory"}),
    ("UPDATE profile SET search_vector = to_tsvector('english', %(doc)s) WHERE user_id = %(id)s", {"directory"}),
    ("INSERT INTO profile_fts (rowid, document) VALUES (?, ?)", {"directory"}),
    ("delete from interest where id = 3", {"mentor-pool", "vocabulary"}),
    ("SELECT * FROM mentor_settings", set()),
])
def test_which_versions_a_statement_writes(statement, names):
    assert cache.versions_written(statement) == names
