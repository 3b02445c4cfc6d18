"""Engine settings per database, statements built once (``prebuilt``) and the shape of link tables."""

import functools

from sqlalchemy import Column, ForeignKey, Integer, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from network.extensions import db


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL journal, a busy timeout and enforced foreign keys on every SQLite connection."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


# Full-text search structures made by raw SQL in migrations, one kind per database; the models
# do not declare them, so migration checks must not report them as differences.
UNMODELLED_TABLE_PREFIXES = ("profile_fts", "post_fts", "thread_fts", "opportunity_fts")
UNMODELLED_COLUMNS = {"search_vector"}
#: PostgreSQL-only indexes a migration creates with raw SQL.
UNMODELLED_INDEXES = {"ix_user_status_recent_first"}


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic filter: leave the raw-SQL full-text structures out of autogenerate and checks."""
    if type_ == "table" and name and name.startswith(UNMODELLED_TABLE_PREFIXES):
        return False
    if type_ == "column" and name in UNMODELLED_COLUMNS:
        return False
    return not (type_ == "index" and name and (name.endswith("_search_vector") or name in UNMODELLED_INDEXES))


def commit_read_only_requests(app, db) -> None:
    """End a request that only read with COMMIT instead of ROLLBACK.

    psycopg forgets its prepared statements at every ROLLBACK, and closing a session rolls back its
    transaction: so no statement would ever be prepared, and PostgreSQL would parse and plan every query
    of every page again. For a transaction that ran nothing but SELECTs, COMMIT and ROLLBACK do the same;
    a transaction that ran anything else (an ORM flush, Core or text statements, through the session or
    its connection) and was not committed by its view is still rolled back, as is everything after an error.
    """
    for name, listener in _WRITE_TRACKING.items():
        if not event.contains(Engine, name, listener):
            event.listen(Engine, name, listener)

    @app.teardown_appcontext  # registered after Flask-SQLAlchemy's, so it runs before the session closes
    def _commit_reads(exc) -> None:
        if exc is not None or not db.session.registry.has():
            return  # (an error, or a request that never used the database)
        session = db.session()
        if not session.in_transaction() or not session.is_active:
            return  # (not active: a failed statement already waits for its rollback)
        if session.new or session.dirty or session.deleted:
            return
        # Nothing was written, so nothing loaded can be out of date: objects stay as they are, as after a
        # rollback (a commit would expire them).
        session.expire_on_commit, expire = False, session.expire_on_commit
        try:
            if not session.connection().info.get("wrote"):
                session.commit()
        except SQLAlchemyError:
            session.rollback()  # the page is already answered: this only ends the transaction
        finally:
            session.expire_on_commit = expire


def _note_statement(conn, _cursor, statement: str, *_args) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info["wrote"] = True


def _transaction_ended(conn, *_args) -> None:
    conn.info.pop("wrote", None)


_WRITE_TRACKING = {"before_cursor_execute": _note_statement, "commit": _transaction_ended,
                   "rollback": _transaction_ended}


#: Every ``@prebuilt`` statement builder, in the order of declaration.
PREBUILT: list = []


def prebuilt(build):
    """Declare a statement built once per process and run many times: the one way to keep a statement.

    How to declare: a module-level function named after its statement (``_post_page_statement``),
    decorated with ``@prebuilt``, that returns one statement. Its arguments say only how the SQL is
    shaped (the dialect, a role, a sort, a ``BoardShape``) and must be hashable; every value that differs
    between runs (the member, the time, a page's cursor) is a ``bindparam`` given when it runs::

        @prebuilt
        def _thread_statement():
            return select(Thread).where(Thread.id == bindparam("id", type_=Integer))

        db.session.scalars(_thread_statement(), {"id": thread_id}).first()

    How it is kept: per process, one statement per distinct arguments, at most 512 (least recently used
    first out). A statement holds no data, so it never goes stale; the schema changes only with a release.

    When to use: for a statement that a frequent page or write runs on every request and whose building
    (options, subqueries, visibility rules) costs more than running it, as measured in
    ``benchmarks/README.md``; any other statement is written where it runs. Lists read plain rows on the
    session's connection (``db.session.connection().execute``); entities come from ``db.session.scalars``.
    On PostgreSQL psycopg prepares the statements run often, and ``commit_read_only_requests`` keeps them
    prepared from one request to the next.
    """
    kept = functools.lru_cache(maxsize=512)(build)
    PREBUILT.append(kept)
    return kept


def association_table(name: str, left: tuple[str, str], right: tuple[str, str], *,
                      right_ondelete: str | None = None) -> Table:
    """A many-to-many link table: one row pairs a ``left`` row with a ``right`` one, keyed by both.

    ``left`` and ``right`` are (column, the column it references): the left is the owner (a profile, an
    opportunity), so its links go with it; the right is what it is linked to (a tag, a cohort), indexed
    for the way back ("whose profile names this interest"). A tag in use cannot be deleted unless
    ``right_ondelete`` says so::

        profile_interest = association_table("profile_interest", ("profile_id", "profile.user_id"),
                                             ("interest_id", "interest.id"))
    """
    (left_column, left_target), (right_column, right_target) = left, right
    return Table(name, db.metadata,
                 Column(left_column, Integer, ForeignKey(left_target, ondelete="CASCADE"), primary_key=True),
                 Column(right_column, Integer, ForeignKey(right_target, ondelete=right_ondelete), primary_key=True,
                        index=True))


def added_once(row) -> bool:
    """Add a row that a unique constraint allows once (a bookmark, an RSVP, a pair's conversation) in a
    savepoint: False when a concurrent request (a double click, a second run) added it first; the transaction
    carries on either way."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def insert_for(dialect: str):
    """The dialect's ``insert``, which has the upsert clauses (``on_conflict_do_nothing`` / ``_do_update``:
    PostgreSQL and SQLite share their syntax)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
