"""Background work of collector runs: the daily schedule and the stale-job check.

Scheduled runs take the same path as the button (trigger ``schedule``). Every replica computes the next
firing; the first to insert it into ``schedule_firings`` (under an advisory lock) starts the batch, the
others see the row and skip, so a firing happens once however many replicas run.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from croniter import croniter
from sqlalchemy import text

from gateway.collectors import repository as repo
from gateway.collectors.service import (
    ConnectWiseUnavailable,
    RunConflict,
    RunRequest,
    check_connectwise,
    cleanup_stale,
    export_heartbeat_ages,
    start_run,
)
from gateway.settings import GatewaySettings
from hub_shared.events import Collector
from hub_shared.logging import get_logger
from hub_shared.runtime import ServiceRuntime

log = get_logger(__name__)


def next_firing(cron: str, after: datetime, settings: GatewaySettings) -> datetime:
    local = after.astimezone(settings.timezone)
    upcoming: datetime = croniter(cron, local).get_next(datetime)
    return upcoming.astimezone(UTC)


async def fire_schedule(runtime: ServiceRuntime, fire_at: datetime) -> str | None:
    """Start the scheduled batch for one firing, unless another replica already did."""
    settings = runtime.settings
    assert isinstance(settings, GatewaySettings)
    vendors = await scheduled_collectors(runtime, settings)
    async with runtime.database.transaction() as session:
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('gateway.schedule'))"))
        if not await repo.claim_firing(session, settings.collector_schedule, fire_at):
            return None
        try:
            batch, _jobs = await start_run(
                session,
                runtime.tables,
                RunRequest(
                    vendors=vendors,
                    run_cross_vendor=True,
                    snapshot_date=None,
                    trigger="schedule",
                    requested_by="schedule",
                ),
                producer=runtime.spec.name,
            )
        except RunConflict as conflict:
            log.warning("scheduled run skipped: a collection is already running", batch_id=conflict.batch_id)
            return None
        await repo.record_firing_batch(session, settings.collector_schedule, fire_at, batch["batch_id"])
        log.info("scheduled collection started", batch_id=batch["batch_id"], fire_at=fire_at.isoformat())
        return str(batch["batch_id"])


async def scheduled_collectors(runtime: ServiceRuntime, settings: GatewaySettings) -> tuple[Collector, ...]:
    """Both device collectors, and ConnectWise (its current and previous month) when it is configured."""
    client = runtime.state.get("http")
    if client is None:
        return ("ninja", "threatlocker")
    try:
        await check_connectwise(client, settings.upstream_url("collector_connectwise"))
    except ConnectWiseUnavailable as exc:
        log.info("ConnectWise left out of the scheduled run", reason=str(exc))
        return ("ninja", "threatlocker")
    return ("ninja", "threatlocker", "connectwise")


async def schedule_worker(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    assert isinstance(settings, GatewaySettings)
    if not settings.collector_schedule_enabled:
        return
    while True:
        fire_at = next_firing(settings.collector_schedule, datetime.now(UTC), settings)
        await asyncio.sleep(max(0.0, (fire_at - datetime.now(UTC)).total_seconds()))
        try:
            await fire_schedule(runtime, fire_at)
        except Exception:
            log.exception("scheduled collection could not start")
        await asyncio.sleep(1)  # never fire the same minute twice


async def stale_job_worker(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    assert isinstance(settings, GatewaySettings)
    while True:
        try:
            async with runtime.database.transaction() as session:
                cleaned = await cleanup_stale(session, settings.stale_job_seconds)
                await export_heartbeat_ages(session)
            for job in cleaned:
                log.warning("stale job failed", job_id=job["job_id"], reason=job["reason"])
        except Exception as exc:
            log.warning("stale-job check skipped", error=str(exc))
        await asyncio.sleep(settings.stale_check_interval_seconds)
