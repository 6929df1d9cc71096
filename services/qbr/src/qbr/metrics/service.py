"""Monthly metrics: the spec's views, and the one write path for manual values (API and imports) and
collected ones (no SQL, no HTTP).

Protection (``spec/qbr-api.md``): a manual value never replaces a collected one unless the caller
forces it. A forced value is marked, and later collections of that month leave it in place, so a
deliberate correction is not undone by the next snapshot; an unforced manual value for a month that has
not been collected yet is replaced once the month is collected. One row per organisation, month and
metric: a manual entry updates that row, never adds a second one next to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.timefmt import rfc3339
from qbr.audit import service as audit
from qbr.audit.service import Actor, AuditEntry
from qbr.catalog import BY_NAME, NINJA_VENDOR_ID
from qbr.metrics import repository as repo
from qbr.metrics.aggregation import Aggregate, aggregate
from qbr.metrics.schemas import MetricInput
from qbr.numbers import round_half_up
from qbr.periods import Month, Quarter

Action = Literal["insert", "update", "unchanged", "protected"]
COLLECTED = "collected"
MANUAL = "manual"
# Quarterly aggregates are exact; the view shows them to 4 places (averages can repeat forever).
VIEW_PLACES = 4


@dataclass(frozen=True)
class PlannedChange:
    metric: MetricInput
    action: Action
    old: RowMapping | None
    forced: bool  # the value to store replaces (or keeps replacing) a collected one

    @property
    def writes(self) -> bool:
        return self.action in ("insert", "update")


def row_state(row: RowMapping | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "metric_value": float(row["metric_value"]),
        "vendor_id": row["vendor_id"],
        "data_source": row["data_source"],
        "notes": row["notes"],
    }


def plan_manual(existing: Mapping[str, RowMapping], inputs: Sequence[MetricInput], force: bool) -> list[PlannedChange]:
    """What storing these manual values would do to the month's rows (pure)."""
    plan = []
    for metric in inputs:
        old = existing.get(metric.metric_name)
        if old is None:
            plan.append(PlannedChange(metric, "insert", None, forced=False))
            continue
        replaces_collected = old["data_source"] == COLLECTED
        if replaces_collected and not force:
            plan.append(PlannedChange(metric, "protected", old, forced=False))
            continue
        forced = replaces_collected or bool(old["forced"])
        same = (
            old["data_source"] == MANUAL
            and Decimal(old["metric_value"]) == metric.metric_value
            and old["vendor_id"] == metric.vendor_id
            and old["notes"] == metric.notes
        )
        plan.append(PlannedChange(metric, "unchanged" if same else "update", old, forced=forced))
    return plan


async def plan_manual_month(
    session: AsyncSession, organization_id: int, month: Month, inputs: Sequence[MetricInput], force: bool
) -> list[PlannedChange]:
    """Lock the month and plan the writes (nothing written yet)."""
    await repo.lock_month(session, organization_id, month.first_day)
    existing = await repo.current(session, organization_id, month.first_day, [m.metric_name for m in inputs])
    return plan_manual(existing, inputs, force)


