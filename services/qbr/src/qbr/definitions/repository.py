"""The SQL of the metric definitions: one month's stored values (``qbr.monthly_metrics``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qbr.models import monthly_metrics as metrics


async def month_values(session: AsyncSession, organization_id: int, period: date) -> dict[str, Decimal]:
    """Every stored value of the organisation's month by metric name (empty: the month has no rows).

    A month holds one row per metric; should it ever hold more, the newest ``updated_at`` wins, as it
    did in the replaced system.
    """
    rows = await session.execute(
        select(metrics.c.metric_name, metrics.c.metric_value)
        .where(metrics.c.organization_id == organization_id, metrics.c.period == period)
        .order_by(metrics.c.updated_at, metrics.c.id)
    )
    return {name: Decimal(value) for name, value in rows}
