"""All SQL of scheduled reports and their runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.models import report_runs, reports


async def create(session: AsyncSession, values: dict[str, Any]) -> RowMapping:
    return (await session.execute(reports.insert().values(**values).returning(reports))).mappings().one()


async def replace(session: AsyncSession, report_id: int, values: dict[str, Any]) -> RowMapping | None:
    result = await session.execute(
        update(reports).where(reports.c.id == report_id).values(**values, updated_at=func.now()).returning(reports)
    )
    return result.mappings().first()


async def get(session: AsyncSession, report_id: int) -> RowMapping | None:
    return (await session.execute(select(reports).where(reports.c.id == report_id))).mappings().first()


async def remove(session: AsyncSession, report_id: int) -> bool:
    result = await session.execute(delete(reports).where(reports.c.id == report_id).returning(reports.c.id))
    return result.first() is not None


async def list_all(session: AsyncSession) -> Sequence[RowMapping]:
    return (await session.execute(select(reports).order_by(reports.c.id))).mappings().all()


async def enabled(session: AsyncSession) -> Sequence[RowMapping]:
    query = select(reports).where(reports.c.enabled.is_(True)).order_by(reports.c.id)
    return (await session.execute(query)).mappings().all()


async def claim_run(session: AsyncSession, report_id: int, due_at: datetime | None, trigger: str) -> int | None:
    """Insert the run for a due time; None when another replica already has it."""
    result = await session.execute(
        insert(report_runs)
        .values(report_id=report_id, due_at=due_at, trigger=trigger, status="rendered")
        .on_conflict_do_nothing(index_elements=["report_id", "due_at"])
        .returning(report_runs.c.id)
    )
    found = result.scalar_one_or_none()
    return int(found) if found is not None else None


async def store_run(session: AsyncSession, run_id: int, **values: Any) -> None:
    await session.execute(update(report_runs).where(report_runs.c.id == run_id).values(**values))


async def mark_fired(session: AsyncSession, report_id: int, at: datetime) -> None:
    await session.execute(update(reports).where(reports.c.id == report_id).values(last_fired_at=at))


async def runs_of(session: AsyncSession, report_id: int, limit: int = 20) -> Sequence[RowMapping]:
    query = (
        select(
            report_runs.c.id,
            report_runs.c.due_at,
            report_runs.c.trigger,
            report_runs.c.status,
            report_runs.c.filename,
            report_runs.c.content_type,
            func.octet_length(report_runs.c.content).label("size_bytes"),
            report_runs.c.error,
            report_runs.c.created_at,
        )
        .where(report_runs.c.report_id == report_id)
        .order_by(report_runs.c.id.desc())
        .limit(limit)
    )
    return (await session.execute(query)).mappings().all()
