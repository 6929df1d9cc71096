"""Running one vendor collection as a job: the flow both collectors share.

The collection writes inside a savepoint of the handler's transaction. If the vendor fails or the sync
looks incomplete, the savepoint rolls back — the previous snapshot stays untouched — and the job is
reported failed with a clear message; the triggering event is still consumed (retrying a vendor outage
at once would only fail again; the next run or the schedule will try later). On success the snapshot,
the ``snapshot.completed`` event and the job's ``completed`` update commit together.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.db import Database
from hub_shared.events import CollectionRefused, CollectRequestedEvent, Event, SnapshotCompleted, Vendor, new_event
from hub_shared.jobs import JobReporter
from hub_shared.logging import bound, get_logger
from hub_shared.messaging import EventHandler, MessagingTables, enqueue, is_infrastructure_error
from hub_shared.progress import ConsoleProgress
from hub_shared.runtime import ServiceRuntime, ServiceSpec
from hub_shared.settings import ServiceSettings
from hub_shared.vendor_http import VendorUnavailable

log = get_logger(__name__)

JOB_PREFIX: dict[Vendor, str] = {"ninja": "ni", "threatlocker": "th"}
VENDOR_LABEL: dict[Vendor, str] = {"ninja": "Ninja", "threatlocker": "ThreatLocker"}


class IncompleteSync(Exception):
    """The vendor's answer looks incomplete; keeping the previous snapshot is safer than trusting it."""


def new_job_id(vendor: Vendor) -> str:
    return f"{JOB_PREFIX[vendor]}_{uuid.uuid4().hex[:8]}"


def check_complete(
    vendor: Vendor, count: int, previous: int | None, max_drop_ratio: float, vendor_total: int | None = None
) -> None:
    label = VENDOR_LABEL[vendor]
    if vendor_total is not None and count < vendor_total:
        raise IncompleteSync(f"{label} reported {vendor_total} devices but only {count} were received")
    if count == 0 and previous:
        raise IncompleteSync(f"{label} returned no devices, but the previous snapshot had {previous}")
    if count == 0 and vendor_total != 0:
        # Even with nothing to compare against (a first sync), an empty inventory is far likelier an
        # outage or a wrong organisation id than the truth; only the vendor's own total of 0 says otherwise.
        said = "reports no total" if vendor_total is None else f"reported {vendor_total}"
        raise IncompleteSync(
            f"{label} returned no devices and {said}; an empty inventory is accepted only when the vendor's "
            "own total says zero"
        )
    if previous and count < previous * (1 - max_drop_ratio):
        raise IncompleteSync(
            f"{label} returned {count} devices, {previous - count} fewer than the previous snapshot's {previous} "
            f"(more than {max_drop_ratio:.0%} drop)"
        )


Collect = Callable[[AsyncSession, JobReporter], Awaitable[int]]


async def run_collection_job(
    database: Database,
    tables: MessagingTables,
    session: AsyncSession,
    *,
    producer: str,
    vendor: Vendor,
    snapshot_date: date,
    job_id: str,
    batch_id: str | None,
    heartbeat_seconds: float,
    collect: Collect,
    followup_jobs: dict[str, str] | None = None,
    console: ConsoleProgress | None = None,
) -> int | None:
    """Collect into ``session`` (the caller commits); returns the device count, or None when it failed."""
    reporter = JobReporter(
        database,
        tables,
        producer=producer,
        job_id=job_id,
        job_name=f"{vendor}-collector",
        batch_id=batch_id,
        console=console,
    )
    label = VENDOR_LABEL[vendor]
    with bound(job_id=job_id, batch_id=batch_id, vendor=vendor):
        await reporter.start(f"{label} collection started for {snapshot_date.isoformat()}")
        try:
            async with reporter.heartbeats(heartbeat_seconds), session.begin_nested():
                count = await collect(session, reporter)
                await enqueue(
                    session,
                    tables,
                    new_event(
                        SnapshotCompleted(
                            vendor=vendor,
                            snapshot_date=snapshot_date,
                            device_count=count,
                            batch_id=batch_id,
                            job_id=job_id,
                            followup_jobs=followup_jobs or {},
                        ),
                        producer=producer,
                    ),
                )
        except (VendorUnavailable, IncompleteSync) as exc:
            log.warning("collection failed; previous snapshot kept", error=str(exc))
            if isinstance(exc, IncompleteSync):
                # Announced with the handler's transaction (the savepoint above is gone): the notifier
                # tells people a sync was refused, not only that a job failed.
                refused = CollectionRefused(
                    vendor=vendor, snapshot_date=snapshot_date, reason=str(exc), batch_id=batch_id, job_id=job_id
                )
                await enqueue(session, tables, new_event(refused, producer=producer))
            await reporter.fail(str(exc), f"{label} collection failed; previous snapshot kept")
            return None
        except Exception as exc:
            if is_infrastructure_error(exc):
                raise  # the consumer waits for the database and runs the job again
            log.exception("collection crashed; previous snapshot kept")
            await reporter.fail(f"{type(exc).__name__}: {exc}", f"{label} collection failed unexpectedly")
            return None
        await reporter.finish(f"{label}: {count:,} devices collected for {snapshot_date.isoformat()}", session=session)
        return count


