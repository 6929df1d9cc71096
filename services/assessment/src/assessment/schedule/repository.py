"""All SQL of scheduled runs (``assessment.scheduled_runs``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.models import scheduled_runs


async def schedule_run(
    session: AsyncSession,
    *,
    event_id: uuid.UUID,
    snapshot_date: date,
    due_at: datetime,
    batch_id: str | None,
    job_id: str | None,
) -> None:
    await session.execute(
        insert(scheduled_runs)
        .values(event_id=event_id, snapshot_date=snapshot_date, due_at=due_at, batch_id=batch_id, job_id=job_id)
        .on_conflict_do_nothing(index_elements=["event_id"])
    )


async def claim_due_run(session: AsyncSession, now: datetime) -> RowMapping | None:
    """The oldest due scheduled run, locked for this transaction (other replicas skip it)."""
    row = await session.execute(
        select(scheduled_runs)
        .where(scheduled_runs.c.due_at <= now)
        .order_by(scheduled_runs.c.due_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return row.mappings().first()


async def delete_scheduled_run(session: AsyncSession, event_id: uuid.UUID) -> None:
    await session.execute(delete(scheduled_runs).where(scheduled_runs.c.event_id == event_id))


async def waiting_runs(session: AsyncSession) -> list[RowMapping]:
    """Scheduled runs nobody is executing: a run a replica has claimed is row-locked and skipped, so its
    job does not get a "scheduled" heartbeat in the middle of the run."""
    rows = await session.execute(
        select(scheduled_runs).order_by(scheduled_runs.c.due_at).with_for_update(skip_locked=True)
    )
    return list(rows.mappings())
