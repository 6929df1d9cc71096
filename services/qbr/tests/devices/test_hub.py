"""End to end: the simulator's NinjaOne fleet collected through the gateway and the Ninja collector, the
``snapshot.completed`` event consumed by the qbr service over the real broker, and the public
``devices-by-client`` answer compared with the simulator's own per-organisation counts."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import date
from typing import Any

import httpx
from sqlalchemy import text

from hub_shared.app import create_app
from hub_shared.runtime import ServiceRuntime
from hub_shared.testing.servers import running_server
from qbr.definition import SPEC

from ..conftest import eventually, signed

DAY = date(2026, 10, 30)


async def test_devices_by_client_of_a_collected_month_equals_the_snapshot(
    vendor_sim: Callable[..., Any], hub_factory: Callable[..., Any], qbr_settings: Callable[..., Any]
) -> None:
    with vendor_sim(devices=400, seed=11) as sim:
        internal = sim.sim.config.internal_org_name
        settings = qbr_settings(hub_internal_organizations=[internal])
        runtime = ServiceRuntime(SPEC, settings)
        async with AsyncExitStack() as stack:
            url = await stack.enter_async_context(running_server(create_app(runtime)))
            hub = await hub_factory(sim, services=("collector_ninja",), gateway={"qbr_url": url})
            assert runtime.bus is not None
            await runtime.bus.wait_ready(15)
            batch = await hub.run_and_wait(
                {"collectors": ["ninja"], "run_cross_vendor": False, "snapshot_date": DAY.isoformat()}, timeout=60
            )
            assert batch["status"] == "completed", batch

            async def consumed() -> bool:
                async with hub.database.transaction() as session:
                    return int((await session.execute(text("SELECT count(*) FROM qbr.inbox"))).scalar_one()) == 1

            await eventually(consumed, timeout=30)

            truth = sim.truth()
            organizations = truth["organizations"]
            expected = sorted(
                (
                    {"client_name": org["name"], "seats": org["seats"], "endpoints": org["endpoints"]}
                    for org in organizations
                    if not org["internal"] and org["endpoints"] > 0
                ),
                key=lambda client: (-client["endpoints"], client["client_name"]),
            )
            assert len(expected) > 3 and any(org["internal"] and org["endpoints"] for org in organizations)

            # Public through the gateway: no session needed.
            answer = await hub.client.get("/api/qbr/metrics/devices-by-client", params={"period": "2026-10"})
            assert answer.status_code == 200, answer.text
            data = answer.json()["data"]
            assert (data["data_source"], data["snapshot_date"], data["period"]) == ("live", DAY.isoformat(), "2026-10")
            assert data["clients"] == expected
            assert data["total_seats"] == sum(client["seats"] for client in expected)
            assert data["total_endpoints"] == sum(client["endpoints"] for client in expected)

            # The month's collected totals; the metric routes are protected at the gateway.
            assert (await hub.client.get("/api/qbr/metrics/monthly")).status_code == 401
            async with httpx.AsyncClient(base_url=url) as direct:
                monthly = await direct.get("/api/qbr/metrics/monthly", headers=signed(settings))
            metrics = {m["metric_name"]: m for m in monthly.json()["data"]["metrics"]}
            assert metrics["seats_managed"]["metric_value"] == data["total_seats"]
            assert metrics["endpoints_managed"]["metric_value"] == data["total_endpoints"]
            assert {m["vendor_id"] for m in metrics.values()} == {2}
