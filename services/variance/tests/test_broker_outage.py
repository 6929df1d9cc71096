"""A broker outage around and during a collection run loses nothing: once RabbitMQ is reachable again the
run completes and the variance report is exactly the simulator's planted cases.

Every service here (gateway, both collectors, variance) reaches RabbitMQ through one TCP relay that the
test cuts and restores; PostgreSQL stays up. Nothing is retried by hand: the outboxes keep the events and
the robust connections come back on their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import pytest_asyncio
from sqlalchemy import text

from hub_shared.settings import ServiceSettings
from hub_shared.testing.plugin import BusNames, catalogue_queues
from hub_shared.testing.tcp_proxy import TcpProxy
from variance.catalog import TYPE_CODES

from .conftest import VarianceHub, add_aliases, hub_today

SCHEMAS_WITH_OUTBOX = ("gateway", "ninja", "threatlocker", "variance")


@pytest_asyncio.fixture
async def broker_relay(amqp_url: str) -> AsyncIterator[TcpProxy]:
    parts = urlsplit(amqp_url)
    relay = await TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5672).start()
    try:
        yield relay
    finally:
        await relay.close()


@pytest_asyncio.fixture
async def service_settings(
    service_settings: Callable[..., ServiceSettings], broker_relay: TcpProxy, amqp_url: str
) -> Callable[..., ServiceSettings]:
    """The session's settings, with every service's broker connection going through the relay."""
    parts = urlsplit(amqp_url)
    netloc = f"{parts.username or 'guest'}:{parts.password or 'guest'}@127.0.0.1:{broker_relay.port}"
    relayed = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def build(spec: Any, **overrides: Any) -> ServiceSettings:
        return service_settings(spec, **{"amqp_url": relayed, **overrides})

    return build


async def eventually(check: Callable[[], Any], what: str, timeout: float = 90) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.25)


async def unsent_events(vhub: VarianceHub) -> dict[str, int]:
    async with vhub.database.transaction() as session:
        return {
            schema: int(
                (
                    await session.execute(text(f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL"))
                ).scalar_one()
            )
            for schema in SCHEMAS_WITH_OUTBOX
        }


async def dead_lettered(amqp_url: str, bus_names: BusNames) -> int:
    connection = await aio_pika.connect(amqp_url)
    try:
        total = 0
        for queue in catalogue_queues(bus_names.queue_prefix):
            if not queue.endswith(".dead"):
                continue
            channel = await connection.channel()
            try:  # only the queues of the services this hub runs exist
                declared = await channel.declare_queue(queue, passive=True)
            except aio_pika.exceptions.ChannelNotFoundEntity:
                continue
            total += declared.declaration_result.message_count or 0
            await channel.close()
        return total
    finally:
        await connection.close()


async def report_keys(vhub: VarianceHub) -> dict[str, list[str]]:
    report = (await vhub.client.get("/api/variance-report/latest", params={"include_resolved": "true"})).json()
    by_type = report["exceptions_by_type"]
    return {code: sorted(item["hostname"] for item in by_type.get(code, [])) for code in TYPE_CODES}


async def test_a_broker_outage_before_and_during_a_run_loses_nothing(
    vendor_sim, variance_hub, broker_relay: TcpProxy, amqp_url: str, bus_names: BusNames
) -> None:
    with vendor_sim(devices=800, seed=21) as sim:
        vhub = await variance_hub(sim)
        await add_aliases(vhub, sim.truth()["organization_aliases"])
        body = {
            "collectors": ["ninja", "threatlocker"],
            "run_cross_vendor": False,  # no assessment service in this hub to run the w24 job
            "snapshot_date": hub_today().isoformat(),
        }

        # 1. The broker is down when the run is asked for: the request is accepted and waits in the outbox.
        await broker_relay.cut()
        accepted = await vhub.client.post("/api/collectors/run", json=body)
        assert accepted.status_code == 202, accepted.text
        batch_id = accepted.json()["batch_id"]
        await asyncio.sleep(3)
        assert (await vhub.client.get(f"/api/collectors/runs/batch/{batch_id}")).json()["status"] == "queued"
        assert (await unsent_events(vhub))["gateway"] == 2  # one collect.requested per collector
        await broker_relay.restore()
        batch = await vhub.hub.wait_for_batch(batch_id, timeout=90)
        assert batch["status"] == "completed", batch
        await eventually(lambda: _ge(vhub, 2), "variance to consume day 1")
        assert await report_keys(vhub) == sim.truth()["variances"]

        # 2. The fleet changes and the broker drops while the collectors are running.
        sim.set_day(2)
        day_two = sim.truth()["variances"]
        assert day_two != await report_keys(vhub)  # the day-2 fleet really differs
        started = await vhub.client.post("/api/collectors/run", json=body)
        assert started.status_code == 202, started.text
        batch_id = started.json()["batch_id"]

        async def running() -> bool:
            batch = (await vhub.client.get(f"/api/collectors/runs/batch/{batch_id}")).json()
            return bool(batch["status"] == "running")

        await eventually(running, "the second run to start")
        await broker_relay.cut()
        await asyncio.sleep(3)
        await broker_relay.restore()
        batch = await vhub.hub.wait_for_batch(batch_id, timeout=90)
        assert batch["status"] == "completed", batch
        await eventually(lambda: _ge(vhub, 4), "variance to consume day 2")

        async def recomputed() -> bool:
            return await report_keys(vhub) == day_two

        await eventually(recomputed, "the report of the day-2 fleet")
        # Every event left its outbox and none was dead-lettered.
        await eventually(lambda: _all_sent(vhub), "every outbox to drain")
        assert await dead_lettered(amqp_url, bus_names) == 0


async def _ge(vhub: VarianceHub, consumed: int) -> bool:
    return await vhub.inbox_count() >= consumed


async def _all_sent(vhub: VarianceHub) -> bool:
    return not any((await unsent_events(vhub)).values())
