"""Historical imports (no SQL, no HTTP): per-client seats and endpoints, and monthly metrics.

Both imports check every row first and reject bad ones with their line numbers; a file with any
rejected row writes nothing (fix it and run again), so a half-imported history never exists. A dry run
reports the same plan — new, updated, unchanged, removed or protected — and writes nothing.

- Clients: rows ``period, client_name, seats, endpoints`` become the ``historical`` counts of those
  months (``devices-by-client`` shows them for months without a Ninja snapshot). Upserted by
  (month, client); ``replace`` also removes the clients of those months that the file leaves out.
- Metrics: long rows ``period, metric_name, metric_value[, vendor_id][, notes]`` or wide rows
  ``period, <metric>, <metric>…[, notes]``. Stored as manual values through the same path as the API:
  a collected value is skipped (reported as protected) unless ``force``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from qbr.audit import service as audit
from qbr.audit.service import Actor, AuditEntry
from qbr.catalog import BY_NAME, METRIC_NAMES
from qbr.devices import service as devices
from qbr.imports.readers import (
    CellError,
    ImportFileError,
    Table,
    count_cell,
    id_cell,
    is_blank,
    number_cell,
    period_cell,
    text_cell,
)
from qbr.metrics import service as metrics
from qbr.metrics.service import MetricInput, PlannedChange
from qbr.periods import Month

CLIENT_COLUMNS = ("period", "client_name", "seats", "endpoints")
METRIC_LONG_COLUMNS = ("period", "metric_name", "metric_value")
METRIC_OPTIONAL_COLUMNS = ("vendor_id", "notes")
MAX_CLIENT_NAME = 300
MAX_NOTES = 2000


@dataclass(frozen=True)
class Rejected:
    line: int
    message: str


# ---------------------------------------------------------------------------------------------- clients


@dataclass(frozen=True)
class ClientRow:
    line: int
    month: Month
    client_name: str
    seats: int
    endpoints: int


ClientAction = Literal["insert", "update", "unchanged", "remove"]


@dataclass(frozen=True)
class ClientChange:
    action: ClientAction
    month: Month
    client_name: str
    line: int | None
    old: tuple[int, int] | None  # (seats, endpoints)
    new: tuple[int, int] | None


def check_columns(table: Table, required: Sequence[str], allowed: Sequence[str]) -> None:
    missing = [name for name in required if name not in table.columns]
    if missing:
        raise ImportFileError(
            f"missing columns: {', '.join(missing)} (found: {', '.join(table.columns) or 'none'}; "
            f"expected: {', '.join(allowed)})"
        )
    unknown = [name for name in table.columns if name not in allowed]
    if unknown:
        raise ImportFileError(f"unknown columns: {', '.join(unknown)} (allowed: {', '.join(allowed)})")


def parse_clients(table: Table) -> tuple[list[ClientRow], list[Rejected]]:
    check_columns(table, CLIENT_COLUMNS, CLIENT_COLUMNS)
    rows: list[ClientRow] = []
    rejected: list[Rejected] = []
    first_line: dict[tuple[Month, str], int] = {}
    for line, cells in table.rows:
        try:
            month = period_cell(cells["period"])
            name = text_cell(cells["client_name"])
            if name is None:
                raise CellError("client_name is required")
            if len(name) > MAX_CLIENT_NAME:
                raise CellError(f"client_name must be at most {MAX_CLIENT_NAME} characters")
            seats = count_cell(cells["seats"], "seats")
            endpoints = count_cell(cells["endpoints"], "endpoints")
            if seats > endpoints:
                raise CellError(
                    f"seats ({seats}) cannot exceed endpoints ({endpoints}): seats are billable workstations, "
                    "a subset of the billable endpoints"
                )
        except CellError as exc:
            rejected.append(Rejected(line, str(exc)))
            continue
        key = (month, name.casefold())
        if key in first_line:
            rejected.append(Rejected(line, f"{month.label} '{name}' is already on line {first_line[key]}"))
            continue
        first_line[key] = line
        rows.append(ClientRow(line, month, name, seats, endpoints))
    return rows, rejected


async def plan_clients(
    session: AsyncSession, organization_id: int, rows: Sequence[ClientRow], *, replace: bool
) -> list[ClientChange]:
    by_month: dict[Month, list[ClientRow]] = defaultdict(list)
    for row in rows:
        by_month[row.month].append(row)
    changes: list[ClientChange] = []
    for month in sorted(by_month):
        stored = await devices.lock_historical_month(session, organization_id, month)
        named = set()
        for row in by_month[month]:
            named.add(row.client_name)
            old = stored.get(row.client_name)
            new = (row.seats, row.endpoints)
            action: ClientAction = "insert" if old is None else ("unchanged" if old == new else "update")
            changes.append(ClientChange(action, month, row.client_name, row.line, old, new))
        if replace:
            for name in sorted(set(stored) - named):
                changes.append(ClientChange("remove", month, name, None, stored[name], None))
    return changes


def _counts(pair: tuple[int, int] | None) -> dict[str, int] | None:
    return None if pair is None else {"seats": pair[0], "endpoints": pair[1]}


async def apply_clients(
    session: AsyncSession, organization_id: int, changes: Sequence[ClientChange], actor: Actor, source_file: str
) -> None:
    """Write a plan made by :func:`plan_clients` in the same transaction (its month locks are held)."""
    by_month: dict[Month, list[ClientChange]] = defaultdict(list)
    for change in changes:
        by_month[change.month].append(change)
    entries: list[AuditEntry] = []
    for month, month_changes in sorted(by_month.items()):
        period = month.first_day
        written = [change for change in month_changes if change.action in ("insert", "update")]
        await devices.write_historical_month(
            session,
            organization_id,
            month,
            {change.client_name: change.new for change in written if change.new is not None},
            [change.client_name for change in month_changes if change.action == "remove"],
            actor.name,
        )
        entries.extend(
            AuditEntry(
                action="clients.import",
                organization_id=organization_id,
                subject=change.client_name,
                period=period,
                old_value=_counts(change.old),
                new_value=_counts(change.new),
                details={"file": source_file, "line": change.line, "change": change.action},
            )
            for change in month_changes
            if change.action != "unchanged"
        )
    await audit.record(session, actor, entries)


# ---------------------------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class MetricRow:
    line: int
    column: str | None  # the wide format's metric column
    month: Month
    metric: MetricInput


@dataclass
class MetricPlan:
    rows: list[MetricRow] = field(default_factory=list)
    changes: list[PlannedChange] = field(default_factory=list)  # parallel to rows


def metric_format(table: Table) -> Literal["long", "wide"]:
    if "metric_name" in table.columns or "metric_value" in table.columns:
        return "long"
    return "wide"


def parse_metrics(table: Table, source_file: str) -> tuple[list[MetricRow], list[Rejected]]:
    default_notes = f"Imported from {source_file}"
    if metric_format(table) == "long":
        check_columns(table, METRIC_LONG_COLUMNS, (*METRIC_LONG_COLUMNS, *METRIC_OPTIONAL_COLUMNS))
        return _parse_long(table, default_notes)
    metric_columns = [name for name in table.columns if name in BY_NAME]
    if "period" not in table.columns or not metric_columns:
        raise ImportFileError(
            "expected either the columns period, metric_name, metric_value[, vendor_id][, notes] or the columns "
            f"period and one column per metric (metrics: {', '.join(METRIC_NAMES)})"
        )
    check_columns(table, ("period",), ("period", "notes", *METRIC_NAMES))
    return _parse_wide(table, metric_columns, default_notes)


def _metric_input(name: str, value: Any, vendor: Any, notes: str | None, label: str) -> MetricInput:
    number = number_cell(value, label)
    definition = BY_NAME[name]
    if number < 0 and not definition.may_be_negative:
        raise CellError(f"{label} must not be negative for {name} (got {number})")
    vendor_id = id_cell(vendor, "vendor_id") if not is_blank(vendor) else definition.vendor_id
    if notes is not None and len(notes) > MAX_NOTES:
        raise CellError(f"notes must be at most {MAX_NOTES} characters")
    return MetricInput(name, number, vendor_id, notes)


def _parse_long(table: Table, default_notes: str) -> tuple[list[MetricRow], list[Rejected]]:
    rows: list[MetricRow] = []
    rejected: list[Rejected] = []
    first_line: dict[tuple[Month, str], int] = {}
    for line, cells in table.rows:
        try:
            month = period_cell(cells["period"])
            name = text_cell(cells["metric_name"])
            if name is None:
                raise CellError("metric_name is required")
            if name not in BY_NAME:
                raise CellError(f"unknown metric '{name}'")
            metric = _metric_input(
                name, cells["metric_value"], cells.get("vendor_id"), text_cell(cells.get("notes")) or default_notes,
                "metric_value",
            )  # fmt: skip
        except CellError as exc:
            rejected.append(Rejected(line, str(exc)))
            continue
        key = (month, name)
        if key in first_line:
            rejected.append(Rejected(line, f"{month.label} {name} is already on line {first_line[key]}"))
            continue
        first_line[key] = line
        rows.append(MetricRow(line, None, month, metric))
    return rows, rejected


def _parse_wide(
    table: Table, metric_columns: Sequence[str], default_notes: str
) -> tuple[list[MetricRow], list[Rejected]]:
    rows: list[MetricRow] = []
    rejected: list[Rejected] = []
    first_line: dict[Month, int] = {}
    for line, cells in table.rows:
        try:
            month = period_cell(cells["period"])
        except CellError as exc:
            rejected.append(Rejected(line, str(exc)))
            continue
        if month in first_line:
            rejected.append(Rejected(line, f"{month.label} is already on line {first_line[month]}"))
            continue
        first_line[month] = line
        notes = text_cell(cells.get("notes")) or default_notes
        problems = []
        found = []
        for column in metric_columns:
            if is_blank(cells[column]):
                continue
            try:
                found.append(MetricRow(line, column, month, _metric_input(column, cells[column], None, notes, column)))
            except CellError as exc:
                problems.append(str(exc))
        if problems:
            rejected.append(Rejected(line, "; ".join(problems)))
        elif not found:
            rejected.append(Rejected(line, "no metric values on this row"))
        else:
            rows.extend(found)
    return rows, rejected


async def plan_metrics(
    session: AsyncSession, organization_id: int, rows: Sequence[MetricRow], *, force: bool
) -> MetricPlan:
    by_month: dict[Month, list[MetricRow]] = defaultdict(list)
    for row in rows:
        by_month[row.month].append(row)
    plan = MetricPlan()
    for month in sorted(by_month):
        month_rows = by_month[month]
        changes = await metrics.plan_manual_month(
            session, organization_id, month, [row.metric for row in month_rows], force
        )
        plan.rows.extend(month_rows)
        plan.changes.extend(changes)
    return plan


async def apply_metrics(
    session: AsyncSession, organization_id: int, plan: MetricPlan, actor: Actor, source_file: str, *, force: bool
) -> None:
    by_month: dict[date, list[PlannedChange]] = defaultdict(list)
    months: dict[date, Month] = {}
    for row, change in zip(plan.rows, plan.changes, strict=True):
        by_month[row.month.first_day].append(change)
        months[row.month.first_day] = row.month
    for period, changes in sorted(by_month.items()):
        await metrics.apply_manual(
            session,
            organization_id,
            months[period],
            changes,
            actor,
            audit_action="metric.import",
            details={"file": source_file, "force": force},
        )
