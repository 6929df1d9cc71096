"""Background work: running delayed assessments when they fall due (``ASSESSMENT_DELAY_SECONDS``).

A scheduled run is a row in ``assessment.scheduled_runs``. The worker claims the oldest due row with
``FOR UPDATE SKIP LOCKED`` (so replicas never run one twice), assesses in that transaction and deletes
the row on commit; a crash or database outage leaves the row for the next attempt. While runs wait,
their batch jobs get heartbeats, so the gateway does not fail them as stale.
"""

from __future__ import annotations

import asyncio
import time

from assessment.runs.service import reporter_for, run_job, settings_of
from assessment.schedule import service
from hub_shared.logging import get_logger
from hub_shared.runtime import ServiceRuntime
from hub_shared.timefmt import rfc3339

log = get_logger(__name__)


async def run_due_once(runtime: ServiceRuntime) -> bool:
    """Run one due scheduled assessment; False when none is due."""
    async with runtime.database.transaction() as session:
        due = await service.claim_due_run(session)
        if due is None:
            return False
        await run_job(
            runtime,
            session,
            snapshot_date=due["snapshot_date"],
            batch_id=due["batch_id"],
            job_id=due["job_id"],
            event_id=due["event_id"],
        )
        await service.drop_scheduled_run(session, due["event_id"])
    return True


async def heartbeat_waiting_jobs(runtime: ServiceRuntime) -> None:
    async with runtime.database.transaction() as session:
        waiting = await service.waiting_runs(session)
    for run in waiting:
        reporter = reporter_for(runtime, run["job_id"], run["batch_id"])
        if reporter is not None:
            await reporter.progress(0, f"Windows 11 24H2 assessment scheduled for {rfc3339(run['due_at'])}")


async def scheduled_run_worker(runtime: ServiceRuntime) -> None:
    settings = settings_of(runtime)
    last_heartbeat = time.monotonic()
    while True:
        ran = False
        try:
            ran = await run_due_once(runtime)
            if time.monotonic() - last_heartbeat >= settings.job_heartbeat_seconds:
                last_heartbeat = time.monotonic()
                await heartbeat_waiting_jobs(runtime)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the loop must outlive a database outage
            log.warning("scheduled assessments paused", error=str(exc))
        if not ran:
            await asyncio.sleep(settings.assessment_poll_seconds)
