"""SmartNumber thresholds: storing an update with an audit trail, and the views (no SQL, no HTTP).

An update replaces a metric's whole threshold (a bound left out becomes null, as in the replaced
system). Every change is audited with the old and new bounds and the gateway-vouched caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from qbr.audit import service as audit
from qbr.audit.service import Actor, AuditEntry
from qbr.formulas import SMARTNUMBER_NAMES
from qbr.numbers import as_float as number
from qbr.thresholds import repository as repo
from qbr.thresholds.bands import Bands, status
from qbr.thresholds.schemas import ThresholdInput

BOUNDS = repo.BOUNDS


def bounds_of(row: RowMapping) -> Bands:
    return Bands(**{bound: row[bound] for bound in BOUNDS})


def state(row: RowMapping | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {**{bound: number(row[bound]) for bound in BOUNDS}, "notes": row["notes"]}


async def apply_update(
    session: AsyncSession, organization_id: int, thresholds: Sequence[ThresholdInput], actor: Actor
) -> int:
    """Store each threshold (replacing the metric's whole one), auditing the ones that changed."""
    names = [item.metric_name for item in thresholds]
    await repo.lock_organization(session, organization_id)
    existing = await repo.current(session, organization_id, names)
    entries = []
    for item in thresholds:
        await repo.upsert(
            session,
            organization_id=organization_id,
            metric_name=item.metric_name,
            bounds=item.bounds,
            notes=item.notes,
            updated_by=actor.name,
        )
        new = {**{bound: number(item.bounds[bound]) for bound in BOUNDS}, "notes": item.notes}
        old = state(existing.get(item.metric_name))
        if old != new:
            entries.append(
                AuditEntry(
                    action="threshold.set",
                    organization_id=organization_id,
                    subject=item.metric_name,
                    old_value=old,
                    new_value=new,
                )
            )
    await audit.record(session, actor, entries)
    return len(thresholds)


async def of_organization(session: AsyncSession, organization_id: int) -> list[RowMapping]:
    """The organisation's stored thresholds, by metric name."""
    return await repo.list_for(session, organization_id)


async def views(session: AsyncSession, organization_id: int) -> list[dict[str, Any]]:
    return [threshold_view(row) for row in await of_organization(session, organization_id)]


def threshold_view(row: RowMapping) -> dict[str, Any]:
    return {
        "metric_name": row["metric_name"],
        **{bound: number(row[bound]) for bound in BOUNDS},
        "notes": row["notes"],
    }


def statuses(
    values: Mapping[str, Decimal | None], rows: Iterable[RowMapping]
) -> tuple[dict[str, str | None], dict[str, dict[str, Any]]]:
    """Each SmartNumber's status (null without a value or a threshold), and the thresholds object of
    the inventory spec's SmartNumbers example: the bounds of each metric that has one, with its status."""
    by_name = {row["metric_name"]: row for row in rows}
    result: dict[str, str | None] = {}
    detail: dict[str, dict[str, Any]] = {}
    for name in SMARTNUMBER_NAMES:
        row = by_name.get(name)
        result[name] = status(values.get(name), bounds_of(row) if row is not None else None)
        if row is not None:
            detail[name] = {**{bound: number(row[bound]) for bound in BOUNDS}, "status": result[name]}
    return result, detail
