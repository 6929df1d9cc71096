"""A collector killed mid-run leaves no partial snapshot, and the gateway fails its job from heartbeats."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

import aio_pika
from sqlalchemy import text

from hub_shared.db import Database


async def ninja_snapshot(database: Database) -> tuple[dict[str, int], list[tuple[str, object]]]:
    async with database.transaction() as session:
        rows = await session.execute(
            text("SELECT snapshot_date::text, count(*) FROM ninja.snapshot_devices GROUP BY 1")
        )
        snapshots = await session.execute(text("SELECT snapshot_date::text, collected_at FROM ninja.snapshots"))
        return {row[0]: int(row[1]) for row in rows}, [tuple(row) for row in snapshots]


async def test_killed_collector_leaves_no_partial_snapshot_and_its_job_is_failed_by_the_stale_check(
    vendor_sim, hub_factory, database_url, amqp_url, bus_names, tmp_path
) -> None:
    with vendor_sim(devices=2000, seed=21) as sim:
        hub = await hub_factory(sim, services=("collector_threatlocker",), gateway={"stale_job_seconds": 3})
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "AMQP_URL": amqp_url,
            "AMQP_EXCHANGE": bus_names.exchange,
            "AMQP_DEAD_EXCHANGE": bus_names.dead_exchange,
            "AMQP_QUEUE_PREFIX": bus_names.queue_prefix,
            "NINJA_BASE_URL": sim.ninja_url,
            "NINJA_CLIENT_ID": sim.sim.config.ninja_client_id,
            "NINJA_CLIENT_SECRET": sim.sim.config.ninja_client_secret,
            "NINJA_PAGE_SIZE": "100",
            "JOB_HEARTBEAT_SECONDS": "1",
            "OUTBOX_POLL_SECONDS": "0.5",
        }
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "collector_ninja",
            "worker",
            "--port",
            "0",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            first = await hub.run_and_wait({"collector": "ninja", "run_cross_vendor": False}, timeout=60)
            assert first["status"] == "completed"
            before = await ninja_snapshot(hub.database)
            assert sum(before[0].values()) == 2000

            sim.faults({"kind": "delay", "target": "ninja.devices_detailed", "ms": 400})
            response = await hub.client.post(
                "/api/collectors/run", json={"collector": "ninja", "run_cross_vendor": False}
            )
            batch_id = response.json()["batch_id"]
            job_id = response.json()["collectors"][0]["job_id"]
            for _ in range(200):
                job = (await hub.client.get(f"/api/collectors/runs/job/{job_id}")).json()
                if job["status"] == "running" and "page 3" in (job["message"] or ""):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"the collection never got going: {job}")
            worker.send_signal(signal.SIGKILL)
            await asyncio.wait_for(worker.wait(), 10)

            assert await ninja_snapshot(hub.database) == before  # the old snapshot, untouched

            await asyncio.sleep(3.5)
            cleaned = (await hub.client.post("/api/collectors/cleanup-stale")).json()
            assert [job["job_id"] for job in cleaned["cleaned_jobs"]] == [job_id]
            assert cleaned["cleaned_jobs"][0]["reason"].startswith("No heartbeat for ")
            batch = (await hub.client.get(f"/api/collectors/runs/batch/{batch_id}")).json()
            assert batch["status"] == "failed"
            assert batch["collectors"][0]["status"] == "failed"
            assert await ninja_snapshot(hub.database) == before
        finally:
            with contextlib.suppress(ProcessLookupError):
                worker.kill()
            # The unacknowledged request went back to the queue; drop it so no later test inherits it.
            connection = await aio_pika.connect(amqp_url)
            async with connection:
                channel = await connection.channel()
                queue = await channel.get_queue(f"{bus_names.queue_prefix}collector_ninja.collect", ensure=False)
                await queue.purge()
