"""All SQL of the SmartNumber thresholds (``qbr.thresholds``)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from qbr.models import thresholds

BOUNDS = ("green_min", "green_max", "yellow_min", "yellow_max", "red_threshold")


async def list_for(session: AsyncSession, organization_id: int) -> list[RowMapping]:
    rows = await session.execute(
        select(thresholds).where(thresholds.c.organization_id == organization_id).order_by(thresholds.c.metric_name)
    )
    return list(rows.mappings())


async def lock_organization(session: AsyncSession, organization_id: int) -> None:
    """Serialise threshold writers of one organisation until the transaction ends. Row locks alone do not:
    a threshold set for the first time has no row to lock, so two such requests would both read "none"
    and the second would audit the wrong old value."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"qbr.thresholds:{organization_id}"}
    )


async def current(session: AsyncSession, organization_id: int, names: Iterable[str]) -> dict[str, RowMapping]:
    """The stored thresholds of these SmartNumbers (call :func:`lock_organization` first when writing)."""
    rows = await session.execute(
        select(thresholds).where(
            thresholds.c.organization_id == organization_id, thresholds.c.metric_name.in_(list(names))
        )
    )
    return {row["metric_name"]: row for row in rows.mappings()}


async def upsert(
    session: AsyncSession,
    *,
    organization_id: int,
    metric_name: str,
    bounds: dict[str, Decimal | None],
    notes: str | None,
    updated_by: str,
) -> None:
    values = {
        "organization_id": organization_id,
        "metric_name": metric_name,
        **{name: bounds.get(name) for name in BOUNDS},
        "notes": notes,
        "updated_by": updated_by,
    }
    statement = insert(thresholds).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["organization_id", "metric_name"],
            set_={
                **{name: statement.excluded[name] for name in (*BOUNDS, "notes", "updated_by")},
                "updated_at": func.now(),
            },
        )
    )
