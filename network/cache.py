"""The cache: one store for values the database decides, kept fresh by versions the database holds.

A cached value belongs to a **named version** (``Version``): "mentor-pool", "directory", "vocabulary".
Each declares the tables, and where it matters the columns, that its values are computed from.
``cached(version, key, compute)`` keeps ``compute()`` under the current version; a value of an old
version is never read again (the store drops it after ``ttl`` or when full).

The one way a version changes: **write through the database, nothing else.** Every statement that
reaches the database (an ORM flush, ``session.execute(update(...))``,
``session.connection().execute(...)``, ``text("UPDATE ...")``) is looked at as it runs; an INSERT,
UPDATE or DELETE of a table a version declares (an UPDATE only if it sets a declared column) marks
that version on the connection. The commit gives each marked version a fresh random value, in the
same transaction, as its last statement: a rollback drops the bump with the write, and another
process never sees the write without the bump. Nobody calls a "bump" function, so nobody can forget.
(What is looked at is the statement's text: it must begin with INSERT, UPDATE or DELETE and name its
table; a write led by ``WITH`` would go unseen. Migrations are not watched: each step applied
gives every version a fresh value, ``refresh_versions``.)

Versions live in the ``cache_version`` table (one row per name, seeded by a migration), so every
app process and the CLI agree on them whichever store they use. The values live in the app's
store: Redis when the app has one (``REDIS_URL``, the rate limits' storage; every gunicorn worker
shares the values, and each keeps the ones it used last in its memory too), else a bounded LRU
dictionary in this process. Both are fresh, since both are keyed by the version the database holds.

Rules for a caller:
- Read the version before the data the value is computed from (or in the same statement:
  ``version_column``), so a write that commits in between makes the kept value already old.
- Values are plain JSON (lists, dicts, strings, numbers) and read-only.
- A transaction that wrote to a version's tables and has not committed neither reads nor keeps
  that version's values: it sees its own uncommitted rows (``cached`` checks this).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import redis
from flask import current_app
from sqlalchemy import Column, String, Table, bindparam, inspect, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.event import contains, listen

from network.extensions import db

log = logging.getLogger(__name__)

#: A table every column of which counts (``Version(tables={"mentor_topic": ALL})``).
ALL = None
#: How long a value is kept at most (a value of an old version is never read again anyway).
DEFAULT_TTL = 3600
#: ``Connection.info`` key: the names of the versions this transaction wrote to, bumped at its commit.
WRITTEN = "cache_versions_written"
#: Execution option of a connection whose writes bump nothing (migrations: ``refresh_versions`` follows).
UNWATCHED = "cache_versions_unwatched"

cache_version = Table(
    "cache_version",
    db.metadata,
    Column("name", String(40), primary_key=True),
    Column("version", String(32), nullable=False),
)

#: Every declared version by name; a migration seeds a row for each (tests/test_cache.py checks).
VERSIONS: dict[str, Version] = {}
#: table name -> [(version name, the columns that count, or ALL)]
_DEPENDENTS: dict[str, list[tuple[str, frozenset[str] | None]]] = {}


class Version:
    """A named version of what some cached values are computed from: ``tables`` maps each table read
    to the columns read (``ALL``: every column). Declare it next to the code that reads those tables."""

    def __init__(self, name: str, tables: Mapping[str, Iterable[str] | None]):
        if name in VERSIONS:
            raise ValueError(f"cache version {name!r} is declared twice")
        self.name = name
        self.tables = {table: (ALL if columns is ALL else frozenset(columns)) for table, columns in tables.items()}
        VERSIONS[name] = self
        for table, columns in self.tables.items():
            _DEPENDENTS.setdefault(table, []).append((name, columns))

    def __repr__(self) -> str:
        return f"Version({self.name!r})"


# -- reading ----------------------------------------------------------------------------------------

def version_column(version: Version):
    """The version as a scalar subquery, to ride along with a query the page runs anyway."""
    return select(cache_version.c.version).where(cache_version.c.name == version.name).scalar_subquery()


_CURRENT = select(cache_version.c.name, cache_version.c.version).where(
    cache_version.c.name.in_(bindparam("names", expanding=True)))


def current_versions(*versions: Version) -> dict[str, str | None]:
    """The current value of each version, in one query (None for a name without its row: nothing is kept)."""
    found = dict(db.session.connection().execute(_CURRENT, {"names": [v.name for v in versions]}).all())
    return {v.name: found.get(v.name) for v in versions}


def written_in(version: Version) -> bool:
    """True while this session's transaction holds uncommitted writes to the version's tables."""
    return version.name in db.session.connection().info.get(WRITTEN, ())


def cached(version: Version, key: str, compute: Callable[[], Any], *, current: str | None = None,
           ttl: int = DEFAULT_TTL) -> Any:
    """The value kept under ``key`` for the current ``version``; ``compute()`` (and kept) when missing.

    ``current`` is the version's value when the caller has read it already (``version_column``,
    ``current_versions``); else it is read here, before ``compute`` runs.
    """
    if written_in(version):
        return compute()
    if current is None:
        current = current_versions(version)[version.name]
    if current is None:
        return compute()
    store = current_app.extensions["cache"]
    full_key = f"fn:{version.name}:{current}:{key}"
    value = store.get(full_key)
    if value is None:
        value = compute()
        store.set(full_key, value, ttl)
    return value


# -- stores -----------------------------------------------------------------------------------------

class MemoryStore:
    """Values in this process, the ``size`` most recently used (development, tests, Redis down)."""

    def __init__(self, size: int = 1024):
        self.size = size
        self._values: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def set(self, key: str, value: Any, ttl: int) -> None:
        # (``ttl`` unused: values of old versions age out by size)
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)


class RedisStore:
    """Values in Redis, as JSON, each for ``ttl`` seconds, shared by every worker; and the values this
    process used last, decoded, in its own memory (``near``), so a page that reads the same value again
    costs neither a round trip nor a decoding. Keeping them is safe because a key names its version: the
    value under a key never changes, it only stops being read. While Redis fails, memory alone serves."""

    def __init__(self, url: str, near_size: int = 256):
        self.redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.near = MemoryStore(near_size)

    def get(self, key: str) -> Any:
        value = self.near.get(key)
        if value is not None:
            return value
        try:
            stored = self.redis.get(key)
        except redis.RedisError:
            log.warning("cache: Redis unavailable, using this process's memory", exc_info=True)
            return None
        if stored is None:
            return None
        value = json.loads(stored)
        self.near.set(key, value, DEFAULT_TTL)
        return value

    def set(self, key: str, value: Any, ttl: int) -> None:
        self.near.set(key, value, ttl)
        try:
            self.redis.set(key, json.dumps(value, separators=(",", ":")), ex=ttl)
        except redis.RedisError:
            log.warning("cache: Redis unavailable, using this process's memory", exc_info=True)


def store_for(config: Mapping) -> MemoryStore | RedisStore:
    """Redis when the app keeps its rate limits there (``REDIS_URL``: the production shape), else memory."""
    url = str(config.get("RATELIMIT_STORAGE_URI") or "")
    return RedisStore(url) if url.startswith(("redis://", "rediss://", "unix://")) else MemoryStore()


# -- noticing writes --------------------------------------------------------------------------------

#: The table an INSERT, UPDATE or DELETE writes, and an UPDATE's SET clause.
_WRITE = re.compile(r'\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?'
                    r'(?:\s+SET\s+(.*?)(?:\s+(?:WHERE|FROM|RETURNING)\s|$))?', re.IGNORECASE | re.DOTALL)
#: The columns a SET clause assigns (an over-match in a value only bumps once more than needed).
_ASSIGNED = re.compile(r'(?:^|,)\s*"?(\w+)"?\s*=')


def versions_written(statement: str) -> set[str]:
    """The names of the versions an SQL statement (as sent to the database) writes to."""
    match = _WRITE.match(statement)
    if match is None or match.group(1).lower() not in _DEPENDENTS:
        return set()
    table, assignments = match.group(1).lower(), match.group(2)
    assigned = None if assignments is None else {name.lower() for name in _ASSIGNED.findall(assignments)}
    return {name for name, columns in _DEPENDENTS[table]
            if columns is ALL or assigned is None or not assigned.isdisjoint(columns)}


def _note_write(conn: Connection, _cursor, statement: str, _parameters, context, _executemany) -> None:
    if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") and \
            not context.execution_options.get(UNWATCHED):
        names = versions_written(statement)
        if names:
            conn.info.setdefault(WRITTEN, set()).update(names)


def _bump_written(conn: Connection) -> None:
    """At commit, the transaction's last statement: a fresh value for each version it wrote to."""
    names = conn.info.pop(WRITTEN, None)
    if names:
        conn.execute(update(cache_version).where(cache_version.c.name.in_(sorted(names)))
                     .values(version=uuid.uuid4().hex))


def _forget_written(conn: Connection, *_args) -> None:
    conn.info.pop(WRITTEN, None)


def refresh_versions(conn: Connection) -> None:
    """A fresh value for every version (after migrations, which may change anything unwatched)."""
    if inspect(conn).has_table(cache_version.name):
        conn.execute(update(cache_version).values(version=uuid.uuid4().hex))


#: Every engine's, once per process. The commit hook goes first: its statement is a write of the transaction
#: (``network.database`` forgets a transaction's writes at commit).
_WATCHERS = (("after_cursor_execute", _note_write, False), ("commit", _bump_written, True),
             ("rollback", _forget_written, False))


def init_cache(app) -> None:
    """Give the app its store, and watch the writes of every engine."""
    app.extensions["cache"] = store_for(app.config)
    for name, listener, first in _WATCHERS:
        if not contains(Engine, name, listener):
            listen(Engine, name, listener, insert=first)
