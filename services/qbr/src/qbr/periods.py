"""QBR periods (pure, no I/O): months ``YYYY-MM`` and quarters ``YYYY-Q1``..``YYYY-Q4``.

Validation is strict (``domain-rules.md``): anything else — ``2025-1``, ``2025-13``, ``2025-q4``, a date —
is an invalid period. Years outside 2000–2100 are refused too, as the replaced system did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MIN_YEAR = 2000
MAX_YEAR = 2100
MONTH_FORMAT_MESSAGE = "Period format must be YYYY-MM"
QUARTER_FORMAT_MESSAGE = "Period format must be YYYY-Q1, YYYY-Q2, YYYY-Q3, or YYYY-Q4"

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")


class InvalidPeriod(ValueError):
    """A period text that is not a valid month or quarter."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        found = _MONTH.fullmatch(text.strip())
        if found is None:
            raise InvalidPeriod(MONTH_FORMAT_MESSAGE)
        year, month = int(found.group(1)), int(found.group(2))
        if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
            raise InvalidPeriod(MONTH_FORMAT_MESSAGE)
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.year, (self.month - 1) // 3 + 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        found = _QUARTER.fullmatch(text.strip())
        if found is None:
            raise InvalidPeriod(QUARTER_FORMAT_MESSAGE)
        year = int(found.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise InvalidPeriod(QUARTER_FORMAT_MESSAGE)
        return cls(year, int(found.group(2)))

    @property
    def months(self) -> tuple[Month, Month, Month]:
        first = (self.number - 1) * 3 + 1
        return Month(self.year, first), Month(self.year, first + 1), Month(self.year, first + 2)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-Q{self.number}"

    def __str__(self) -> str:
        return self.label


def months_between(start: Month, end: Month) -> list[Month]:
    """Every month from ``start`` to ``end``, both included (empty when start is after end)."""
    months: list[Month] = []
    current = start
    while current <= end:
        months.append(current)
        current = current.next()
    return months