async def apply_manual(
    session: AsyncSession,
    organization_id: int,
    month: Month,
    plan: Sequence[PlannedChange],
    actor: Actor,
    *,
    audit_action: str,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Write the planned inserts and updates (the month must be locked by :func:`plan_manual_month`)."""
    entries = []
    for change in plan:
        if not change.writes:
            continue
        metric = change.metric
        await repo.upsert(
            session,
            organization_id=organization_id,
            period=month.first_day,
            metric_name=metric.metric_name,
            metric_value=metric.metric_value,
            vendor_id=metric.vendor_id,
            data_source=MANUAL,
            forced=change.forced,
            notes=metric.notes,
            updated_by=actor.name,
        )
        new = {
            "metric_value": float(metric.metric_value),
            "vendor_id": metric.vendor_id,
            "data_source": MANUAL,
            "notes": metric.notes,
        }
        entries.append(
            AuditEntry(
                action=audit_action,
                organization_id=organization_id,
                subject=metric.metric_name,
                period=month.first_day,
                old_value=row_state(change.old),
                new_value=new,
                details={**(details or {}), "forced": change.forced},
            )
        )
    await audit.record(session, actor, entries)
    return len(entries)


@dataclass(frozen=True)
class CollectedWrite:
    metric_name: str
    value: Decimal
    kept_manual: bool  # a forced manual value was left in place


async def write_collected(
    session: AsyncSession,
    organization_id: int,
    month: Month,
    values: Mapping[str, Decimal],
    notes: Mapping[str, str],
    collector: str,
    vendor_id: int = NINJA_VENDOR_ID,
) -> list[CollectedWrite]:
    """Store a collector's totals for a month (NinjaOne's by default; ConnectWise's are vendor 3), except
    where a person forced a manual value."""
    await repo.lock_month(session, organization_id, month.first_day)
    existing = await repo.current(session, organization_id, month.first_day, values)
    written = []
    for name, value in values.items():
        old = existing.get(name)
        if old is not None and old["data_source"] == MANUAL and old["forced"]:
            written.append(CollectedWrite(name, value, kept_manual=True))
            continue
        await repo.upsert(
            session,
            organization_id=organization_id,
            period=month.first_day,
            metric_name=name,
            metric_value=value,
            vendor_id=vendor_id,
            data_source=COLLECTED,
            forced=False,
            notes=notes.get(name),
            updated_by=collector,
        )
        written.append(CollectedWrite(name, value, kept_manual=False))
    return written


# ---------------------------------------------------------------------------------------------- reads


async def latest_month(session: AsyncSession, organization_id: int) -> Month | None:
    """The organisation's latest month with any value (None: it has none)."""
    latest = await repo.latest_period(session, organization_id)
    return None if latest is None else Month.of(latest)


async def has_values(session: AsyncSession, organization_id: int, month: Month) -> bool:
    return await repo.has_rows(session, organization_id, [month.first_day])


async def month_views(
    session: AsyncSession,
    organization_id: int,
    month: Month,
    *,
    vendor_id: int | None = None,
    metric_name: str | None = None,
    data_source: str | None = None,
) -> list[dict[str, Any]]:
    """The month's metrics as the monthly view shows them (filters narrow the list)."""
    rows = await repo.month_rows(
        session, organization_id, month.first_day, vendor_id=vendor_id, metric_name=metric_name, data_source=data_source
    )
    return [metric_view(row) for row in rows]


# ---------------------------------------------------------------------------------------------- views


def metric_view(row: RowMapping) -> dict[str, Any]:
    definition = BY_NAME.get(row["metric_name"])
    return {
        "metric_name": row["metric_name"],
        "metric_value": float(row["metric_value"]),
        "vendor_id": row["vendor_id"],
        "data_source": row["data_source"],
        "description": definition.description if definition else None,
        "notes": row["notes"],
        "updated_by": row["updated_by"],
        "updated_at": rfc3339(row["updated_at"]),
    }


async def quarter_aggregates(
    session: AsyncSession, organization_id: int, quarter: Quarter
) -> tuple[dict[str, Aggregate], list[Month]]:
    """The quarter's aggregates and the months that had any value."""
    months = quarter.months
    rows = await repo.values_for(session, organization_id, [month.first_day for month in months])
    by_month: dict[date, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        if row["metric_name"] in BY_NAME:
            by_month[row["period"]][row["metric_name"]] = Decimal(row["metric_value"])
    present = [month for month in months if month.first_day in by_month]
    return aggregate(by_month[month.first_day] for month in present), present


def view_value(value: Decimal) -> float:
    return float(round_half_up(value, VIEW_PLACES))


def quarterly_view(aggregates: Iterable[Aggregate]) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """The spec's ``{name: value}`` map and the replaced system's per-metric detail list."""
    values: dict[str, float] = {}
    details: list[dict[str, Any]] = []
    for item in aggregates:
        shown = view_value(item.value)
        values[item.metric_name] = shown
        details.append(
            {
                "metric_name": item.metric_name,
                "metric_value": shown,
                "description": BY_NAME[item.metric_name].description,
                "aggregation": item.aggregation,
                "months_with_data": item.months,
            }
        )
    return values, details
