"""The gateway's background loops themselves: the schedule worker, the stale-job worker, and readiness
with the schedule switched off (a disabled worker is not a dead one)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import generate_latest
from sqlalchemy import text

from gateway.collectors.schedule import fire_schedule, next_firing
from gateway.definition import SPEC as GATEWAY
from hub_shared.metrics import JOB_HEARTBEAT_AGE
from hub_shared.runtime import ServiceRuntime


async def batches(hub: Any) -> list[tuple[str, str]]:
    async with hub.database.transaction() as session:
        rows = await session.execute(text("SELECT batch_id, trigger FROM gateway.collector_batches ORDER BY 1"))
        return [tuple(row) for row in rows.all()]


async def wait_until(condition: Any, timeout: float = 20, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_two_gateway_replicas_firing_the_same_minute_at_once_start_one_batch(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=60, seed=1) as sim:
        # No collectors: the batch's jobs go stale within a second, so the batch ends without one running.
        hub = await hub_factory(sim, services=(), gateway={"stale_job_seconds": 1, "stale_check_interval_seconds": 0.2})
        first = hub.runtimes["gateway"]
        # A second replica: its own runtime (own connection pool) on the same database.
        second = ServiceRuntime(GATEWAY, first.settings, run_worker=False)
        try:
            fire_at = next_firing("0 2 * * *", datetime(2026, 11, 23, 12, tzinfo=UTC), first.settings)
            results = await asyncio.gather(*(fire_schedule(runtime, fire_at) for runtime in (first, second) * 3))
            started = [batch_id for batch_id in results if batch_id is not None]
            assert len(started) == 1 and started[0].startswith("bc_")
            assert await batches(hub) == [(started[0], "schedule")]
            await hub.wait_for_batch(started[0], timeout=30)

            # A replica that fires the same due time late, when no batch is running any more, starts nothing:
            # the due time itself is claimed once, not merely guarded by "a batch is already running".
            assert await fire_schedule(second, fire_at) is None
            assert await batches(hub) == [(started[0], "schedule")]
            following = await fire_schedule(second, fire_at + timedelta(days=1))
            assert following is not None and len(await batches(hub)) == 2
        finally:
            await second.database.dispose()


async def test_the_schedule_worker_starts_a_scheduled_batch_when_it_falls_due(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=60, seed=1) as sim:
        # Every second (croniter's sixth field), so the real loop falls due within the test.
        hub = await hub_factory(
            sim, services=(), gateway={"collector_schedule": "* * * * * *", "collector_schedule_enabled": True}
        )

        async def scheduled() -> bool:
            return any(trigger == "schedule" for _, trigger in await batches(hub))

        await wait_until(scheduled, what="the schedule worker to fire")
        async with hub.database.transaction() as session:
            firings = (
                await session.execute(text("SELECT count(*), count(DISTINCT fire_at) FROM gateway.schedule_firings"))
            ).one()
        assert firings[0] == firings[1] >= 1  # each due time claimed once
        ready = await hub.client.get("/ready")
        assert ready.status_code == 200 and ready.json()["checks"]["workers"] is True


async def test_the_stale_job_worker_fails_silent_jobs_on_its_own(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=60, seed=1) as sim:
        # No collector runs, so no job of the batch ever reports a heartbeat.
        hub = await hub_factory(sim, services=(), gateway={"stale_job_seconds": 1, "stale_check_interval_seconds": 0.2})
        batch = await hub.run_and_wait({"collector": "ninja", "run_cross_vendor": False}, timeout=30)
        job = batch["collectors"][0]
        assert batch["status"] == "failed"
        assert job["status"] == "failed" and job["error"].startswith("No heartbeat for ")


async def test_a_disabled_schedule_leaves_the_gateway_ready(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=60, seed=1) as sim:
        hub = await hub_factory(sim, services=(), gateway={"collector_schedule_enabled": False})
        await asyncio.sleep(0)  # the schedule worker has returned at once
        ready = await hub.client.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": True, "broker": True, "consumers": True, "workers": True}


async def test_the_stale_job_loop_exports_each_active_jobs_silence(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=60, seed=1) as sim:
        hub = await hub_factory(sim, services=(), gateway={"stale_check_interval_seconds": 0.2})
        started = await hub.client.post("/api/collectors/run", json={"collector": "ninja", "run_cross_vendor": False})
        assert started.status_code == 202
        gauge = JOB_HEARTBEAT_AGE.labels("ninja-collector")

        async def silent_for_a_second() -> bool:
            return gauge._value.get() >= 1.0

        await wait_until(silent_for_a_second, what="the heartbeat age of the silent ninja job")
        assert 'hub_job_heartbeat_age_seconds{job_name="ninja-collector"}' in generate_latest().decode()
        # The job ends (as a collector's final report would end it): no ninja job is active, the age reads 0.
        async with hub.database.transaction() as session:
            await session.execute(text("UPDATE gateway.collector_jobs SET status = 'completed'"))

        async def back_to_zero() -> bool:
            return gauge._value.get() == 0

        await wait_until(back_to_zero, what="the age to reset after the job ended")
