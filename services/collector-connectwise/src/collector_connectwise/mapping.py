"""The reactive-ticket rules as ConnectWise ``conditions`` (pure functions, no I/O).

Months are whole months in ``HUB_TIMEZONE``: ``[local midnight of the 1st, local midnight of the next
1st)``, converted to UTC — half-open, so consecutive months share their boundary and nothing falls in
between (the replaced system ended a month at 23:59:59 inclusive, a one-second gap). The offset of each
boundary is that day's, so a DST change inside a month moves nothing.

- created in a month: a reactive ticket whose ``dateEntered`` is in the month (any status);
- closed in a month: a reactive ticket whose status is one of the closed statuses and whose
  ``closedDate`` is in the month;
- hours in a month: the ``actualHours`` of the time entries charged to a reactive service ticket
  (``chargeToType = "ServiceTicket"``) whose ``timeStart`` (or ``dateEntered``, a setting) is in the month.
  Reactive means the same thing for hours as for counts: with "parent tickets only", hours logged on a
  child ticket do not count — the replaced system counted them although it did not count the child
  tickets themselves; one rule keeps the three figures about the same tickets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, label: str) -> Month:
        match = MONTH.match(label.strip())
        if match is None:
            raise ValueError(f"not a month (YYYY-MM): {label!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def window(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """``[start, end)`` in UTC."""
        following = self.next()
        start = datetime(self.year, self.month, 1, tzinfo=zone).astimezone(UTC)
        end = datetime(following.year, following.month, 1, tzinfo=zone).astimezone(UTC)
        return start, end


def months_between(first: Month, last: Month) -> list[Month]:
    if last < first:
        raise ValueError(f"{last.label} is before {first.label}")
    months = [first]
    while months[-1] < last:
        months.append(months[-1].next())
    return months


def quote(value: str) -> str:
    """A string literal of the conditions language (backslash and double quote escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def moment(value: datetime) -> str:
    return "[" + value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") + "]"


def in_list(path: str, values: Iterable[str]) -> str:
    return f"{path} IN ({','.join(quote(value) for value in values)})"


def within(path: str, start: datetime, end: datetime) -> str:
    return f"{path}>={moment(start)} AND {path}<{moment(end)}"


@dataclass(frozen=True)
class Definition:
    boards: tuple[str, ...]
    parent_only: bool
    closed_statuses: tuple[str, ...]
    time_entry_date: str = "timeStart"

    def reactive(self) -> str:
        condition = in_list("board/name", self.boards)
        return f"{condition} AND parentTicketId = null" if self.parent_only else condition

    def created(self, start: datetime, end: datetime) -> str:
        return f"{self.reactive()} AND {within('dateEntered', start, end)}"

    def closed(self, start: datetime, end: datetime) -> str:
        statuses = in_list("status/name", self.closed_statuses)
        return f"{self.reactive()} AND {statuses} AND {within('closedDate', start, end)}"

    def service_time(self, start: datetime, end: datetime) -> str:
        return f'chargeToType="ServiceTicket" AND {within(self.time_entry_date, start, end)}'

    def reactive_among(self, ticket_ids: Sequence[int]) -> str:
        return f"id IN ({','.join(str(int(ticket_id)) for ticket_id in ticket_ids)}) AND {self.reactive()}"


def batches(values: Sequence[int], size: int) -> list[Sequence[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
