"""The academic year: 1 July to 30 June, named by the calendar year it starts in ("2025–26"). One definition for
every area that counts by it: the evaluation pack, the scholarly exports and tiles, the survey results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

#: The month an academic year starts in (July), as fellowships do in the United States.
FIRST_MONTH = 7


@dataclass(frozen=True)
class AcademicYear:
    start_year: int

    @classmethod
    def of(cls, day: date) -> AcademicYear:
        """The year ``day`` falls in: 30 June belongs to the year that started the July before, 1 July to the
        next."""
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @property
    def first_day(self) -> date:
        return date(self.start_year, FIRST_MONTH, 1)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, FIRST_MONTH - 1, 30)

    @property
    def next_first_day(self) -> date:
        return date(self.start_year + 1, FIRST_MONTH, 1)

    @property
    def starts_at(self) -> datetime:
        """The first instant of the year (UTC, as the database stores times)."""
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)

    @property
    def ends_before(self) -> datetime:
        """The first instant after the year: times are in it when ``starts_at <= t < ends_before``."""
        return datetime.combine(self.next_first_day, time.min, tzinfo=UTC)

    @property
    def label(self) -> str:
        return f"{self.start_year}–{(self.start_year + 1) % 100:02d}"

    @property
    def slug(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    def days_overlapping(self, start: date, end: date | None) -> int:
        """How many days of ``start`` … ``end`` (open-ended when None; ``end`` excluded) fall in the year."""
        first = max(start, self.first_day)
        after = min(end or self.next_first_day, self.next_first_day)
        return max(0, (after - first).days)
