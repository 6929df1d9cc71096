"""ConnectWise in collector runs: a ``cw_`` job with progress and heartbeats whose figures reach QBR as
collected metrics, the daily schedule including it only when configured, and a 400 naming the missing
settings when it is not."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text

from gateway.collectors.schedule import fire_schedule, scheduled_collectors
from hub_shared.testing.plugin import start_consumers
from qbr.definition import SPEC as QBR

REFERENCE = date(2025, 12, 15)


async def rows(hub: Any, sql: str, **params: Any) -> list[Any]:
    async with hub.database.transaction() as session:
        return list((await session.execute(text(sql), params)).mappings())


async def eventually(check: Any, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.2)


async def test_a_connectwise_run_reaches_qbr_as_collected_metrics(vendor_sim, hub_factory, service_settings) -> None:
    with vendor_sim(devices=60, seed=31, reference_date=REFERENCE) as sim:
        hub = await hub_factory(sim, services=("collector_connectwise",))
        qbr = await start_consumers(QBR, service_settings(QBR))
        try:
            response = await hub.client.post(
                "/api/collectors/run", json={"collectors": ["connectwise"], "snapshot_date": "2025-04-10"}
            )
            assert response.status_code == 202, response.text
            queued = response.json()
            assert [job["job_id"][:3] for job in queued["collectors"]] == ["cw_"]  # no cross-vendor follow-ups
            assert queued["collectors"][0]["job_name"] == "connectwise-collector"
            assert queued["message"] == "Collection queued: connectwise"  # promises no cross-vendor checks
            batch = await hub.wait_for_batch(queued["batch_id"])
            truth = (
                await asyncio.to_thread(
                    httpx.get, f"{sim.url}/_sim/truth/connectwise", params={"month": ["2025-03", "2025-04"]}
                )
            ).json()["months"]

            async def qbr_has_both_months() -> bool:
                found = await rows(
                    hub,
                    "SELECT count(*) AS n FROM qbr.monthly_metrics WHERE vendor_id = 3 AND data_source = 'collected'",
                )
                return int(found[0]["n"]) == 6

            await eventually(qbr_has_both_months)
        finally:
            await qbr.stop()
        job = (await hub.client.get(f"/api/collectors/runs/job/{queued['collectors'][0]['job_id']}")).json()
    assert batch["status"] == "completed", batch
    assert job["status"] == "completed" and job["progress_percent"] == 100 and job["last_heartbeat"]
    assert job["message"] == "ConnectWise: 2 month(s) collected (2025-03 to 2025-04)"
    # The job reported progress while it ran (the gateway's projection of its job.updated events).
    updates = await rows(
        hub,
        "SELECT payload->'data'->>'message' AS message FROM connectwise.outbox WHERE type = 'job.updated' ORDER BY id",
    )
    assert any("counting 2025-04 (2 of 2)" in (row["message"] or "") for row in updates)
    metrics = await rows(
        hub,
        "SELECT to_char(period, 'YYYY-MM') AS month, metric_name, metric_value FROM qbr.monthly_metrics "
        "WHERE vendor_id = 3 AND data_source = 'collected'",
    )
    got = {(row["month"], row["metric_name"]): Decimal(row["metric_value"]) for row in metrics}
    for item in truth:
        for name in ("reactive_tickets_created", "reactive_tickets_closed", "reactive_time_spent"):
            assert got[(item["month"], name)] == Decimal(str(item[name])), (item["month"], name)


async def test_the_schedule_includes_connectwise_only_when_configured(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=60, seed=32, reference_date=REFERENCE) as sim:
        hub = await hub_factory(sim, services=("collector_ninja", "collector_threatlocker", "collector_connectwise"))
        gateway = hub.runtimes["gateway"]
        assert await scheduled_collectors(gateway, gateway.settings) == ("ninja", "threatlocker", "connectwise")
        batch_id = await fire_schedule(gateway, datetime(2030, 1, 1, 8, tzinfo=UTC))
        assert batch_id is not None
        # (Variance and assessment do not run here: the batch's follow-up jobs stay queued.)

        async def collectors_done() -> bool:
            batch = (await hub.client.get(f"/api/collectors/runs/batch/{batch_id}")).json()
            jobs = [job for job in batch["collectors"] if job["job_name"].endswith("-collector")]
            return all(job["status"] in ("completed", "failed") for job in jobs)

        await eventually(collectors_done, timeout=120)
        batch = (await hub.client.get(f"/api/collectors/runs/batch/{batch_id}")).json()
    names = sorted(job["job_name"] for job in batch["collectors"])
    assert names == [
        "connectwise-collector",
        "cross-vendor-checks",
        "ninja-collector",
        "threatlocker-collector",
        "windows-11-24h2-assessment",
    ]
    connectwise = next(job for job in batch["collectors"] if job["job_name"] == "connectwise-collector")
    assert connectwise["job_id"].startswith("cw_") and connectwise["status"] == "completed"


async def test_unconfigured_connectwise_is_not_scheduled_and_a_run_asking_for_it_is_a_400(
    vendor_sim, hub_factory
) -> None:
    with vendor_sim(devices=60, seed=33, reference_date=REFERENCE) as sim:
        hub = await hub_factory(
            sim,
            services=("collector_connectwise",),
            collectors={"collector_connectwise": {"connectwise_private_key": None, "connectwise_client_id": None}},
        )
        gateway = hub.runtimes["gateway"]
        assert await scheduled_collectors(gateway, gateway.settings) == ("ninja", "threatlocker")
        refused = await hub.client.post("/api/collectors/run", json={"collectors": ["ninja", "connectwise"]})
        batches = await rows(hub, "SELECT count(*) AS n FROM gateway.collector_batches")
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"] == "ConnectWise is not configured: set CONNECTWISE_PRIVATE_KEY, CONNECTWISE_CLIENT_ID"
    assert body["missing_settings"] == ["CONNECTWISE_PRIVATE_KEY", "CONNECTWISE_CLIENT_ID"]
    assert int(batches[0]["n"]) == 0


async def test_an_unreachable_connectwise_collector_is_a_503_and_left_out_of_the_schedule(
    vendor_sim, hub_factory
) -> None:
    with vendor_sim(devices=60, seed=34, reference_date=REFERENCE) as sim:
        hub = await hub_factory(sim, services=("collector_ninja",))
        gateway = hub.runtimes["gateway"]
        assert await scheduled_collectors(gateway, gateway.settings) == ("ninja", "threatlocker")
        response = await hub.client.post("/api/collectors/run", json={"collectors": ["connectwise"]})
    assert response.status_code == 503 and "not reachable" in response.json()["error"]
