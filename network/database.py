"""Engine settings per database."""

from sqlalchemy import event
from sqlalchemy.engine import Engine


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
