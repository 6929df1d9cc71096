"""All SQL of collector runs (the gateway's batches, jobs and schedule firings)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.collectors.models import batches, jobs, schedule_firings

ACTIVE = ("queued", "running")
TERMINAL = ("completed", "failed", "cancelled")
COLLECTOR_JOB_NAMES = ("ninja-collector", "threatlocker-collector")


async def lock_run_creation(session: AsyncSession) -> None:
    """Serialise run creation so two clicks cannot both pass the "already running" check."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('gateway.collector-runs'))"))


async def active_jobs_for(session: AsyncSession, vendors: Sequence[str]) -> list[RowMapping]:
    rows = await session.execute(
        select(jobs).where(jobs.c.vendor.in_(vendors), jobs.c.status.in_(ACTIVE)).order_by(jobs.c.created_at)
    )
    return list(rows.mappings())


async def insert_batch(
    session: AsyncSession,
    *,
    batch_id: str,
    trigger: str,
    requested_by: str | None,
    snapshot_date: date | None,
    run_cross_vendor: bool,
    estimated_completion: datetime | None,
) -> None:
    await session.execute(
        batches.insert().values(
            batch_id=batch_id,
            trigger=trigger,
            requested_by=requested_by,
            snapshot_date=snapshot_date,
            run_cross_vendor=run_cross_vendor,
            status="queued",
            progress_percent=0,
            message="Queued",
            estimated_completion=estimated_completion,
        )
    )


