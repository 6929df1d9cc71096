"""Bus handlers of the Ninja collector: ``collect.requested`` for vendor ``ninja``."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from collector_ninja.client import NinjaClient
from collector_ninja.service import collect_snapshot
from collector_ninja.settings import NinjaCollectorSettings
from hub_shared.collection import collect_handler
from hub_shared.jobs import JobReporter
from hub_shared.runtime import ServiceRuntime


async def collect_into(
    runtime: ServiceRuntime,
    session: AsyncSession,
    reporter: JobReporter,
    snapshot_date: date,
    job_id: str,
    batch_id: str | None,
) -> int:
    settings = runtime.settings
    assert isinstance(settings, NinjaCollectorSettings)
    async with NinjaClient(settings) as client:
        return await collect_snapshot(
            session, client, settings, snapshot_date, reporter, job_id=job_id, batch_id=batch_id
        )


make_collect_handler = collect_handler("ninja", collect_into)
