"""The retention worker itself: it prunes on every round at its interval, and keeps the boundary day."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import text

from hub_shared.runtime import ServiceRuntime
from variance.definition import SPEC
from variance.retention import retention_worker

from .conftest import days_ago


async def add_occurrence(database, key: str, day: date) -> None:
    async with database.transaction() as session:
        exception_id = (
            await session.execute(
                text(
                    "INSERT INTO variance.exceptions (type, key, status, present, first_seen, last_seen, details, "
                    "organization) VALUES ('MISSING_NINJA', :key, 'resolved', false, :day, :day, '{}', 'Acme') "
                    "RETURNING id"
                ),
                {"key": key, "day": day},
            )
        ).scalar_one()
        await session.execute(
            text(
                "INSERT INTO variance.occurrences (report_date, exception_id, type, key, status, details, "
                "organization) VALUES (:day, :id, 'MISSING_NINJA', :key, 'active', '{}', 'Acme')"
            ),
            {"day": day, "id": exception_id, "key": key},
        )


async def occurrence_keys(database) -> list[str]:
    async with database.transaction() as session:
        return list((await session.execute(text("SELECT key FROM variance.occurrences ORDER BY key"))).scalars())


async def test_the_retention_worker_prunes_every_round_and_keeps_the_boundary_day(database, service_settings) -> None:
    settings = service_settings(SPEC, variance_retention_days=30, variance_retention_interval_seconds=0.2)
    runtime = ServiceRuntime(SPEC, settings, run_worker=False)
    worker = asyncio.create_task(retention_worker(runtime))
    try:
        await add_occurrence(database, "on-the-boundary", days_ago(30))
        await add_occurrence(database, "one-day-past", days_ago(31))
        # Rows written after the worker started are pruned by a later round: the loop repeats at its interval.
        for _ in range(100):
            if await occurrence_keys(database) == ["on-the-boundary"]:
                break
            await asyncio.sleep(0.1)
        assert await occurrence_keys(database) == ["on-the-boundary"]
        await add_occurrence(database, "added-later", days_ago(40))
        for _ in range(100):
            if await occurrence_keys(database) == ["on-the-boundary"]:
                break
            await asyncio.sleep(0.1)
        assert await occurrence_keys(database) == ["on-the-boundary"]
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        await runtime.stop()
