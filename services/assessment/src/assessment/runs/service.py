"""Assessing a Ninja snapshot and reading the results back (logic only: SQL is in ``repository.py``).

:func:`assess_snapshot` streams every device of one snapshot date from ``ninja.snapshot_devices_v1``,
runs the pure rules of :mod:`assessment.readiness` on each, and replaces that date's per-device results
in the caller's transaction, together with the run's counts and the ``assessment.completed`` event.
Running it again for the same date gives the same rows (idempotent replace).

Which devices count (``reference/response-shapes.md`` §6 and ``domain-rules.md``): every device of the
snapshot goes through the rules, but only Windows workstations are *in scope* and get a stored result —
servers, Macs, Linux machines and VM guests are out of scope (``not_assessed`` by the rules) and are
only counted, as ``excluded_devices``. Within scope (these always add up):

    total_windows_devices = total_compatible_devices + incompatible_devices + not_assessed_devices
    total_compatible_devices = already_compatible_devices + compatible_for_upgrade_devices
    compatible_after_fix_devices ⊆ compatible_for_upgrade_devices

``compatible_after_fix`` (only a firmware setting is off: TPM disabled or Secure Boot capable but off)
counts as compatible — the rules say "fixable, not incompatible" — inside
``compatible_for_upgrade_devices``, and is also reported on its own. ``not_assessed_devices`` are
Windows workstations whose data is insufficient (e.g. TPM fields missing): never counted compatible.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.models import messaging
from assessment.outcomes import (
    compatibility_rate,
)
from assessment.runs import repository as repo
from assessment.runs.memo import OutcomeMemo
from assessment.settings import AssessmentSettings
from hub_shared.events import AssessmentCompleted, new_event, utcnow
from hub_shared.jobs import JobReporter
from hub_shared.logging import bound, get_logger
from hub_shared.messaging import enqueue, is_infrastructure_error
from hub_shared.runtime import ServiceRuntime

log = get_logger(__name__)

JOB_NAME = "windows-11-24h2-assessment"
CHUNK_SIZE = 5000

Progress = Callable[[int, str], Awaitable[None]]


class NoSnapshot(Exception):
    """There is no Ninja snapshot to assess (none collected yet, or that date's was pruned)."""


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    snapshot_date: date
    assessed_at: datetime
    device_count: int
    counts: dict[str, int]
    duration_ms: int

    @property
    def compatibility_rate(self) -> float | int:
        return compatibility_rate(self.counts)


# ------------------------------------------------------------------------------------- assessing


async def assess_snapshot(
    session: AsyncSession,
    snapshot_date: date | None,
    *,
    trigger: str,
    producer: str,
    batch_id: str | None = None,
    job_id: str | None = None,
    event_id: uuid.UUID | None = None,
    requested_by: str | None = None,
    retention_days: int = 65,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> RunSummary:
    """Assess the Ninja snapshot of ``snapshot_date`` (the latest when None) in the caller's transaction.

    Raises :class:`NoSnapshot` when there is no such snapshot.
    """
    started = time.perf_counter()
    await repo.lock_assessments(session)
    snapshot = await repo.ninja_snapshot(session, snapshot_date)
    if snapshot is None:
        if snapshot_date is None:
            raise NoSnapshot("No Ninja snapshot has been collected yet")
        raise NoSnapshot(f"There is no Ninja snapshot for {snapshot_date.isoformat()}")
    day: date = snapshot["snapshot_date"]
    expected = max(int(snapshot["device_count"] or 0), 1)
    assessed_at = utcnow()
    run_id = await repo.insert_run(
        session,
        snapshot_date=day,
        assessed_at=assessed_at,
        trigger=trigger,
        batch_id=batch_id,
        job_id=job_id,
        event_id=event_id,
        requested_by=requested_by,
    )

    memo = OutcomeMemo()
    await repo.clear_results(session, day)
    await repo.start_scratch(session)
    connection = await repo.raw_connection(session)
    # Outcome numbers of devices outside the Windows-workstation population: counted, not stored.
    excluded = memo.excluded
    tally = memo.tally
    done = sent = stored = 0
    last_reported = 0
    # While the database inserts one chunk's results, Python assesses the next chunk.
    inserting: asyncio.Task[int] | None = None
    chunks = repo.stream_hardware(session, day, chunk_size)
    chunk = await anext(chunks, None)
    try:
        while chunk is not None:
            device_ids: list[int] = []
            numbers: list[int] = []
            for record in chunk:
                number = memo.number_for(record[1:])
                tally[number] += 1
                if number not in excluded:
                    device_ids.append(record[0])
                    numbers.append(number)
            if inserting is not None:
                stored += await inserting
                inserting = None
            requirement_rows, outcome_rows = memo.take_pending()
            await repo.insert_requirement_results(session, requirement_rows)
            await repo.copy_outcomes(session, outcome_rows)
            done += len(chunk)
            sent += len(device_ids)
            # The next chunk is fetched before the connection is busy with this chunk's insert; the
            # insert task gets to send its statement before the next chunk's CPU work starts.
            chunk = await anext(chunks, None)
            inserting = asyncio.create_task(repo.insert_results(connection, day, run_id, device_ids, numbers))
            await asyncio.sleep(0)
            percent = 5 + int(85 * min(done, expected) / expected)
            if progress is not None and percent - last_reported >= 10:
                last_reported = percent
                await progress(percent, f"Windows 11 24H2: {done:,} of {expected:,} devices assessed")
        if inserting is not None:
            stored += await inserting
            inserting = None
    finally:
        if inserting is not None:
            # Let the statement finish, so the connection is usable for the rollback that follows.
            with contextlib.suppress(Exception):
                await inserting
    if stored != sent:
        # The snapshot was replaced while we read it; the collector's own snapshot.completed follows.
        raise RuntimeError(f"the Ninja snapshot of {day.isoformat()} changed during the assessment")

    counts = memo.counts()
    await repo.prune_results(session, day - timedelta(days=retention_days))
    duration_ms = int((time.perf_counter() - started) * 1000)
    await repo.finish_run(session, run_id, device_count=done, counts=counts, duration_ms=duration_ms)
    await enqueue(
        session,
        messaging,
        new_event(AssessmentCompleted(assessed_at=assessed_at, counts=counts, batch_id=batch_id), producer=producer),
    )
    return RunSummary(run_id, day, assessed_at, done, counts, duration_ms)


def summary_message(summary: RunSummary) -> str:
    """One line for job messages and logs."""
    counts = summary.counts
    return (
        f"Windows 11 24H2 ({summary.snapshot_date.isoformat()}): {counts['total_windows_devices']:,} Windows "
        f"devices, {counts['total_compatible_devices']:,} compatible, {counts['incompatible_devices']:,} "
        f"incompatible, {counts['not_assessed_devices']:,} not assessed"
    )


def summary_output(summary: RunSummary, stamp: str) -> str:
    """The ``output`` text of ``POST /run``, in the shape the replaced script printed."""
    counts = summary.counts
    return "\n".join(
        (
            f"{stamp} - INFO - Assessment complete:",
            f"  - Snapshot date: {summary.snapshot_date.isoformat()}",
            f"  - Total devices assessed: {counts['total_windows_devices']}",
            f"  - Compatible devices: {counts['total_compatible_devices']}",
            f"    - Already on 24H2 or newer: {counts['already_compatible_devices']}",
            f"    - Compatible for upgrade: {counts['compatible_for_upgrade_devices']}"
            f" (after a firmware fix: {counts['compatible_after_fix_devices']})",
            f"  - Incompatible devices: {counts['incompatible_devices']}",
            f"  - Not assessed (insufficient data): {counts['not_assessed_devices']}",
            f"  - Not Windows workstations (excluded): {counts['excluded_devices']}",
            f"  - Compatibility rate: {compatibility_rate(counts)}%",
        )
    )


# ------------------------------------------------------------------------------- as a batch job


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
                summary = await assess_snapshot(
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
            await reporter.finish(summary_message(summary), session=session)
        return summary
