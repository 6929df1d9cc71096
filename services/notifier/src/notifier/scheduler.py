"""Background work besides sending: evaluating signals in order, and a periodic tick for digests,
quiet-hour catch-ups, staleness, scheduled reports and the delivery gauges.

Each piece runs in its own transaction under its own advisory lock, so replicas never do the same
work twice (and a report fires once per due time: see ``reports.service``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.logging import bound, get_logger
from hub_shared.messaging import is_infrastructure_error
from hub_shared.runtime import ServiceRuntime
from notifier.deliveries import repository as deliveries_repo
from notifier.deliveries.service import flush_catchups, flush_digests
from notifier.metrics import DELIVERIES, OLDEST_PENDING, SIGNALS_PENDING
from notifier.reports import repository as reports_repo
from notifier.reports.service import latest_due, render, report_message
from notifier.settings import NotifierSettings
from notifier.signals import repository as signals_repo
from notifier.signals.service import check_staleness, evaluate
from notifier.upstream import Upstream, UpstreamError, UpstreamRefused

log = get_logger(__name__)
MAX_SIGNAL_ATTEMPTS = 20


def _settings(runtime: ServiceRuntime) -> NotifierSettings:
    settings = runtime.settings
    assert isinstance(settings, NotifierSettings)
    return settings


def upstream_of(runtime: ServiceRuntime) -> Upstream:
    upstream = runtime.state.get("upstream")
    if upstream is None:
        upstream = runtime.state["upstream"] = Upstream(_settings(runtime))
        runtime.on_stop(upstream.aclose)
    assert isinstance(upstream, Upstream)
    return upstream


def wake_deliveries(runtime: ServiceRuntime) -> None:
    wake = runtime.state.get("delivery_wake")
    if isinstance(wake, asyncio.Event):
        wake.set()


async def _lock(session: AsyncSession, name: str) -> bool:
    return bool((await session.execute(text("SELECT pg_try_advisory_xact_lock(hashtext(:n))"), {"n": name})).scalar())


# ---------------------------------------------------------------------------------------- signals


async def evaluate_next(runtime: ServiceRuntime, now: datetime | None = None) -> bool:
    """Evaluate the next signal; False when none is due."""
    settings = _settings(runtime)
    upstream = upstream_of(runtime)
    async with runtime.database.transaction() as session:
        row = await signals_repo.claim_next(session)
        if row is None:
            return False
        with bound(signal_id=row["id"], event_type=row["type"]):
            try:
                async with session.begin_nested():
                    outcome = await evaluate(session, settings, upstream, row, now or datetime.now(UTC))
            except UpstreamRefused as exc:
                await signals_repo.finish(session, row["id"], f"skipped: {exc}")
                log.warning("signal skipped", error=str(exc))
                return True
            except Exception as exc:
                if is_infrastructure_error(exc) and not isinstance(exc, UpstreamError):
                    raise
                attempts = int(row["attempts"]) + 1
                error = f"{type(exc).__name__}: {exc}"
                if attempts >= MAX_SIGNAL_ATTEMPTS:
                    await signals_repo.finish(session, row["id"], f"gave up after {attempts} attempts: {error}")
                    log.error("signal abandoned", error=error)
                else:
                    await signals_repo.postpone(session, row["id"], error, min(2.0**attempts, 300.0))
                    log.warning("signal evaluation postponed", attempts=attempts, error=error)
                return True
            await signals_repo.finish(session, row["id"], outcome)
            log.info("signal evaluated", outcome=outcome)
    wake_deliveries(runtime)
    return True


async def evaluator_worker(runtime: ServiceRuntime) -> None:
    settings = _settings(runtime)
    wake: asyncio.Event = runtime.state.setdefault("signal_wake", asyncio.Event())
    while True:
        try:
            while await evaluate_next(runtime):
                pass
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("evaluator paused", error=str(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), settings.notifier_poll_seconds)
        wake.clear()


# ---------------------------------------------------------------------------------------- reports


async def fire_report(
    runtime: ServiceRuntime, report: Mapping[Any, Any], due_at: datetime | None, trigger: str, now: datetime
) -> dict[str, Any] | None:
    """Render one report and queue its e-mail; None when another replica already fired this due time."""
    settings = _settings(runtime)
    async with runtime.database.transaction() as session:
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('notifier.reports'))"))
        run_id = await reports_repo.claim_run(session, int(report["id"]), due_at, trigger)
        if run_id is None:
            return None
        if due_at is not None:
            await reports_repo.mark_fired(session, int(report["id"]), due_at)
        try:
            document = await render(upstream_of(runtime), settings, report, now)
        except Exception as exc:
            if is_infrastructure_error(exc) and not isinstance(exc, UpstreamError):
                raise
            error = f"{type(exc).__name__}: {exc}"[:1000]
            await reports_repo.store_run(session, run_id, status="failed", error=error)
            log.warning("report could not be rendered", report_id=report["id"], error=error)
            return {"run_id": run_id, "status": "failed", "error": error, "delivery_id": None}
        await reports_repo.store_run(
            session,
            run_id,
            filename=document.filename,
            content_type=document.content_type,
            content=document.content,
        )
        message = report_message(report, document, now)
        delivery_id = await deliveries_repo.insert_delivery(
            session,
            kind="report",
            report_run_id=run_id,
            channel_kind="email",
            recipients=list(report["recipients"]),
            dedupe_key=f"report:{run_id}",
            subject=f"[Inventory Hub] {message['title']}",
            severity="info",
            message=message,
        )
    wake_deliveries(runtime)
    return {"run_id": run_id, "status": "rendered", "error": None, "delivery_id": delivery_id}


async def fire_due_reports(runtime: ServiceRuntime, now: datetime) -> int:
    settings = _settings(runtime)
    async with runtime.database.transaction() as session:
        candidates = await reports_repo.enabled(session)
    fired = 0
    for report in candidates:
        due = latest_due(report["cron"], now, settings)
        since = report["last_fired_at"] or report["created_at"]
        if due <= since:
            continue
        with bound(report_id=report["id"]):
            result = await fire_report(runtime, report, due, "schedule", now)
        fired += result is not None
    return fired


# ---------------------------------------------------------------------------------------- tick


async def refresh_gauges(runtime: ServiceRuntime) -> None:
    async with runtime.database.transaction() as session:
        counts = await deliveries_repo.status_counts(session)
        oldest = await deliveries_repo.oldest_pending_age(session)
        pending_signals = await signals_repo.pending_count(session)
    for status in ("pending", "delivered", "failed", "dead"):
        DELIVERIES.labels(status).set(counts.get(status, 0))
    OLDEST_PENDING.set(oldest)
    SIGNALS_PENDING.set(pending_signals)


async def tick(runtime: ServiceRuntime, now: datetime | None = None) -> dict[str, int]:
    """One round of the periodic work (tests call it with a chosen ``now``)."""
    settings = _settings(runtime)
    moment = now or datetime.now(UTC)
    done = {"catchups": 0, "digests": 0, "stale": 0, "reports": 0}
    async with runtime.database.transaction() as session:
        if await _lock(session, "notifier.tick"):
            done["catchups"] = await flush_catchups(session, settings, moment)
            done["digests"] = await flush_digests(session, settings, moment)
            done["stale"] = await check_staleness(session, settings, moment)
    done["reports"] = await fire_due_reports(runtime, moment)
    if any(done.values()):
        wake_deliveries(runtime)
    await refresh_gauges(runtime)
    return done


async def tick_worker(runtime: ServiceRuntime) -> None:
    settings = _settings(runtime)
    while True:
        try:
            await tick(runtime)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("scheduler tick failed", error=str(exc))
        await asyncio.sleep(settings.notifier_tick_seconds)
