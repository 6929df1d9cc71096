"""Bus handler: every ``snapshot.completed`` (either vendor) recomputes the latest common date's report.

The computation, the ``variance.completed`` event and the batch's ``cv_`` job completion commit together
in the handler's transaction (the inbox row included, so a redelivered event changes nothing). A batch
with both vendors sends two events; each completes the job again with a fresh message.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.events import Event, SnapshotCompletedEvent, VarianceCompleted, new_event
from hub_shared.jobs import JobReporter
from hub_shared.logging import bound, get_logger
from hub_shared.messaging import EventHandler, enqueue, is_infrastructure_error
from hub_shared.runtime import ServiceRuntime
from variance.checks.service import Skipped, run_checks_now
from variance.models import messaging
from variance.reports.service import forget_latest
from variance.settings import VarianceSettings

CROSS_VENDOR_JOB = "cross-vendor-checks"
log = get_logger(__name__)


def make_snapshot_handler(runtime: ServiceRuntime) -> EventHandler:
    settings = runtime.settings
    assert isinstance(settings, VarianceSettings)

    async def handle(session: AsyncSession, event: Event) -> None:
        if not isinstance(event, SnapshotCompletedEvent):
            return
        data = event.data
        job_id = data.followup_jobs.get(CROSS_VENDOR_JOB)
        reporter = (
            JobReporter(
                runtime.database,
                messaging,
                producer=runtime.spec.name,
                job_id=job_id,
                job_name=CROSS_VENDOR_JOB,
                batch_id=data.batch_id,
            )
            if job_id
            else None
        )
        with bound(batch_id=data.batch_id, job_id=job_id, vendor=data.vendor):
            if reporter is not None:
                await reporter.start(f"Cross-vendor checks started ({data.vendor} snapshot of {data.snapshot_date})")
            try:
                # A savepoint, so a failed computation still lets the inbox row (and the failure) commit.
                async with session.begin_nested():
                    result = await run_checks_now(session, settings, batch_id=data.batch_id)
            except Exception as exc:
                if reporter is None or is_infrastructure_error(exc):
                    raise  # redelivered (or held until the database returns)
                log.exception("cross-vendor checks failed")
                await reporter.fail(f"{type(exc).__name__}: {exc}", "Cross-vendor checks failed")
                return
            forget_latest(runtime)
            if isinstance(result, Skipped):
                log.info("cross-vendor checks skipped", reason=result.reason)
                if reporter is not None:
                    await reporter.finish(f"Cross-vendor checks skipped: {result.reason}", session=session)
                return
            await enqueue(
                session,
                messaging,
                new_event(
                    VarianceCompleted(report_date=result.report_date, counts=result.counts, batch_id=data.batch_id),
                    producer=runtime.spec.name,
                ),
            )
            log.info(
                "variance computed",
                report_date=str(result.report_date),
                total=result.total,
                duration_ms=result.duration_ms,
            )
            if reporter is not None:
                await reporter.finish(
                    f"Cross-vendor checks for {result.report_date.isoformat()}: {result.total:,} exceptions",
                    session=session,
                )

    return handle
