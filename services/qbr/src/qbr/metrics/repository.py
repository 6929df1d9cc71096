"""All SQL of the monthly metrics (``qbr.monthly_metrics``).

Writers of one organisation's month (manual entries, imports, collections) serialise on a transaction
advisory lock, so the "is this value collected?" check and the write that follows cannot interleave.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from qbr.models import monthly_metrics as metrics


async def lock_month(session: AsyncSession, organization_id: int, period: date) -> None:
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
        {"key": f"qbr.month:{organization_id}:{period.isoformat()}"},
    )


async def latest_period(session: AsyncSession, organization_id: int) -> date | None:
    row = await session.execute(select(func.max(metrics.c.period)).where(metrics.c.organization_id == organization_id))
    return row.scalar_one_or_none()


async def has_rows(session: AsyncSession, organization_id: int, periods: Sequence[date]) -> bool:
    row = await session.execute(
        select(exists().where(metrics.c.organization_id == organization_id, metrics.c.period.in_(list(periods))))
    )
    return bool(row.scalar_one())


async def month_rows(
    session: AsyncSession,
    organization_id: int,
    period: date,
    *,
    vendor_id: int | None = None,
    metric_name: str | None = None,
    data_source: str | None = None,
) -> list[RowMapping]:
    """The month's metrics, by vendor (company-wide last), then name — the spec example's order."""
    query = select(metrics).where(metrics.c.organization_id == organization_id, metrics.c.period == period)
    if vendor_id is not None:
        query = query.where(metrics.c.vendor_id == vendor_id)
    if metric_name is not None:
        query = query.where(metrics.c.metric_name == metric_name)
    if data_source is not None:
        query = query.where(metrics.c.data_source == data_source)
    rows = await session.execute(query.order_by(metrics.c.vendor_id.asc().nulls_last(), metrics.c.metric_name))
    return list(rows.mappings())


async def values_for(session: AsyncSession, organization_id: int, periods: Sequence[date]) -> list[RowMapping]:
    """(period, metric_name, metric_value) of every metric in these months."""
    rows = await session.execute(
        select(metrics.c.period, metrics.c.metric_name, metrics.c.metric_value)
        .where(metrics.c.organization_id == organization_id, metrics.c.period.in_(list(periods)))
        .order_by(metrics.c.period, metrics.c.metric_name)
    )
    return list(rows.mappings())


async def current(
    session: AsyncSession, organization_id: int, period: date, names: Iterable[str]
) -> dict[str, RowMapping]:
    rows = await session.execute(
        select(metrics).where(
            metrics.c.organization_id == organization_id,
            metrics.c.period == period,
            metrics.c.metric_name.in_(list(names)),
        )
    )
    return {row["metric_name"]: row for row in rows.mappings()}


async def upsert(
    session: AsyncSession,
    *,
    organization_id: int,
    period: date,
    metric_name: str,
    metric_value: Decimal,
    vendor_id: int | None,
    data_source: str,
    forced: bool,
    notes: str | None,
    updated_by: str,
) -> None:
    values = {
        "organization_id": organization_id,
        "period": period,
        "metric_name": metric_name,
        "metric_value": metric_value,
        "vendor_id": vendor_id,
        "data_source": data_source,
        "forced": forced,
        "notes": notes,
        "updated_by": updated_by,
    }
    statement = insert(metrics).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["organization_id", "period", "metric_name"],
            set_={
                **{name: statement.excluded[name] for name in values if name not in ("organization_id", "period")},
                "updated_at": func.now(),
            },
        )
    )
