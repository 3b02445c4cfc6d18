"""Ranked mentor lists, kept for one version of the mentor pool so a recommendation page scores nobody.

Ranking every mentor with a free place (thousands) for a mentee is the page's whole cost, and the
ranking only changes when the pool changes (a mentor's settings, places, profile or name, a term's
name) or the mentee's own scoring inputs do. So:

- ``mentor_pool_state`` holds one row whose ``version`` gets a fresh random value at the commit of
  every transaction that wrote something the ranking reads. The session hooks below notice such
  writes wherever they happen: ORM changes at flush, and UPDATE / INSERT / DELETE statements run
  through the session (the conditional ``active_mentees`` updates of accepting a request, ending a
  mentorship, undoing a graduation, publishing a matching round).
- A ranked list is stored under (pool version, mentoring type, digest of the mentee's inputs), so a
  write (which changes the version) or a profile edit (which changes the digest) makes the next
  view compute afresh; nothing needs deleting. The inputs include which mentors' connections-only
  locations the mentee may see (a location counts in a score only where the mentee may see it), so
  mentees share a list only when they may see the same locations. The version is bumped once, last,
  at commit: the version row is then locked only for the commit, after every other row the
  transaction locks.
- A transaction that has written to the pool and not yet committed neither reads nor stores lists:
  it would see its own uncommitted rows under the old version.

The lists live in Redis when the app has one (every gunicorn worker shares them), else in a small
per-process dictionary; both are keyed by the version read from the database, so both are fresh.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import OrderedDict
from itertools import chain

import redis
from sqlalchemy import Column, Integer, String, Table, event, inspect, select, update
from sqlalchemy.orm import Session

from network.extensions import db
from network.members.models import User
from network.mentorship.models import MentorSettings
from network.profiles.models import Profile
from network.taxonomy.models import Interest, PracticeSetting

log = logging.getLogger(__name__)

mentor_pool_state = Table(
    "mentor_pool_state",
    db.metadata,
    Column("id", Integer, primary_key=True),
    Column("version", String(32), nullable=False),
)

#: ``session.info`` key: this transaction wrote something recommendations read, not yet committed.
CHANGED = "mentor_pool_changed"
#: Tables whose rows recommendations read; a statement writing one of them changes the pool.
POOL_TABLES = frozenset({"mentor_settings", "mentor_topic", "user", "profile", "profile_interest", "interest",
                         "practice_setting"})
#: What the ranking reads of a mentor's member row and profile (relationships and their keys both,
#: since before a flush only the attribute that was set shows a change).
MEMBER_FIELDS = ("name", "role", "status", "deleted_at", "training_background", "training_background_id")
PROFILE_FIELDS = ("primary_specialty", "primary_specialty_id", "time_zone", "country", "region",
                  "location_visibility", "practice_setting", "practice_setting_id", "interests")
TERM_FIELDS = {Interest: ("name",), PracticeSetting: ("slug",)}


def version_column():
    """The pool version as a scalar subquery, to ride along with a query the page runs anyway."""
    return select(mentor_pool_state.c.version).where(mentor_pool_state.c.id == 1).scalar_subquery()


def pool_version(session: Session) -> str | None:
    return session.scalar(select(version_column()))


def changed_in(session: Session) -> bool:
    """True while this session's transaction holds uncommitted writes to the pool."""
    return bool(session.info.get(CHANGED))


def _changed(state, fields) -> bool:
    return any(state.attrs[name].history.has_changes() for name in fields)


@event.listens_for(Session, "before_flush")
def _note_pool_changes(session: Session, flush_context, instances) -> None:
    if session.info.get(CHANGED):
        return
    members: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        added_or_deleted = obj in session.new or obj in session.deleted
        if isinstance(obj, MentorSettings) and (added_or_deleted or session.is_modified(obj)):
            session.info[CHANGED] = True
            return
        if isinstance(obj, (Interest, PracticeSetting)) and obj not in session.new and \
                (obj in session.deleted or _changed(inspect(obj), TERM_FIELDS[type(obj)])):
            session.info[CHANGED] = True
            return
        # A member not yet flushed cannot mentor yet (their settings, when added, count above).
        if isinstance(obj, User) and obj.id is not None and \
                (obj in session.deleted or _changed(inspect(obj), MEMBER_FIELDS)):
            members.add(obj.id)
        if isinstance(obj, Profile) and (added_or_deleted or _changed(inspect(obj), PROFILE_FIELDS)):
            if obj.user_id is None:  # whose it is shows only at flush: count it
                session.info[CHANGED] = True
                return
            members.add(obj.user_id)
    # A member or profile matters only if they mentor (new settings in this flush are caught above).
    if members and session.scalar(select(MentorSettings.user_id)
                                  .where(MentorSettings.user_id.in_(members)).limit(1)) is not None:
        session.info[CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_pool_statements(state) -> None:
    if (state.is_update or state.is_insert or state.is_delete) and state.statement.table.name in POOL_TABLES:
        state.session.info[CHANGED] = True


@event.listens_for(Session, "before_commit")
def _bump_pool_version(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this hook; its writes must count too
    if session.info.pop(CHANGED, False):
        session.execute(update(mentor_pool_state).values(version=uuid.uuid4().hex))


@event.listens_for(Session, "after_transaction_end")
def _forget_pool_changes(session: Session, transaction) -> None:
    if transaction.parent is None:  # rolled back (a commit has bumped and cleared the flag already)
        session.info.pop(CHANGED, None)


class RankedLists:
    """Ranked lists by key, in Redis when ``redis_url`` is given, else (or while Redis fails) in this process.

    A value is a list of plain JSON values. Entries of old versions are never read again: Redis
    drops them after ``ttl`` seconds, the local dictionary keeps the ``size`` most recent.
    """

    def __init__(self, redis_url: str | None = None, size: int = 512, ttl: int = 3600):
        self.size, self.ttl = size, ttl
        self._local: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._redis = None
        if redis_url:
            self._redis = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str):
        if self._redis is not None:
            try:
                value = self._redis.get(key)
            except redis.RedisError:  # down or slow: rank without it
                log.warning("recommendation cache: Redis unavailable, using this process's memory", exc_info=True)
            else:
                return None if value is None else json.loads(value)
        with self._lock:
            value = self._local.get(key)
            if value is not None:
                self._local.move_to_end(key)
            return value

    def put(self, key: str, value) -> None:
        if self._redis is not None:
            try:
                self._redis.set(key, json.dumps(value, separators=(",", ":")), ex=self.ttl)
                return
            except redis.RedisError:
                log.warning("recommendation cache: Redis unavailable, using this process's memory", exc_info=True)
        with self._lock:
            self._local[key] = value
            self._local.move_to_end(key)
            while len(self._local) > self.size:
                self._local.popitem(last=False)


def ranked_lists(app) -> RankedLists:
    """The app's store: Redis when rate limits are kept there (the production shape), else local."""
    store = app.extensions.get("mentor_ranked_lists")
    if store is None:
        url = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
        store = RankedLists(url if url.startswith(("redis://", "rediss://", "unix://")) else None)
        app.extensions["mentor_ranked_lists"] = store
    return store