async def insert_jobs(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await session.execute(jobs.insert(), [{"status": "queued", "progress_percent": 0, **row} for row in rows])


async def get_batch(session: AsyncSession, batch_id: str, *, for_update: bool = False) -> RowMapping | None:
    statement = select(batches).where(batches.c.batch_id == batch_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).mappings().first()


# A batch lists collectors first, then the cross-vendor checks, then the Windows 11 assessment.
JOB_ORDER = case(
    {
        "ninja-collector": 1,
        "threatlocker-collector": 2,
        "cross-vendor-checks": 3,
        "windows-11-24h2-assessment": 4,
    },
    value=jobs.c.job_name,
    else_=5,
)


async def jobs_of(session: AsyncSession, batch_id: str) -> list[RowMapping]:
    rows = await session.execute(
        select(jobs).where(jobs.c.batch_id == batch_id).order_by(JOB_ORDER, jobs.c.created_at, jobs.c.job_id)
    )
    return list(rows.mappings())


async def get_job(session: AsyncSession, job_id: str, *, for_update: bool = False) -> RowMapping | None:
    statement = select(jobs).where(jobs.c.job_id == job_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).mappings().first()


async def upsert_job_from_event(session: AsyncSession, values: dict[str, Any]) -> None:
    """A job the gateway did not create (a CLI run) is recorded when its first update arrives."""
    await session.execute(insert(jobs).values(**values).on_conflict_do_nothing(index_elements=["job_id"]))


async def update_job(session: AsyncSession, job_id: str, values: dict[str, Any]) -> None:
    await session.execute(update(jobs).where(jobs.c.job_id == job_id).values(**values))


async def update_batch(session: AsyncSession, batch_id: str, values: dict[str, Any]) -> None:
    await session.execute(update(batches).where(batches.c.batch_id == batch_id).values(**values))


async def stale_jobs(session: AsyncSession, older_than: datetime) -> list[RowMapping]:
    rows = await session.execute(
        select(jobs)
        .where(
            jobs.c.status.in_(ACTIVE),
            func.coalesce(jobs.c.last_heartbeat, jobs.c.started_at, jobs.c.created_at) < older_than,
        )
        .with_for_update(skip_locked=True)
    )
    return list(rows.mappings())


async def heartbeat_ages(session: AsyncSession) -> dict[str, float]:
    """Per job name, the longest silence among its active jobs, in seconds (database clock)."""
    last_sign = func.coalesce(jobs.c.last_heartbeat, jobs.c.started_at, jobs.c.created_at)
    rows = await session.execute(
        select(jobs.c.job_name, func.max(func.extract("epoch", func.now() - last_sign)))
        .where(jobs.c.status.in_(ACTIVE))
        .group_by(jobs.c.job_name)
    )
    return {name: float(age) for name, age in rows.all()}


async def history(session: AsyncSession, limit: int) -> list[RowMapping]:
    rows = await session.execute(
        select(jobs).where(jobs.c.job_name.in_(COLLECTOR_JOB_NAMES)).order_by(jobs.c.created_at.desc()).limit(limit)
    )
    return list(rows.mappings())


async def active_collector_jobs(session: AsyncSession) -> list[RowMapping]:
    rows = await session.execute(
        select(jobs)
        .where(jobs.c.job_name.in_(COLLECTOR_JOB_NAMES), jobs.c.status.in_(ACTIVE))
        .order_by(jobs.c.created_at)
    )
    return list(rows.mappings())


async def latest_job(session: AsyncSession, job_name: str) -> RowMapping | None:
    """The newest active job of that name, else the newest finished one."""
    statement = (
        select(
            jobs,
            batches.c.status.label("batch_status"),
            batches.c.progress_percent.label("batch_progress_percent"),
            batches.c.estimated_completion,
            batches.c.message.label("batch_message"),
        )
        .outerjoin(batches, batches.c.batch_id == jobs.c.batch_id)
        .where(jobs.c.job_name == job_name)
        .order_by(jobs.c.status.in_(ACTIVE).desc(), jobs.c.created_at.desc())
        .limit(1)
    )
    return (await session.execute(statement)).mappings().first()


async def job_with_batch(session: AsyncSession, job_id: str) -> RowMapping | None:
    statement = (
        select(
            jobs,
            batches.c.status.label("batch_status"),
            batches.c.progress_percent.label("batch_progress_percent"),
            batches.c.estimated_completion,
            batches.c.message.label("batch_message"),
        )
        .outerjoin(batches, batches.c.batch_id == jobs.c.batch_id)
        .where(jobs.c.job_id == job_id)
    )
    return (await session.execute(statement)).mappings().first()


async def recent_failures(session: AsyncSession, since: datetime) -> list[RowMapping]:
    rows = await session.execute(
        select(jobs)
        .where(
            jobs.c.job_name.in_(COLLECTOR_JOB_NAMES),
            jobs.c.status == "failed",
            or_(jobs.c.started_at >= since, and_(jobs.c.started_at.is_(None), jobs.c.created_at >= since)),
        )
        .order_by(jobs.c.created_at.desc())
    )
    return list(rows.mappings())


async def typical_duration_seconds(session: AsyncSession, job_name: str) -> float | None:
    """Median duration of the last ten completed runs, for an estimated completion time."""
    recent = (
        select((func.extract("epoch", jobs.c.ended_at - jobs.c.started_at)).label("seconds"))
        .where(jobs.c.job_name == job_name, jobs.c.status == "completed", jobs.c.started_at.is_not(None))
        .order_by(jobs.c.created_at.desc())
        .limit(10)
        .subquery()
    )
    value = (
        await session.execute(select(func.percentile_cont(0.5).within_group(recent.c.seconds)))
    ).scalar_one_or_none()
    return float(value) if value is not None else None


async def claim_firing(session: AsyncSession, schedule: str, fire_at: datetime) -> bool:
    result = await session.execute(
        insert(schedule_firings)
        .values(schedule=schedule, fire_at=fire_at)
        .on_conflict_do_nothing()
        .returning(schedule_firings.c.fire_at)
    )
    return result.first() is not None


async def record_firing_batch(session: AsyncSession, schedule: str, fire_at: datetime, batch_id: str | None) -> None:
    await session.execute(
        update(schedule_firings)
        .where(schedule_firings.c.schedule == schedule, schedule_firings.c.fire_at == fire_at)
        .values(batch_id=batch_id)
    )
