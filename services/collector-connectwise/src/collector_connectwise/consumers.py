"""Running ConnectWise collections as jobs: the ``collect.requested`` consumer and the ``collect`` command.

A job collects a run of months (the daily run: the current month and ``CONNECTWISE_MONTHS_BACK`` before
it). The consumer writes each month in a savepoint of the inbox transaction, so "completed" commits with
the figures; the command gives each month its own transaction, so a long backfill keeps what it got.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from collector_connectwise.client import ConnectWiseClient
from collector_connectwise.mapping import Month, months_between
from collector_connectwise.service import RunResult, collect_months, describe
from collector_connectwise.settings import ConnectWiseCollectorSettings
from hub_shared.events import CollectRequestedEvent, Event
from hub_shared.jobs import JobReporter
from hub_shared.logging import bound, get_logger
from hub_shared.messaging import EventHandler
from hub_shared.progress import ConsoleProgress
from hub_shared.runtime import ServiceRuntime, ServiceSpec

log = get_logger(__name__)

VENDOR = "connectwise"
JOB_NAME = "connectwise-collector"


def new_job_id() -> str:
    return f"cw_{uuid.uuid4().hex[:8]}"


def settings_of(runtime: ServiceRuntime) -> ConnectWiseCollectorSettings:
    settings = runtime.settings
    assert isinstance(settings, ConnectWiseCollectorSettings)
    return settings


def scheduled_months(settings: ConnectWiseCollectorSettings, day: date) -> list[Month]:
    """The month of ``day`` and the configured number before it (oldest first)."""
    last = Month.of(day)
    first = last
    for _ in range(settings.connectwise_months_back):
        first = first.previous()
    return months_between(first, last)


async def run_job(
    runtime: ServiceRuntime,
    months: list[Month],
    *,
    job_id: str,
    batch_id: str | None,
    session: AsyncSession | None = None,
    console: ConsoleProgress | None = None,
) -> RunResult | None:
    """Collect ``months`` as one job (``session``: write into savepoints of it; None: a transaction per month).
    Returns None when the collector is not configured."""
    settings = settings_of(runtime)
    reporter = JobReporter(
        runtime.database,
        runtime.tables,
        producer=runtime.spec.name,
        job_id=job_id,
        job_name=JOB_NAME,
        batch_id=batch_id,
        console=console,
    )
    span = months[0].label if len(months) == 1 else f"{months[0].label} to {months[-1].label}"
    with bound(job_id=job_id, batch_id=batch_id, vendor=VENDOR):
        if not settings.configured:
            missing = ", ".join(settings.missing_settings())
            await reporter.fail(f"ConnectWise is not configured: set {missing}", "ConnectWise collection not run")
            return None
        await reporter.start(f"ConnectWise collection started for {span}")

        @asynccontextmanager
        async def month_session() -> AsyncIterator[AsyncSession]:
            if session is not None:
                async with session.begin_nested():
                    yield session
            else:
                async with runtime.database.transaction() as own:
                    yield own

        async with reporter.heartbeats(settings.job_heartbeat_seconds), ConnectWiseClient(settings) as client:
            result = await collect_months(
                month_session, runtime.tables, client, settings, months, reporter, job_id=job_id, batch_id=batch_id
            )
        if result.ok:
            await reporter.finish(result.summary(), session=session)
        else:
            errors = "; ".join(f"{label}: {error}" for label, error in result.failed.items())
            await reporter.fail(errors, result.summary())
        return result


def make_collect_handler(runtime: ServiceRuntime) -> EventHandler:
    async def handle(session: AsyncSession, event: Event) -> None:
        if not isinstance(event, CollectRequestedEvent) or event.data.vendor != VENDOR:
            return
        settings = settings_of(runtime)
        day = event.data.snapshot_date or datetime.now(settings.timezone).date()
        await run_job(
            runtime,
            scheduled_months(settings, day),
            job_id=event.data.job_id,
            batch_id=event.data.batch_id,
            session=session,
        )

    return handle


def collect_command(spec: Callable[[], ServiceSpec]) -> Callable[[Any], None]:
    """``python -m collector_connectwise collect [--from YYYY-MM] [--to YYYY-MM]``: a backfill, no broker."""

    def run_once(args: argparse.Namespace, settings: ConnectWiseCollectorSettings) -> None:
        if not settings.configured:
            print(
                f"configuration error: ConnectWise is not configured: set {', '.join(settings.missing_settings())}",
                file=sys.stderr,
            )
            sys.exit(2)
        today = Month.of(datetime.now(settings.timezone).date())
        last = args.to or today
        first = args.from_ or (last.previous() if args.to is None else last)
        if last < first:
            print(f"--to {last.label} is before --from {first.label}", file=sys.stderr)
            sys.exit(2)
        months = months_between(first, last)
        console = ConsoleProgress("ConnectWise collection")

        async def run() -> RunResult | None:
            runtime = ServiceRuntime(spec(), settings, run_worker=False)
            try:
                return await run_job(runtime, months, job_id=new_job_id(), batch_id=None, console=console)
            finally:
                await runtime.stop()

        try:
            result = asyncio.run(run())
        finally:
            console.close()
        if result is None:
            sys.exit(2)
        for figures in result.collected:
            print(describe(figures))
        for label, error in result.failed.items():
            print(f"{label}: failed ({error}); previous figures kept")
        if not result.ok:
            sys.exit(1)

    def month_arg(value: str) -> Month:
        try:
            return Month.parse(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    def add(commands: Any) -> None:
        parser = commands.add_parser(
            "collect", help="collect months now, e.g. a backfill --from 2024-01 --to 2025-11 (no broker needed)"
        )
        parser.add_argument("--from", dest="from_", type=month_arg, help="first month, YYYY-MM (default: last month)")
        parser.add_argument("--to", type=month_arg, help="last month, YYYY-MM (default: this month)")
        parser.set_defaults(handler=run_once)

    return add