# ------------------------------------------------------------------------------------------ wiring
# Both collectors are wired the same way; each supplies only how to collect into a session.

CollectInto = Callable[[ServiceRuntime, AsyncSession, JobReporter, date, str, str | None], Awaitable[int]]


async def run_vendor_collection(
    runtime: ServiceRuntime,
    session: AsyncSession,
    vendor: Vendor,
    collect_into: CollectInto,
    *,
    snapshot_date: date,
    job_id: str,
    batch_id: str | None,
    followup_jobs: dict[str, str] | None = None,
    console: ConsoleProgress | None = None,
) -> int | None:
    async def collect(inner: AsyncSession, reporter: JobReporter) -> int:
        return await collect_into(runtime, inner, reporter, snapshot_date, job_id, batch_id)

    return await run_collection_job(
        runtime.database,
        runtime.tables,
        session,
        producer=runtime.spec.name,
        vendor=vendor,
        snapshot_date=snapshot_date,
        job_id=job_id,
        batch_id=batch_id,
        heartbeat_seconds=float(getattr(runtime.settings, "job_heartbeat_seconds", 15)),
        collect=collect,
        followup_jobs=followup_jobs,
        console=console,
    )


def collect_handler(vendor: Vendor, collect_into: CollectInto) -> Callable[[ServiceRuntime], EventHandler]:
    """The ``collect.requested`` consumer of one vendor's collector."""

    def make(runtime: ServiceRuntime) -> EventHandler:
        async def handle(session: AsyncSession, event: Event) -> None:
            if not isinstance(event, CollectRequestedEvent) or event.data.vendor != vendor:
                return
            await run_vendor_collection(
                runtime,
                session,
                vendor,
                collect_into,
                snapshot_date=event.data.snapshot_date or datetime.now(runtime.settings.timezone).date(),
                job_id=event.data.job_id,
                batch_id=event.data.batch_id,
                followup_jobs=event.data.followup_jobs,
            )

        return handle

    return make


def collect_command(
    vendor: Vendor, collect_into: CollectInto, spec: Callable[[], ServiceSpec]
) -> Callable[[Any], None]:
    """``python -m <collector> collect [--snapshot-date YYYY-MM-DD]``: one run now, no broker needed."""

    def run_once(args: argparse.Namespace, settings: ServiceSettings) -> None:
        console = ConsoleProgress(f"{VENDOR_LABEL[vendor]} collection")

        async def run() -> int | None:
            runtime = ServiceRuntime(spec(), settings, run_worker=False)
            try:
                snapshot_date = args.snapshot_date or datetime.now(settings.timezone).date()
                async with runtime.database.transaction() as session:
                    return await run_vendor_collection(
                        runtime,
                        session,
                        vendor,
                        collect_into,
                        snapshot_date=snapshot_date,
                        job_id=new_job_id(vendor),
                        batch_id=None,
                        console=console,
                    )
            finally:
                await runtime.stop()

        try:
            count = asyncio.run(run())
        finally:
            console.close()
        if count is None:
            sys.exit(1)
        print(f"collected {count} {VENDOR_LABEL[vendor]} devices")

    def add(commands: Any) -> None:
        parser = commands.add_parser("collect", help="collect one snapshot now (no broker needed)")
        parser.add_argument("--snapshot-date", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.set_defaults(handler=run_once)

    return add
