"""RabbitMQ connection, topology and publishing (aio-pika).

Topology: one durable topic exchange for events (``hub.events``), one direct dead-letter exchange
(``hub.dead``). Each consumer owns a quorum queue ``<service>.<purpose>`` bound to the event types it
handles, with its own dead-letter queue ``<service>.<purpose>.dead``. Publishing waits for publisher
confirms, so "published" means the broker has the message.

The connection is robust: it is (re)established in the background, and aio-pika restores the declared
queues and consumers after a reconnect. A service starts even while the broker is down; it is simply
not ready until the connection is up.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aio_pika
from aio_pika.abc import (
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
)

from hub_shared.events import SUBSCRIPTIONS
from hub_shared.logging import get_logger
from hub_shared.metrics import BUS_PUBLISHED

log = get_logger(__name__)

MessageHandler = Callable[[AbstractIncomingMessage], Awaitable[None]]


@dataclass(frozen=True)
class Topology:
    exchange: str = "hub.events"
    dead_exchange: str = "hub.dead"
    queue_prefix: str = ""
    delivery_limit: int = 5
    prefetch: int = 16

    def queue_name(self, service: str, purpose: str) -> str:
        return f"{self.queue_prefix}{service}.{purpose}"


@dataclass
class _Subscription:
    queue: str
    routing_keys: tuple[str, ...]
    handler: MessageHandler
    consumer_tag: str | None = None


@dataclass
class Bus:
    url: str
    service: str
    topology: Topology = field(default_factory=Topology)
    reconnect_interval: float = 1.0
    publish_timeout: float = 10.0

    _connection: AbstractRobustConnection | None = field(default=None, init=False)
    _publish_channel: AbstractRobustChannel | None = field(default=None, init=False)
    _consume_channel: AbstractRobustChannel | None = field(default=None, init=False)
    _exchange: AbstractExchange | None = field(default=None, init=False)
    _subscriptions: list[_Subscription] = field(default_factory=list, init=False)
    _connect_task: asyncio.Task[None] | None = field(default=None, init=False)
    _ready: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    # ----------------------------------------------------------------- lifecycle
    def subscribe(self, purpose: str, routing_keys: tuple[str, ...], handler: MessageHandler) -> str:
        """Register a consumer before :meth:`start`; returns the queue name."""
        catalogued = SUBSCRIPTIONS.get((self.service, purpose))
        if catalogued is not None and set(catalogued) != set(routing_keys):
            raise ValueError(f"{self.service}.{purpose} binds {routing_keys}, the catalogue says {catalogued}")
        queue = self.topology.queue_name(self.service, purpose)
        self._subscriptions.append(_Subscription(queue, routing_keys, handler))
        return queue

    async def start(self) -> None:
        """Connect in the background, retrying until the broker answers."""
        if self._connect_task is None:
            self._connect_task = asyncio.create_task(self._connect_forever(), name=f"{self.service}-bus")

    async def wait_ready(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def _connect_forever(self) -> None:
        while True:
            try:
                connection = await aio_pika.connect_robust(
                    self.url,
                    reconnect_interval=self.reconnect_interval,
                    timeout=5,
                    client_properties={"connection_name": self.service},
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("broker unreachable, retrying", error=str(exc))
                await asyncio.sleep(self.reconnect_interval)
                continue
            try:
                await self._declare(connection)
            except asyncio.CancelledError:
                await connection.close()
                raise
            except Exception as exc:
                log.warning("broker topology setup failed, retrying", error=str(exc))
                with contextlib.suppress(Exception):
                    await connection.close()
                await asyncio.sleep(self.reconnect_interval)
                continue
            self._connection = connection
            self._ready.set()
            log.info("broker connected", consumers=[s.queue for s in self._subscriptions])
            return

    async def _declare(self, connection: AbstractRobustConnection) -> None:
        publish_channel: AbstractRobustChannel = await connection.channel(publisher_confirms=True)  # type: ignore[assignment]
        exchange = await publish_channel.declare_exchange(
            self.topology.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        await publish_channel.declare_exchange(self.topology.dead_exchange, aio_pika.ExchangeType.DIRECT, durable=True)
        # Declare every catalogued queue, not only ours: nothing published may find no queue.
        for (service, purpose), routing_keys in SUBSCRIPTIONS.items():
            await self._declare_queue(publish_channel, self.topology.queue_name(service, purpose), routing_keys)
        consume_channel: AbstractRobustChannel | None = None
        if self._subscriptions:
            consume_channel = await connection.channel()  # type: ignore[assignment]
            assert consume_channel is not None
            await consume_channel.set_qos(prefetch_count=self.topology.prefetch)
            for subscription in self._subscriptions:
                await self._declare_consumer(consume_channel, subscription)
        self._publish_channel, self._exchange, self._consume_channel = (
            publish_channel,
            exchange,
            consume_channel,
        )

    async def _declare_consumer(self, channel: AbstractRobustChannel, subscription: _Subscription) -> None:
        queue = await self._declare_queue(channel, subscription.queue, subscription.routing_keys)
        subscription.consumer_tag = await queue.consume(subscription.handler)

    async def _declare_queue(
        self, channel: AbstractRobustChannel, name: str, routing_keys: tuple[str, ...]
    ) -> aio_pika.abc.AbstractRobustQueue:
        dead_queue = await channel.declare_queue(f"{name}.dead", durable=True, arguments={"x-queue-type": "quorum"})
        await dead_queue.bind(self.topology.dead_exchange, routing_key=name)
        queue = await channel.declare_queue(
            name,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-dead-letter-exchange": self.topology.dead_exchange,
                "x-dead-letter-routing-key": name,
                # A backstop: handlers dead-letter poison messages themselves (see inbox.py) one
                # delivery earlier, so they can count them; the broker enforces the limit regardless.
                "x-delivery-limit": self.topology.delivery_limit + 1,
            },
        )
        for routing_key in routing_keys:
            await queue.bind(self.topology.exchange, routing_key=routing_key)
        return queue  # type: ignore[return-value]

    async def stop(self) -> None:
        if self._connect_task is not None:
            self._connect_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connect_task
            self._connect_task = None
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
        self._connection = None
        self._ready.clear()

    # ----------------------------------------------------------------- state
    @property
    def connected(self) -> bool:
        connection = self._connection
        return connection is not None and not connection.is_closed and connection.connected.is_set()

    @property
    def consumers_attached(self) -> bool:
        if not self._subscriptions:
            return True
        channel = self._consume_channel
        return self.connected and channel is not None and not channel.is_closed

    # ----------------------------------------------------------------- publishing
    async def publish(self, body: bytes, *, routing_key: str, message_id: str, event_type: str) -> None:
        """Publish one message and wait for the broker's confirm; raises when it is not confirmed."""
        if not self.connected or self._exchange is None:
            raise ConnectionError("broker not connected")
        message = aio_pika.Message(
            body,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message_id,
            type=event_type,
            app_id=self.service,
        )
        await self._exchange.publish(message, routing_key=routing_key, timeout=self.publish_timeout)
        BUS_PUBLISHED.labels(self.service, event_type).inc()
