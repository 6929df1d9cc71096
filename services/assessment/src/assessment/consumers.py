"""Bus handlers of the assessment service: a Ninja ``snapshot.completed`` → assess that snapshot.

The handler runs inside the inbox transaction (``hub_shared.messaging.InboxConsumer``), so a redelivered
event changes nothing. With ``ASSESSMENT_DELAY_SECONDS`` > 0 it only records a scheduled run (see
``workers.py``): sleeping in the handler would hold the delivery and a transaction open for the whole
delay, and RabbitMQ closes a channel whose delivery stays unacknowledged too long.

When the snapshot belongs to a batch that asked for the Windows 11 assessment, the snapshot event's
``followup_jobs`` carries the batch's ``w24_`` job id and the run is reported under it: start and
progress at once in their own transactions, heartbeats while it runs, and ``completed`` in the same
transaction as the results. ThreatLocker snapshots are ignored.
"""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from assessment import service
from assessment.models import messaging
from assessment.service import JOB_NAME, NoSnapshot, RunSummary
from assessment.settings import AssessmentSettings
from hub_shared.events import Event, SnapshotCompletedEvent
from hub_shared.jobs import JobReporter
from hub_shared.logging import bound, get_logger
from hub_shared.messaging import EventHandler, is_infrastructure_error
from hub_shared.runtime import ServiceRuntime
from hub_shared.timefmt import rfc3339

log = get_logger(__name__)


def settings_of(runtime: ServiceRuntime) -> AssessmentSettings:
    settings = runtime.settings
    assert isinstance(settings, AssessmentSettings)
    return settings


def reporter_for(runtime: ServiceRuntime, job_id: str | None, batch_id: str | None) -> JobReporter | None:
    if not job_id:
        return None
    return JobReporter(
        runtime.database,
        messaging,
        producer=runtime.spec.name,
        job_id=job_id,
        job_name=JOB_NAME,
        batch_id=batch_id,
    )


def make_snapshot_handler(runtime: ServiceRuntime) -> EventHandler:
    settings = settings_of(runtime)

    async def handle(session: AsyncSession, event: Event) -> None:
        if not isinstance(event, SnapshotCompletedEvent) or event.data.vendor != "ninja":
            return
        data = event.data
        job_id = data.followup_jobs.get(JOB_NAME)
        if settings.assessment_delay_seconds > 0:
            due_at = await service.schedule_run(
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


async def run_job(
    runtime: ServiceRuntime,
    session: AsyncSession,
    *,
    snapshot_date: date,
    batch_id: str | None,
    job_id: str | None,
    event_id: uuid.UUID | None,
) -> RunSummary | None:
    """Assess a snapshot for an event, reporting the batch job if any; None when it failed.

    The work happens in a savepoint of ``session``: a failure rolls it back (the previous results of
    that date stay) and fails the job; the caller still commits, so the event is consumed — the same
    input would only fail again. A database outage re-raises instead, so the consumer waits and retries.
    """
    settings = settings_of(runtime)
    reporter = reporter_for(runtime, job_id, batch_id)
    with bound(job_id=job_id, batch_id=batch_id, snapshot_date=snapshot_date.isoformat()):
        if reporter is not None:
            await reporter.start(f"Windows 11 24H2 assessment started for {snapshot_date.isoformat()}")
        try:
            async with AsyncExitStack() as stack:
                if reporter is not None:
                    await stack.enter_async_context(reporter.heartbeats(settings.job_heartbeat_seconds))
                await stack.enter_async_context(session.begin_nested())
                summary = await service.assess_snapshot(
                    session,
                    snapshot_date,
                    trigger="snapshot",
                    producer=runtime.spec.name,
                    batch_id=batch_id,
                    job_id=job_id,
                    event_id=event_id,
                    retention_days=settings.assessment_retention_days,
                    progress=reporter.progress if reporter is not None else None,
                )
        except NoSnapshot as exc:
            log.warning("nothing to assess", error=str(exc))
            if reporter is not None:
                await reporter.fail(str(exc), "Windows 11 24H2 assessment found no snapshot to assess")
            return None
        except Exception as exc:
            if is_infrastructure_error(exc):
                raise
            log.exception("assessment failed; previous results kept")
            if reporter is not None:
                await reporter.fail(f"{type(exc).__name__}: {exc}", "Windows 11 24H2 assessment failed")
            return None
        log.info("assessment completed", counts=summary.counts, duration_ms=summary.duration_ms)
        if reporter is not None:
            await reporter.finish(service.summary_message(summary), session=session)
        return summary
