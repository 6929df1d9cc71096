"""Outbox relay and inbox consumer against the real PostgreSQL and RabbitMQ.

The broker is taken "down" for the relay only, through a TCP relay the test cuts (hub_shared.testing).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import pytest
import pytest_asyncio
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.bus import Bus, Topology
from hub_shared.db import Database
from hub_shared.events import Event, VarianceCompleted, dump_event, new_event
from hub_shared.messaging import InboxConsumer, OutboxRelay, enqueue
from hub_shared.metrics import BUS_CONSUMED, BUS_DEAD_LETTERED
from hub_shared.testing.plugin import catalogue_queues, delete_topology
from hub_shared.testing.tcp_proxy import TcpProxy

from .conftest import EFFECTS, TABLES

SERVICE = "sharedtest"


def variance_event(report_day: int = 1) -> Event:
    return new_event(
        VarianceCompleted(report_date=date(2026, 11, report_day), counts={"MISSING_NINJA": 3}),
        producer=SERVICE,
    )


async def wait_for(condition: Callable[[], Awaitable[bool]], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def via_proxy(amqp_url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(amqp_url)
    netloc = f"{parts.username or 'guest'}:{parts.password or 'guest'}@127.0.0.1:{proxy.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@pytest.fixture
def topology() -> Topology:
    tag = uuid.uuid4().hex[:8]
    return Topology(
        exchange=f"test-{tag}.events",
        dead_exchange=f"test-{tag}.dead",
        queue_prefix=f"test-{tag}.",
        delivery_limit=3,
    )


@pytest_asyncio.fixture
async def cleanup_broker(amqp_url: str, topology: Topology) -> AsyncIterator[None]:
    yield
    queue = topology.queue_name(SERVICE, "effects")
    await delete_topology(
        amqp_url,
        [queue, f"{queue}.dead", *catalogue_queues(topology.queue_prefix)],
        [topology.exchange, topology.dead_exchange],
    )


class Recorder:
    """A consumer whose effect is a row per event, counting how often the effect was applied."""

    def __init__(self, fail_times: int = 0, always_fail_for: set[uuid.UUID] | None = None) -> None:
        self.deliveries: list[uuid.UUID] = []
        self.fail_times = fail_times
        self.always_fail_for = always_fail_for or set()

    async def __call__(self, session: AsyncSession, event: Event) -> None:
        self.deliveries.append(event.event_id)
        await session.execute(
            insert(EFFECTS)
            .values(event_id=event.event_id, applied=1)
            .on_conflict_do_update(index_elements=["event_id"], set_={"applied": EFFECTS.c.applied + 1})
        )
        if event.event_id in self.always_fail_for:
            raise RuntimeError("poison")
        if self.fail_times > 0:
            self.fail_times -= 1
            # Fails after writing its effect: the rollback must undo it.
            raise RuntimeError("consumer crashed before commit")


async def start_consumer(scratch: Database, amqp_url: str, topology: Topology, recorder: Recorder) -> Bus:
    bus = Bus(amqp_url, SERVICE, topology, reconnect_interval=0.5)
    consumer = InboxConsumer(
        scratch,
        TABLES,
        recorder,
        service=SERVICE,
        consumer=topology.queue_name(SERVICE, "effects"),
        delivery_limit=topology.delivery_limit,
        retry_delay=0.05,
    )
    bus.subscribe("effects", ("variance.completed",), consumer)
    await bus.start()
    await bus.wait_ready(15)
    return bus


async def effects(scratch: Database) -> dict[uuid.UUID, int]:
    async with scratch.transaction() as session:
        return {row.event_id: row.applied for row in (await session.execute(select(EFFECTS))).all()}


async def unpublished(scratch: Database) -> int:
    async with scratch.transaction() as session:
        return int(
            (
                await session.execute(
                    select(func.count()).select_from(TABLES.outbox).where(TABLES.outbox.c.published_at.is_(None))
                )
            ).scalar_one()
        )


@pytest.mark.usefixtures("cleanup_broker")
async def test_event_written_while_broker_unreachable_is_delivered_after_it_returns(
    scratch: Database, amqp_url: str, topology: Topology
) -> None:
    recorder = Recorder()
    consumer_bus = await start_consumer(scratch, amqp_url, topology, recorder)
    proxy = await TcpProxy(*_host_port(amqp_url)).start()
    relay_bus = Bus(via_proxy(amqp_url, proxy), SERVICE, topology, reconnect_interval=0.5)
    await relay_bus.start()
    await relay_bus.wait_ready(15)
    relay = OutboxRelay(scratch, relay_bus, TABLES, service=SERVICE, poll_seconds=0.2)
    relay_task = asyncio.create_task(relay.run())
    try:
        await proxy.cut()
        await wait_for(lambda: _false(relay_bus.connected), what="relay to notice the outage")
        event = variance_event()
        async with scratch.transaction() as session:
            await enqueue(session, TABLES, event)
        await asyncio.sleep(1.5)
        assert await effects(scratch) == {}
        assert await unpublished(scratch) == 1

        await proxy.restore()
        await wait_for(lambda: _has(scratch, event.event_id), what="delivery after the broker returned")
        assert await effects(scratch) == {event.event_id: 1}
        assert await unpublished(scratch) == 0
    finally:
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
        await relay_bus.stop()
        await consumer_bus.stop()
        await proxy.close()


class RelayKilled(Exception):
    """Stands for the relay process dying after the broker confirmed, before it marked rows sent."""


@pytest.mark.usefixtures("cleanup_broker")
async def test_relay_killed_between_publish_and_mark_sent_redelivers_and_consumer_applies_once(
    scratch: Database, amqp_url: str, topology: Topology
) -> None:
    recorder = Recorder()
    consumer_bus = await start_consumer(scratch, amqp_url, topology, recorder)
    relay_bus = Bus(amqp_url, SERVICE, topology)
    await relay_bus.start()
    await relay_bus.wait_ready(15)
    try:
        kills = {"remaining": 1}

        async def die_once(_ids: Sequence[int]) -> None:
            if kills["remaining"]:
                kills["remaining"] -= 1
                raise RelayKilled

        relay = OutboxRelay(scratch, relay_bus, TABLES, service=SERVICE, after_publish=die_once)
        labels = (SERVICE, topology.queue_name(SERVICE, "effects"), "variance.completed")
        duplicates_before = _metric(BUS_CONSUMED, *labels, "duplicate")
        processed_before = _metric(BUS_CONSUMED, *labels, "processed")
        event = variance_event()
        async with scratch.transaction() as session:
            await enqueue(session, TABLES, event)

        with pytest.raises(RelayKilled):
            await relay.relay_once()
        assert await unpublished(scratch) == 1  # the claim rolled back with the "dead" relay

        assert await relay.relay_once() == 1
        assert await unpublished(scratch) == 0
        # Two copies reach the consumer: one is processed, the other recognised as a duplicate.
        await wait_for(
            lambda: _metric_at_least(BUS_CONSUMED, duplicates_before + 1, *labels, "duplicate"),
            what="the second copy to arrive",
        )
        assert _metric(BUS_CONSUMED, *labels, "processed") == processed_before + 1
        assert recorder.deliveries == [event.event_id]
        assert await effects(scratch) == {event.event_id: 1}
    finally:
        await relay_bus.stop()
        await consumer_bus.stop()


@pytest.mark.usefixtures("cleanup_broker")
async def test_consumer_crashing_before_commit_gets_the_event_again_and_duplicates_change_nothing(
    scratch: Database, amqp_url: str, topology: Topology
) -> None:
    recorder = Recorder(fail_times=1)
    consumer_bus = await start_consumer(scratch, amqp_url, topology, recorder)
    before = _metric(BUS_CONSUMED, SERVICE, topology.queue_name(SERVICE, "effects"), "variance.completed", "duplicate")
    try:
        event = variance_event()
        body = dump_event(event)
        await consumer_bus.publish(body, routing_key=event.type, message_id=str(event.event_id), event_type=event.type)
        await wait_for(lambda: _has(scratch, event.event_id), what="the retried delivery to commit")
        assert recorder.deliveries == [event.event_id, event.event_id]
        assert await effects(scratch) == {event.event_id: 1}

        # The same event again (a broker redelivery after a lost ack looks exactly like this).
        await consumer_bus.publish(body, routing_key=event.type, message_id=str(event.event_id), event_type=event.type)
        await wait_for(
            lambda: _metric_at_least(
                BUS_CONSUMED,
                before + 1,
                SERVICE,
                topology.queue_name(SERVICE, "effects"),
                "variance.completed",
                "duplicate",
            ),
            what="the duplicate to be acknowledged",
        )
        assert await effects(scratch) == {event.event_id: 1}
        assert recorder.deliveries == [event.event_id, event.event_id]  # the handler never ran again
    finally:
        await consumer_bus.stop()


@pytest.mark.usefixtures("cleanup_broker")
async def test_poison_message_is_dead_lettered_after_the_delivery_limit_and_others_still_flow(
    scratch: Database, amqp_url: str, topology: Topology
) -> None:
    poison = variance_event(1)
    good = variance_event(2)
    recorder = Recorder(always_fail_for={poison.event_id})
    consumer_bus = await start_consumer(scratch, amqp_url, topology, recorder)
    queue = topology.queue_name(SERVICE, "effects")
    dead_before = _metric(BUS_DEAD_LETTERED, SERVICE, queue, "variance.completed")
    try:
        for event in (poison, good):
            await consumer_bus.publish(
                dump_event(event),
                routing_key=event.type,
                message_id=str(event.event_id),
                event_type=event.type,
            )
        await wait_for(lambda: _has(scratch, good.event_id), what="the good message")
        await wait_for(
            lambda: _metric_at_least(BUS_DEAD_LETTERED, dead_before + 1, SERVICE, queue, "variance.completed"),
            what="the poison message to be dead-lettered",
        )
        assert recorder.deliveries.count(poison.event_id) == topology.delivery_limit
        assert await effects(scratch) == {good.event_id: 1}  # the poison's effect never committed

        dead = await _get_one(amqp_url, f"{queue}.dead")
        assert dead is not None and dead["event_id"] == str(poison.event_id)
    finally:
        await consumer_bus.stop()


async def test_malformed_message_goes_straight_to_the_dead_letter_queue(
    scratch: Database, amqp_url: str, topology: Topology, cleanup_broker: None
) -> None:
    recorder = Recorder()
    consumer_bus = await start_consumer(scratch, amqp_url, topology, recorder)
    queue = topology.queue_name(SERVICE, "effects")
    try:
        await consumer_bus.publish(
            b'{"type": "variance.completed", "data": {}}',
            routing_key="variance.completed",
            message_id="x",
            event_type="variance.completed",
        )
        dead = None
        for _ in range(50):
            dead = await _get_one(amqp_url, f"{queue}.dead")
            if dead is not None:
                break
            await asyncio.sleep(0.1)
        assert dead == {"type": "variance.completed", "data": {}}
        assert recorder.deliveries == []
    finally:
        await consumer_bus.stop()


# ------------------------------------------------------------------------------------------ helpers


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 5672


async def _false(value: bool) -> bool:
    return not value


async def _has(scratch: Database, event_id: uuid.UUID) -> bool:
    return event_id in await effects(scratch)


def _metric(metric: Any, *labels: str) -> float:
    return float(metric.labels(*labels)._value.get())


async def _metric_at_least(metric: Any, value: float, *labels: str) -> bool:
    return _metric(metric, *labels) >= value


async def _get_one(amqp_url: str, queue: str) -> dict[str, Any] | None:
    import json

    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.get_queue(queue, ensure=True)
        message = await declared.get(fail=False, no_ack=True)
        return None if message is None else json.loads(message.body)


# ------------------------------------------------------------------------- database outage, NOTIFY, SKIP LOCKED


def _via_pg_proxy(database_url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(database_url)
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, f"{user}127.0.0.1:{proxy.port}", parts.path, parts.query, parts.fragment))


async def _ready_in_queue(amqp_url: str, queue: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        declared = await (await connection.channel()).declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)


@pytest.mark.usefixtures("cleanup_broker")
async def test_a_database_outage_pauses_consumption_instead_of_dead_lettering(
    scratch: Database, database_url: str, amqp_url: str, topology: Topology
) -> None:
    proxy = await TcpProxy(*_host_port(database_url.replace("postgresql+asyncpg", "postgresql"))).start()
    consumer_db = Database(_via_pg_proxy(database_url, proxy), pool_size=2, application_name="outage-consumer")
    recorder = Recorder()
    consumer_bus = await start_consumer(consumer_db, amqp_url, topology, recorder)
    queue = topology.queue_name(SERVICE, "effects")
    labels = (SERVICE, queue, "variance.completed")
    dead_before = _metric(BUS_DEAD_LETTERED, *labels)
    failed_before = _metric(BUS_CONSUMED, *labels, "failed")
    events = [variance_event(day) for day in (1, 2, 3)]
    try:
        await proxy.cut()
        for event in events:
            await consumer_bus.publish(
                dump_event(event), routing_key=event.type, message_id=str(event.event_id), event_type=event.type
            )

        # Every event has reached the consumer (none is left ready in the queue) and none could be applied.
        async def all_delivered() -> bool:
            return await _ready_in_queue(amqp_url, queue) == 0

        await wait_for(all_delivered, what="the consumer to take the events")
        # The old behaviour dead-lettered within delivery_limit × retry_delay (0.15 s); give it 20 times that.
        await asyncio.sleep(3)
        assert await effects(scratch) == {}
        assert _metric(BUS_DEAD_LETTERED, *labels) == dead_before
        assert _metric(BUS_CONSUMED, *labels, "failed") == failed_before
        assert await _get_one(amqp_url, f"{queue}.dead") is None

        await proxy.restore()
        await wait_for(
            lambda: _all_applied(scratch, [event.event_id for event in events]),
            what="every event to be applied once the database returned",
        )
        assert await effects(scratch) == {event.event_id: 1 for event in events}
        assert sorted(recorder.deliveries) == sorted(event.event_id for event in events)  # each handled once
        assert _metric(BUS_DEAD_LETTERED, *labels) == dead_before
        assert await _get_one(amqp_url, f"{queue}.dead") is None
    finally:
        await consumer_bus.stop()
        await consumer_db.dispose()
        await proxy.close()


@pytest.mark.usefixtures("cleanup_broker")
async def test_the_relay_is_woken_by_notify_long_before_its_poll(
    scratch: Database, amqp_url: str, topology: Topology
) -> None:
    recorder = Recorder()
    consumer_bus = await start_consumer(scratch, amqp_url, topology, recorder)
    relay_bus = Bus(amqp_url, SERVICE, topology)
    await relay_bus.start()
    await relay_bus.wait_ready(15)
    # Polling every 10 minutes: within this test only a NOTIFY can make the relay look at the outbox again.
    relay = OutboxRelay(scratch, relay_bus, TABLES, service=SERVICE, poll_seconds=600)
    relay_task = asyncio.create_task(relay.run())
    try:
        first = variance_event(1)
        async with scratch.transaction() as session:
            await enqueue(session, TABLES, first)
        await wait_for(lambda: _has(scratch, first.event_id), what="the first event (the relay's opening pass)")
        await wait_for(lambda: _listening(scratch, TABLES.notify_channel), what="the relay's LISTEN connection")
        await wait_for(lambda: _unpublished_is(scratch, 0), what="the relay to go idle")

        second = variance_event(2)
        async with scratch.transaction() as session:
            await enqueue(session, TABLES, second)
        await wait_for(lambda: _has(scratch, second.event_id), timeout=20, what="delivery woken by NOTIFY")
        assert await effects(scratch) == {first.event_id: 1, second.event_id: 1}
    finally:
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
        await relay_bus.stop()
        await consumer_bus.stop()


@pytest.mark.usefixtures("cleanup_broker")
async def test_two_relays_draining_one_outbox_publish_each_event_once(
    scratch: Database, amqp_url: str, topology: Topology
) -> None:
    recorder = Recorder()
    consumer_bus = await start_consumer(scratch, amqp_url, topology, recorder)
    buses = [Bus(amqp_url, SERVICE, topology) for _ in range(2)]
    for bus in buses:
        await bus.start()
        await bus.wait_ready(15)
    labels = (SERVICE, topology.queue_name(SERVICE, "effects"), "variance.completed")
    duplicates_before = _metric(BUS_CONSUMED, *labels, "duplicate")
    processed_before = _metric(BUS_CONSUMED, *labels, "processed")
    events = [variance_event(1 + index % 28) for index in range(200)]
    try:
        async with scratch.transaction() as session:
            for event in events:
                await enqueue(session, TABLES, event)
        relays = [OutboxRelay(scratch, bus, TABLES, service=SERVICE, batch_size=10) for bus in buses]

        async def drain(relay: OutboxRelay) -> int:
            published = 0
            while count := await relay.relay_once():
                published += count
            return published

        counts = await asyncio.gather(*(drain(relay) for relay in relays))
        assert sum(counts) == len(events)  # no row claimed by both
        assert all(counts), counts  # both relays worked at once, each skipping the other's locked rows
        await wait_for(
            lambda: _all_applied(scratch, [event.event_id for event in events]), what="every event to be consumed"
        )
        assert _metric(BUS_CONSUMED, *labels, "processed") == processed_before + len(events)
        assert _metric(BUS_CONSUMED, *labels, "duplicate") == duplicates_before  # nothing was published twice
    finally:
        for bus in buses:
            await bus.stop()
        await consumer_bus.stop()


async def _all_applied(scratch: Database, event_ids: list[uuid.UUID]) -> bool:
    applied = await effects(scratch)
    return all(event_id in applied for event_id in event_ids)


async def _unpublished_is(scratch: Database, count: int) -> bool:
    return await unpublished(scratch) == count


async def _listening(scratch: Database, channel: str) -> bool:
    async with scratch.transaction() as session:
        rows = await session.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = :listen"),
            {"listen": f'LISTEN "{channel}"'},
        )
        return bool(rows.scalar_one())
