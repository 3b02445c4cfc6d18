"""The directory's full-text index: SQLite FTS5 or PostgreSQL tsvector, chosen by dialect.

The migration creates ``profile_fts`` (SQLite) or ``profile.search_vector`` with a GIN
index (PostgreSQL). ``sync_document`` runs in the same transaction as every write that
changes a profile's words, so the index never lags.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import Column, Integer, String, Table, func, literal_column, select, table, text, update
from sqlalchemy.orm import Session

from network.extensions import db
from network.text.markdown import markdown_to_text

MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)

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


def build_document(name: str, profile) -> str:
    """The searchable words of a member: name, headline, bio, institution, specialties and interests."""
    parts = [name]
    if profile is not None:
        parts += [profile.headline, markdown_to_text(profile.bio), profile.institution,
                  profile.current_position, profile.title]
        parts += [term.name for term in (profile.primary_specialty,) if term is not None]
        parts += [interest.name for interest in profile.interests]
    return "\n".join(part for part in parts if part)


def mark_changed(session: Session) -> None:
    """Give the directory a new version, in the session's transaction."""
    session.execute(update(search_index_state).values(version=uuid.uuid4().hex))


def index_version(session: Session) -> str | None:
    """The directory's current version (None before the migration seeded its row: nothing is then kept)."""
    return session.connection().scalar(_VERSION)


#: Built once: every directory page reads it.
_VERSION = select(search_index_state.c.version).where(search_index_state.c.id == 1)


def sync_document(session: Session, user_id: int, document: str) -> None:
    """Write the member's document into the dialect's index."""
    mark_changed(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("UPDATE profile SET search_vector = to_tsvector('english', :doc) WHERE user_id = :id"),
                        {"doc": document, "id": user_id})
    else:
        session.execute(text("DELETE FROM profile_fts WHERE rowid = :id"), {"id": user_id})
        session.execute(text("INSERT INTO profile_fts (rowid, document) VALUES (:id, :doc)"),
                        {"id": user_id, "doc": document})


def drop_document(session: Session, user_id: int) -> None:
    mark_changed(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("UPDATE profile SET search_vector = NULL WHERE user_id = :id"), {"id": user_id})
    else:
        session.execute(text("DELETE FROM profile_fts WHERE rowid = :id"), {"id": user_id})


def search_terms(query: str) -> list[str]:
    """The words of a search box, at most ``MAX_TERMS``; punctuation and operators are dropped."""
    return _WORD.findall(query or "")[:MAX_TERMS]


def apply_search(statement, dialect: str, terms: list[str], user_id_column):
    """``statement`` narrowed to members whose document has every term (as a prefix), and the
    expression that orders them by relevance."""
    if dialect == "postgresql":
        query = func.to_tsquery("english", " & ".join(f"{term}:*" for term in terms))
        vector = literal_column("profile.search_vector")
        return statement.where(vector.op("@@")(query)), func.ts_rank(vector, query).desc()
    expression = " ".join('"' + term.replace('"', "") + '"*' for term in terms)
    # bm25() only works in the query that runs the MATCH, so rank inside a derived table.
    rank = func.bm25(literal_column("profile_fts"))
    matches = (select(literal_column("rowid").label("user_id"), rank.label("rank"))
               .select_from(table("profile_fts"))
               .where(literal_column("profile_fts").op("MATCH")(expression)))
    matches = matches.subquery("fts_match")
    return statement.join(matches, matches.c.user_id == user_id_column), matches.c.rank

