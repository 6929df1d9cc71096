"""Computing a date's variance report and moving exceptions through their lifecycle (no SQL, no HTTP).

Report date: the latest date within ``VARIANCE_REPORT_WINDOW_DAYS`` (7) on which both vendors have a
snapshot. The run is idempotent: the same snapshots give the same exceptions, occurrences, counts and
states, so a repeated run (or a redelivered event) changes nothing but the report's revision.

The exceptions found move through their lifecycle (``variance.exceptions.lifecycle``: the rules, the
lock, the counts and the report revision) in the same transaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.snapshots import latest_common_snapshot_date
from variance.catalog import TYPE_CODES
from variance.checks import repository as repo
from variance.exceptions import service as exceptions
from variance.reports import service as reports
from variance.settings import VarianceSettings


@dataclass(frozen=True)
class CheckResult:
    report_date: date
    counts: dict[str, int]
    duration_ms: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Skipped:
    """No computation, and why (shown in the batch's ``cv_`` job)."""

    reason: str


async def report_date_for(session: AsyncSession, today: date, window_days: int) -> date | None:
    return await latest_common_snapshot_date(session, today - timedelta(days=window_days))


async def run_checks(
    session: AsyncSession,
    *,
    today: date,
    window_days: int,
    exempt_locations: list[str],
    batch_id: str | None = None,
    report_date: date | None = None,
    work_mem: str = "256MB",
) -> CheckResult | Skipped:
    """Compute the report of the latest common date (or ``report_date``) in the caller's transaction.

    Skipped when no date qualifies, or when a newer report already exists (the lifecycle only moves
    forward in time).
    """
    started = time.perf_counter()
    await exceptions.lock(session)
    day = report_date or await report_date_for(session, today, window_days)
    if day is None:
        return Skipped(f"no date in the last {window_days} days has snapshots from both vendors")
    newest = await reports.latest_report_date(session)
    if newest is not None and day < newest:
        return Skipped(f"{day.isoformat()} is older than the newest report ({newest.isoformat()})")
    now = datetime.now(UTC)
    snapshots = await exceptions.report_snapshots(session, day)
    await repo.find_variances(session, day, exempt_locations, work_mem)
    await exceptions.after_collection(session, repo.FOUND, day, snapshots.both_collected_at, now)
    duration_ms = int((time.perf_counter() - started) * 1000)
    totals = await exceptions.record_report(session, snapshots, now=now, batch_id=batch_id, duration_ms=duration_ms)
    counts = {code: totals.get(code, 0) for code in TYPE_CODES}
    return CheckResult(report_date=day, counts=counts, duration_ms=duration_ms)


async def run_checks_now(
    session: AsyncSession, settings: VarianceSettings, *, batch_id: str | None = None
) -> CheckResult | Skipped:
    """``run_checks`` for today's latest common date, with the service's settings."""
    return await run_checks(
        session,
        today=datetime.now(settings.timezone).date(),
        window_days=settings.variance_report_window_days,
        exempt_locations=settings.exempt_locations,
        work_mem=settings.variance_work_mem,
        batch_id=batch_id,
    )
