"""``snapshot.completed`` through the real broker and the real InboxConsumer: assess, report, dedupe."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from hub_shared.db import Database
from hub_shared.events import Event, SnapshotCompleted, dump_event, new_event
from hub_shared.metrics import BUS_CONSUMED
from hub_shared.runtime import ServiceRuntime

from .conftest import D1, HAND_MADE_COUNTS, hand_made_fleet, rows, scalar, seed_snapshot

W24 = "windows-11-24h2-assessment"


def snapshot_event(vendor: str = "ninja", **data: Any) -> Event:
    return new_event(
        SnapshotCompleted(vendor=vendor, snapshot_date=D1, device_count=16, **data), producer="collector_ninja"
    )


async def publish(runtime: ServiceRuntime, event: Event) -> None:
    assert runtime.bus is not None
    await runtime.bus.publish(
        dump_event(event), routing_key=event.type, message_id=str(event.event_id), event_type=event.type
    )


def consumed(runtime: ServiceRuntime, outcome: str) -> float:
    queue = f"{runtime.settings.amqp_queue_prefix}assessment.snapshots"
    return float(BUS_CONSUMED.labels("assessment", queue, "snapshot.completed", outcome)._value.get())


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def job_updates(database: Database, job_id: str) -> list[tuple[str, str | None]]:
    found = await rows(
        database,
        "SELECT payload FROM assessment.outbox WHERE type = 'job.updated' "
        "AND payload->'data'->>'job_id' = :job_id ORDER BY id",
        job_id=job_id,
    )
    return [(row[0]["data"]["status"], row[0]["data"]["message"]) for row in found]


async def test_snapshot_event_is_assessed_once_even_when_redelivered_and_reports_the_w24_job(
    database: Database, bus_runtime: Callable[..., Awaitable[ServiceRuntime]]
) -> None:
    await seed_snapshot(database, D1, [row for row, _, _ in hand_made_fleet().values()])
    runtime = await bus_runtime()
    job_id = f"w24_{uuid.uuid4().hex[:8]}"
    event = snapshot_event(batch_id="bc_0000abcd", job_id="ni_0000abcd", followup_jobs={W24: job_id})
    processed, duplicates = consumed(runtime, "processed"), consumed(runtime, "duplicate")

    await publish(runtime, event)
    await eventually(lambda: _at_least(runtime, "processed", processed + 1))
    # The same event again (a redelivery): recognised by its id, nothing changes.
    await publish(runtime, event)
    await eventually(lambda: _at_least(runtime, "duplicate", duplicates + 1))

    assert await rows(database, "SELECT trigger, batch_id, job_id, event_id, counts FROM assessment.runs") == [
        ("snapshot", "bc_0000abcd", job_id, event.event_id, HAND_MADE_COUNTS)
    ]
    assert await scalar(database, "SELECT count(*) FROM assessment.device_results") == 13
    assert await scalar(database, "SELECT count(*) FROM assessment.outbox WHERE type = 'assessment.completed'") == 1
    updates = await job_updates(database, job_id)
    assert updates[0][0] == "running"
    assert [status for status, _ in updates].count("completed") == 1 and updates[-1][0] == "completed"
    assert "13 Windows devices, 7 compatible, 5 incompatible" in str(updates[-1][1])


async def test_threatlocker_snapshots_are_ignored(
    database: Database, bus_runtime: Callable[..., Awaitable[ServiceRuntime]]
) -> None:
    await seed_snapshot(database, D1, [row for row, _, _ in hand_made_fleet().values()])
    runtime = await bus_runtime()
    processed = consumed(runtime, "processed")
    await publish(runtime, snapshot_event("threatlocker", followup_jobs={W24: "w24_0000ffff"}))
    await eventually(lambda: _at_least(runtime, "processed", processed + 1))
    assert await scalar(database, "SELECT count(*) FROM assessment.runs") == 0
    assert await job_updates(database, "w24_0000ffff") == []


async def test_without_a_batch_no_job_is_reported(
    database: Database, bus_runtime: Callable[..., Awaitable[ServiceRuntime]]
) -> None:
    await seed_snapshot(database, D1, [row for row, _, _ in hand_made_fleet().values()])
    runtime = await bus_runtime()
    processed = consumed(runtime, "processed")
    await publish(runtime, snapshot_event())
    await eventually(lambda: _at_least(runtime, "processed", processed + 1))
    assert await scalar(database, "SELECT count(*) FROM assessment.runs") == 1
    assert await scalar(database, "SELECT count(*) FROM assessment.outbox WHERE type = 'job.updated'") == 0


async def test_a_vanished_snapshot_fails_the_job_and_consumes_the_event(
    database: Database, bus_runtime: Callable[..., Awaitable[ServiceRuntime]]
) -> None:
    runtime = await bus_runtime()
    processed = consumed(runtime, "processed")
    await publish(runtime, snapshot_event(followup_jobs={W24: "w24_0000eeee"}))
    await eventually(lambda: _at_least(runtime, "processed", processed + 1))
    updates = await job_updates(database, "w24_0000eeee")
    assert [status for status, _ in updates] == ["running", "failed"]
    assert await scalar(database, "SELECT count(*) FROM assessment.runs") == 0


async def test_with_a_delay_the_run_is_scheduled_and_a_worker_runs_it_when_due(
    database: Database, bus_runtime: Callable[..., Awaitable[ServiceRuntime]]
) -> None:
    from assessment.schedule.workers import scheduled_run_worker

    await seed_snapshot(database, D1, [row for row, _, _ in hand_made_fleet().values()])
    runtime = await bus_runtime(assessment_delay_seconds=1.5, assessment_poll_seconds=0.05, job_heartbeat_seconds=0.2)
    processed = consumed(runtime, "processed")
    job_id = f"w24_{uuid.uuid4().hex[:8]}"
    await publish(runtime, snapshot_event(batch_id="bc_0000dddd", followup_jobs={W24: job_id}))
    await eventually(lambda: _at_least(runtime, "processed", processed + 1))
    # Scheduled, not run: the delivery is already acknowledged and the job says when it will run.
    assert await scalar(database, "SELECT count(*) FROM assessment.scheduled_runs") == 1
    assert "scheduled for" in str((await job_updates(database, job_id))[0][1])

    due_at = await scalar(database, "SELECT due_at FROM assessment.scheduled_runs")
    worker = asyncio.create_task(scheduled_run_worker(runtime))
    try:
        await eventually(lambda: _has_run(database))
        # Not run before it was due, however slow the machine: the run's own start is at or after its due time.
        assessed_at = await scalar(database, "SELECT assessed_at FROM assessment.runs")
        assert assessed_at >= due_at
        await eventually(lambda: _no_scheduled(database))
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    waiting = [message for status, message in await job_updates(database, job_id) if "scheduled for" in str(message)]
    assert len(waiting) >= 2  # heartbeats while it waited, so the gateway never thinks it stale
    updates = [status for status, _ in await job_updates(database, job_id)]
    assert updates[-1] == "completed" and updates.count("completed") == 1
    assert await rows(database, "SELECT counts FROM assessment.runs") == [(HAND_MADE_COUNTS,)]


async def _at_least(runtime: ServiceRuntime, outcome: str, value: float) -> bool:
    return consumed(runtime, outcome) >= value


async def _has_run(database: Database) -> bool:
    return bool(await scalar(database, "SELECT count(*) FROM assessment.runs"))


async def _no_scheduled(database: Database) -> bool:
    return not await scalar(database, "SELECT count(*) FROM assessment.scheduled_runs")
