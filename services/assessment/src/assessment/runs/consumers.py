"""Bus handlers of the assessment service: a Ninja ``snapshot.completed`` → assess that snapshot.

The handler runs inside the inbox transaction (``hub_shared.messaging.InboxConsumer``), so a redelivered
event changes nothing. With ``ASSESSMENT_DELAY_SECONDS`` > 0 it only records a scheduled run (see
``schedule/workers.py``): sleeping in the handler would hold the delivery and a transaction open for the whole
delay, and RabbitMQ closes a channel whose delivery stays unacknowledged too long.

When the snapshot belongs to a batch that asked for the Windows 11 assessment, the snapshot event's
``followup_jobs`` carries the batch's ``w24_`` job id and the run is reported under it: start and
progress at once in their own transactions, heartbeats while it runs, and ``completed`` in the same
transaction as the results. ThreatLocker snapshots are ignored.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.runs.service import JOB_NAME, reporter_for, run_job, settings_of
from assessment.schedule import service as schedule
from hub_shared.events import Event, SnapshotCompletedEvent
from hub_shared.logging import get_logger
from hub_shared.messaging import EventHandler
from hub_shared.runtime import ServiceRuntime
from hub_shared.timefmt import rfc3339

log = get_logger(__name__)


def make_snapshot_handler(runtime: ServiceRuntime) -> EventHandler:
    settings = settings_of(runtime)

    async def handle(session: AsyncSession, event: Event) -> None:
        if not isinstance(event, SnapshotCompletedEvent) or event.data.vendor != "ninja":
            return
        data = event.data
        job_id = data.followup_jobs.get(JOB_NAME)
        if settings.assessment_delay_seconds > 0:
            due_at = await schedule.schedule_run(
                session,
                event_id=event.event_id,
                snapshot_date=data.snapshot_date,
                delay_seconds=settings.assessment_delay_seconds,
                batch_id=data.batch_id,
                job_id=job_id,
            )
            reporter = reporter_for(runtime, job_id, data.batch_id)
            if reporter is not None:
                await reporter.progress(0, f"Windows 11 24H2 assessment scheduled for {rfc3339(due_at)}")
            log.info("assessment scheduled", snapshot_date=data.snapshot_date.isoformat(), due_at=rfc3339(due_at))
            return
        await run_job(
            runtime,
            session,
            snapshot_date=data.snapshot_date,
            batch_id=data.batch_id,
            job_id=job_id,
            event_id=event.event_id,
        )

    return handle
