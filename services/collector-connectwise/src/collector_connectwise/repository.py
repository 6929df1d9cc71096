"""All SQL of the ConnectWise collector (``connectwise.monthly_snapshots``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from collector_connectwise.models import monthly_snapshots as months


async def lock_month(session: AsyncSession, period: date) -> None:
    """One writer per month at a time (held until the transaction ends)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"connectwise.month:{period.isoformat()}"}
    )


async def upsert_month(session: AsyncSession, values: dict[str, Any]) -> None:
    statement = insert(months).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["period"],
            set_={
                **{name: statement.excluded[name] for name in values if name != "period"},
                "collected_at": func.now(),
            },
        )
    )


async def month_row(session: AsyncSession, period: date) -> RowMapping | None:
    row = await session.execute(select(months).where(months.c.period == period))
    return row.mappings().one_or_none()


async def rows_between(session: AsyncSession, first: date, last: date) -> list[RowMapping]:
    rows = await session.execute(
        select(months).where(months.c.period >= first, months.c.period <= last).order_by(months.c.period)
    )
    return list(rows.mappings())
