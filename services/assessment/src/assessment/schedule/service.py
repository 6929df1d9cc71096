"""Scheduled runs: remember to assess a snapshot after the delay, claim what is due, forget what ran."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.schedule import repository as repo
from hub_shared.events import utcnow


async def schedule_run(
    session: AsyncSession,
    *,
    event_id: uuid.UUID,
    snapshot_date: date,
    delay_seconds: float,
    batch_id: str | None,
    job_id: str | None,
) -> datetime:
    """Remember to assess ``snapshot_date`` after the delay; returns when."""
    due_at = utcnow() + timedelta(seconds=delay_seconds)
    await repo.schedule_run(
        session,
        event_id=event_id,
        snapshot_date=snapshot_date,
        due_at=due_at,
        batch_id=batch_id,
        job_id=job_id,
    )
    return due_at


async def claim_due_run(session: AsyncSession) -> RowMapping | None:
    return await repo.claim_due_run(session, utcnow())


async def drop_scheduled_run(session: AsyncSession, event_id: uuid.UUID) -> None:
    await repo.delete_scheduled_run(session, event_id)


async def waiting_runs(session: AsyncSession) -> list[RowMapping]:
    return await repo.waiting_runs(session)
