"""The academic years the evaluation pack offers (``AcademicYear`` itself is ``network.years``)."""

from __future__ import annotations

from datetime import date

from network.years import AcademicYear

__all__ = ["EARLIEST", "AcademicYear", "choosable_years", "default_year", "year_or_none"]

#: No program kept records in the network before this year: an earlier one is a mistyped URL.
EARLIEST = 2000


def default_year(today: date) -> AcademicYear:
    """The year a committee reviews by default: the last completed one."""
    return AcademicYear(AcademicYear.of(today).start_year - 1)


def choosable_years(today: date, count: int = 6) -> list[AcademicYear]:
    """The years offered in the chooser: the current one (in progress) and the ``count - 1`` before it."""
    current = AcademicYear.of(today).start_year
    return [AcademicYear(year) for year in range(current, max(EARLIEST, current - count + 1) - 1, -1)]


def year_or_none(start_year: int, today: date) -> AcademicYear | None:
    """The academic year starting in ``start_year`` if it has begun and is not before ``EARLIEST``."""
    if EARLIEST <= start_year <= AcademicYear.of(today).start_year:
        return AcademicYear(start_year)
    return None
