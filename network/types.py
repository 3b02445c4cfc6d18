"""Types shared by the records: labelled enums, the UTC timestamp column and the columns every model repeats.

The models declare their columns with the aliases below (SQLAlchemy's ``Annotated`` pattern), so a
column that means the same thing is written the same way everywhere::

    id: Mapped[intpk]
    user_id: Mapped[member_fk]
    created_at: Mapped[utc_now]
    closed_at: Mapped[datetime | None]  # every ``datetime`` is a ``UTCDateTime`` (the base's type map)

A right-hand ``mapped_column(...)`` adds to an alias (``Mapped[utc_now] = mapped_column(index=True)``).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import DateTime, Enum, ForeignKey
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (a callable default, never an import-time value)."""
    return datetime.now(UTC)


class LabelledEnum(enum.StrEnum):
    """A ``StrEnum`` whose members carry the words shown for them, declared beside them::

        class WorkMode(LabelledEnum):
            ONSITE = "onsite", "On site"

    ``WorkMode.ONSITE == "onsite"`` and ``WorkMode.ONSITE.label == "On site"``.
    """

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware.

    SQLite keeps no time zone, so values are normalised to naive UTC on the way in
    and marked UTC on the way out; PostgreSQL stores ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self):
        """``datetime``, as its ``DateTime`` says (a ``TypeDecorator`` answers ``object``): the API's keyset
        cursors read it to turn a stored time back into one."""
        return datetime

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: The declarative base's type map: every ``Mapped[datetime]`` column is a ``UTCDateTime``.
TYPE_ANNOTATION_MAP = {datetime: UTCDateTime()}


def enum_column(enum_cls, name: str, length: int = 24):
    """A ``StrEnum`` stored as its values in a VARCHAR with a CHECK constraint (portable, no native enum)."""
    return Enum(enum_cls, native_enum=False, create_constraint=True, length=length, name=name,
                values_callable=lambda members: [m.value for m in members])


#: The surrogate key.
intpk = Annotated[int, mapped_column(primary_key=True)]
#: When the row was written (set once, by the application clock).
utc_now = Annotated[datetime, mapped_column(default=utcnow)]
#: When the row was last changed.
utc_updated = Annotated[datetime, mapped_column(default=utcnow, onupdate=utcnow)]
#: The member a row belongs to: indexed, and deleted with the member.
member_fk = Annotated[int, mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)]
#: A member's one row of something (settings, a profile): keyed by the member, deleted with them.
member_pk = Annotated[int, mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)]
