"""What a service is (:class:`ServiceSpec`) and what it runs (:class:`ServiceRuntime`).

A service declares its schema, settings, routers, bus consumers and background workers once; the
runtime wires the database, the bus, the outbox relay and the inbox consumers around them, and reports
readiness from all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import MetaData

from hub_shared.bus import Bus, Topology
from hub_shared.db import Database
from hub_shared.logging import get_logger
from hub_shared.messaging import EventHandler, InboxConsumer, MessagingTables, OutboxRelay
from hub_shared.metrics import READY
from hub_shared.settings import ServiceSettings

log = get_logger(__name__)


@dataclass(frozen=True)
class ConsumerSpec:
    """A bus consumer: its queue's purpose (``<service>.<purpose>``), event types, and handler factory."""

    purpose: str
    event_types: tuple[str, ...]
    make_handler: Callable[[ServiceRuntime], EventHandler]


Worker = Callable[["ServiceRuntime"], Awaitable[None]]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    package: str
    schema: str
    settings_cls: type[ServiceSettings]
    metadata: MetaData
    tables: MessagingTables
    title: str
    routers: Callable[[], Sequence[APIRouter]] = lambda: ()
    consumers: Sequence[ConsumerSpec] = ()
    workers: Sequence[Worker] = ()
    configure_app: Callable[[FastAPI, ServiceRuntime], None] | None = None
    version: str = "0.1.0"
    extra_commands: Callable[[Any], None] | None = None


@dataclass
class ServiceRuntime:
    spec: ServiceSpec
    settings: ServiceSettings
    run_worker: bool = True
    database: Database = field(init=False)
    bus: Bus | None = field(init=False, default=None)
    relay: OutboxRelay | None = field(init=False, default=None)
    state: dict[str, Any] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)
    _closers: list[Callable[[], Awaitable[Any]]] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        settings = self.settings
        self.database = Database(
            settings.database_url, pool_size=settings.db_pool_size, application_name=self.spec.name
        )
        if self.run_worker:
            topology = Topology(
                exchange=settings.amqp_exchange,
                dead_exchange=settings.amqp_dead_exchange,
                queue_prefix=settings.amqp_queue_prefix,
                delivery_limit=settings.amqp_delivery_limit,
                prefetch=settings.amqp_prefetch,
            )
            self.bus = Bus(settings.amqp_url, self.spec.name, topology)
            self.relay = OutboxRelay(
                self.database,
                self.bus,
                self.spec.tables,
                service=self.spec.name,
                poll_seconds=settings.outbox_poll_seconds,
            )
            for consumer in self.spec.consumers:
                queue = topology.queue_name(self.spec.name, consumer.purpose)
                handler = InboxConsumer(
                    self.database,
                    self.spec.tables,
                    consumer.make_handler(self),
                    service=self.spec.name,
                    consumer=queue,
                    delivery_limit=settings.amqp_delivery_limit,
                )
                self.bus.subscribe(consumer.purpose, consumer.event_types, handler)

    @property
    def tables(self) -> MessagingTables:
        return self.spec.tables

    async def start(self) -> None:
        if self.bus is not None and self.relay is not None:
            await self.bus.start()
            self._spawn(self.relay.run(), "outbox-relay")
            for worker in self.spec.workers:
                self._spawn(worker(self), getattr(worker, "__name__", "worker"))

    def _spawn(self, coroutine: Awaitable[None], name: str) -> None:
        async def guarded() -> None:
            # A background loop that dies silently would leave the service "up" but doing nothing.
            try:
                await coroutine
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background task crashed", task=name)
                raise

        self._tasks.append(asyncio.create_task(guarded(), name=f"{self.spec.name}-{name}"))

    def on_stop(self, closer: Callable[[], Awaitable[Any]]) -> None:
        """Register a cleanup (an HTTP client, say) to run when the service stops."""
        self._closers.append(closer)

    async def stop(self) -> None:
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):
                await closer()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.bus is not None:
            await self.bus.stop()
        await self.database.dispose()

    async def readiness(self) -> dict[str, bool]:
        checks = {"database": await self.database.ping()}
        if self.bus is not None:
            checks["broker"] = self.bus.connected
            checks["consumers"] = self.bus.consumers_attached
        # A worker that returned on its own (e.g. the schedule, when disabled) chose to; only one that crashed
        # or was cancelled is dead.
        checks["workers"] = all(_alive_or_finished(task) for task in self._tasks)
        READY.labels(self.spec.name).set(1 if all(checks.values()) else 0)
        return checks

    @asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()


def _alive_or_finished(task: asyncio.Task[None]) -> bool:
    if not task.done():
        return True
    return not task.cancelled() and task.exception() is None
