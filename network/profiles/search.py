"""The directory's version, and the rankings of word searches kept for one version.

The directory's full-text index itself is ``network.search`` (``Profile`` declares its part in
``network.profiles.models``); every write of its rows gives the directory a new version here.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict

from sqlalchemy import Column, Integer, String, Table, select, update
from sqlalchemy.orm import Session

from network.extensions import db

#: One row whose ``version`` changes (to a fresh random value) in the transaction of every index write,
#: so a ranking computed for one version of the index is known to be current or stale with one query.
#: Writes to what the directory's filters offer (terms, programs, cohorts) change it too
#: (``network.profiles.indexing``): it is the version of the whole directory.
search_index_state = Table(
    "search_index_state",
    db.metadata,
    Column("id", Integer, primary_key=True),
    Column("version", String(32), nullable=False),
)


def mark_changed(session: Session) -> None:
    """Give the directory a new version, in the session's transaction."""
    session.execute(update(search_index_state).values(version=uuid.uuid4().hex))


def index_version(session: Session) -> str | None:
    """The directory's current version (None before the migration seeded its row: nothing is then kept)."""
    return session.connection().scalar(_VERSION)


#: Built once: every directory page reads it.
_VERSION = select(search_index_state.c.version).where(search_index_state.c.id == 1)


class RankingCache:
    """The ranked member ids of recent plain word searches, for one version of the index.

    Ranking every match of a broad word (bm25 / ts_rank over thousands of documents) is the
    directory's most expensive step, and its result only changes when the index does. Entries
    are keyed by the index version read in the same request, so a cached ranking is never
    served after any write to the index, in this process or another.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
