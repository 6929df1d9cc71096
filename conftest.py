"""Fixtures that span services: the vendor simulator and a running hub (gateway + collectors).

The hub runs in the test's event loop with its real workers (outbox relays, consumers) on the session's
own broker names and test database; the simulator runs in its own thread, on a real port.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio

from hub_shared.app import create_app
from hub_shared.db import Database
from hub_shared.runtime import ServiceRuntime
from hub_shared.settings import ServiceSettings
from hub_shared.testing.plugin import BusNames, catalogue_queues, purge_queues
from hub_shared.testing.servers import running_server
from vendor_sim.app import Simulator, serve_in_thread
from vendor_sim.config import SimConfig


@dataclass
class SimHandle:
    url: str
    sim: Simulator

    @property
    def ninja_url(self) -> str:
        return self.url

    @property
    def threatlocker_url(self) -> str:
        return f"{self.url}/portalapi/"

    def truth(self, **params: Any) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_sim/truth", params=params, timeout=60).json()

    def faults(self, *rules: dict[str, Any]) -> None:
        httpx.delete(f"{self.url}/_sim/faults").raise_for_status()
        if rules:
            httpx.post(f"{self.url}/_sim/faults", json=list(rules)).raise_for_status()

    def stats(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_sim/stats").json()

    def set_day(self, day: int) -> None:
        httpx.post(f"{self.url}/_sim/day", json={"day": day}, timeout=60).raise_for_status()


@pytest.fixture
def vendor_sim() -> Callable[..., Any]:
    """``with vendor_sim(devices=..., seed=...) as sim:`` — a simulator on a free port."""

    @contextmanager
    def start(**config: Any) -> Iterator[SimHandle]:
        with serve_in_thread(SimConfig(**config)) as (url, sim):
            yield SimHandle(url, sim)

    return start


def collector_overrides(sim: SimHandle) -> dict[str, dict[str, Any]]:
    """Settings that point the collectors at the simulator, with quick retries for tests."""
    return {
        "collector_ninja": {
            "ninja_base_url": sim.ninja_url,
            "ninja_client_id": sim.sim.config.ninja_client_id,
            "ninja_client_secret": sim.sim.config.ninja_client_secret,
            "ninja_retry_base_seconds": 0.05,
            "ninja_retry_attempts": 4,
            "job_heartbeat_seconds": 1,
        },
        "collector_threatlocker": {
            "threatlocker_base_url": sim.threatlocker_url,
            "threatlocker_org_id": sim.sim.config.tl_parent_org_id,
            "threatlocker_api_key": sim.sim.config.tl_api_key,
            "threatlocker_retry_base_seconds": 0.05,
            "threatlocker_retry_attempts": 4,
            "job_heartbeat_seconds": 1,
        },
        "collector_connectwise": connectwise_overrides(sim),
    }


def connectwise_overrides(sim: SimHandle) -> dict[str, Any]:
    """The ConnectWise connection of the simulator (the codebase is looked up from its companyinfo)."""
    from vendor_sim.connectwise import collector_settings

    return collector_settings(sim.url, sim.sim.config)


@dataclass
class Hub:
    client: httpx.AsyncClient
    database: Database
    sim: SimHandle
    runtimes: dict[str, ServiceRuntime]

    async def run_and_wait(self, body: dict[str, Any] | None = None, timeout: float = 90) -> dict[str, Any]:
        response = await self.client.post("/api/collectors/run", json=body or {})
        assert response.status_code == 202, response.text
        return await self.wait_for_batch(response.json()["batch_id"], timeout)

    async def wait_for_batch(self, batch_id: str, timeout: float = 90) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            batch = (await self.client.get(f"/api/collectors/runs/batch/{batch_id}")).json()
            if batch["status"] in ("completed", "failed", "cancelled"):
                return batch
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"batch {batch_id} still {batch['status']}: {batch}")
            await asyncio.sleep(0.2)


@pytest_asyncio.fixture
async def hub_factory(
    service_settings: Callable[..., ServiceSettings], database: Database, amqp_url: str, bus_names: BusNames
) -> AsyncIterator[Callable[..., Any]]:
    """Start the gateway and the collectors (with workers) against a simulator: both device collectors by
    default; add ``"collector_connectwise"`` to ``services`` for ConnectWise."""
    await purge_queues(amqp_url, catalogue_queues(bus_names.queue_prefix))
    from collector_connectwise.definition import SPEC as CONNECTWISE
    from collector_ninja.definition import SPEC as NINJA
    from collector_threatlocker.definition import SPEC as THREATLOCKER
    from gateway.definition import SPEC as GATEWAY

    async with AsyncExitStack() as stack:

        async def start(
            sim: SimHandle,
            *,
            services: tuple[str, ...] = ("collector_ninja", "collector_threatlocker"),
            gateway: dict[str, Any] | None = None,
            collectors: dict[str, dict[str, Any]] | None = None,
        ) -> Hub:
            overrides = collector_overrides(sim)
            for name, extra in (collectors or {}).items():
                overrides[name] = {**overrides[name], **extra}
            runtimes: dict[str, ServiceRuntime] = {}
            for spec in (NINJA, THREATLOCKER, CONNECTWISE):
                if spec.name not in services:
                    continue
                runtime = ServiceRuntime(spec, service_settings(spec, **overrides[spec.name]))
                runtimes[spec.name] = runtime
                url = await stack.enter_async_context(running_server(create_app(runtime)))
                runtimes[spec.name].state["url"] = url
            gateway_settings = service_settings(
                GATEWAY,
                collector_ninja_url=runtimes["collector_ninja"].state["url"]
                if "collector_ninja" in runtimes
                else "http://127.0.0.1:9",
                collector_threatlocker_url=(
                    runtimes["collector_threatlocker"].state["url"]
                    if "collector_threatlocker" in runtimes
                    else "http://127.0.0.1:9"
                ),
                collector_connectwise_url=(
                    runtimes["collector_connectwise"].state["url"]
                    if "collector_connectwise" in runtimes
                    else "http://127.0.0.1:9"
                ),
                **{"collector_schedule_enabled": False, **(gateway or {})},
            )
            gateway_runtime = ServiceRuntime(GATEWAY, gateway_settings)
            runtimes["gateway"] = gateway_runtime
            base = await stack.enter_async_context(running_server(create_app(gateway_runtime)))
            for runtime in runtimes.values():
                assert runtime.bus is not None
                await runtime.bus.wait_ready(15)
            client = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=30))
            return Hub(client=client, database=database, sim=sim, runtimes=runtimes)

        yield start
