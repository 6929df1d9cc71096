"""Transactional outbox and idempotent inbox, one pair of tables in each service's schema.

Outbox: a service announces a state change by inserting the event into ``<schema>.outbox`` in the same
transaction as the change (:func:`enqueue`). The :class:`OutboxRelay` claims unpublished rows with
``FOR UPDATE SKIP LOCKED`` (so replicas never publish the same row concurrently), publishes them with
publisher confirms and marks them published in the same transaction. If it dies between publish and
commit, the rows are published again: delivery is at-least-once, and consumers deduplicate.

Inbox: :class:`InboxConsumer` runs a handler and records the event id in ``<schema>.inbox`` in one
transaction; a redelivered event finds its id there and changes nothing. The message is acked only
after that commit. A handler that keeps failing dead-letters the message after the delivery limit; a
database outage is not the message's fault, so the consumer waits for the database instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.bus import Bus
from hub_shared.db import Database
from hub_shared.events import EVENT_ADAPTER, Event, dump_event, parse_event
from hub_shared.logging import bound, get_logger
from hub_shared.metrics import (
    BUS_CONSUMED,
    BUS_DEAD_LETTERED,
    BUS_HANDLER_LATENCY,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
)

log = get_logger(__name__)


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table

    @property
    def schema(self) -> str:
        schema = self.outbox.schema
        assert schema is not None
        return schema

    @property
    def notify_channel(self) -> str:
        return f"hub_outbox_{self.schema}"


def messaging_tables(metadata: MetaData) -> MessagingTables:
    """Declare the outbox and inbox tables on a service's metadata (its schema)."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("type", String(64), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text),
        Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(200), nullable=False),
        Column("event_id", UUID(as_uuid=True), nullable=False),
        Column("type", String(64), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id"),
        Index("ix_inbox_processed_at", "processed_at"),
    )
    return MessagingTables(outbox=outbox, inbox=inbox)


async def enqueue(session: AsyncSession, tables: MessagingTables, *events: Event) -> None:
    """Write events to the outbox inside the caller's transaction; they leave only if it commits."""
    if not events:
        return
    await session.execute(
        tables.outbox.insert(),
        [
            {"event_id": event.event_id, "type": event.type, "payload": event.model_dump(mode="json")}
            for event in events
        ],
    )
    # NOTIFY is delivered at commit, waking the relay without waiting for its poll.
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": tables.notify_channel})


# ---------------------------------------------------------------------------------------------- relay


class OutboxRelay:
    """Publishes committed outbox rows; woken by LISTEN/NOTIFY, with polling as the fallback."""

    def __init__(
        self,
        database: Database,
        bus: Bus,
        tables: MessagingTables,
        *,
        service: str,
        poll_seconds: float = 2.0,
        batch_size: int = 200,
        after_publish: Callable[[Sequence[int]], Awaitable[None]] | None = None,
    ) -> None:
        self.database = database
        self.bus = bus
        self.tables = tables
        self.service = service
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        # Test seam: runs after the broker confirmed a batch and before it is marked published.
        self.after_publish = after_publish
        self._wake = asyncio.Event()

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen(), name=f"{self.service}-outbox-listen")
        try:
            while True:
                try:
                    while await self.relay_once():
                        pass
                    await self.refresh_metrics()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("outbox relay paused", error=str(exc))
                    await asyncio.sleep(min(self.poll_seconds, 1.0))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                self._wake.clear()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener

    async def relay_once(self) -> int:
        """Publish one batch of unpublished events; returns how many were published."""
        if not self.bus.connected:
            return 0
        outbox = self.tables.outbox
        async with self.database.transaction() as session:
            rows = (
                await session.execute(
                    select(outbox.c.id, outbox.c.event_id, outbox.c.type, outbox.c.payload)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            events = [parse_event_payload(row.payload) for row in rows]
            await asyncio.gather(
                *(
                    self.bus.publish(
                        dump_event(event),
                        routing_key=event.type,
                        message_id=str(event.event_id),
                        event_type=event.type,
                    )
                    for event in events
                )
            )
            ids = [row.id for row in rows]
            if self.after_publish is not None:
                await self.after_publish(ids)
            await session.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids))
                .values(published_at=func.now(), attempts=outbox.c.attempts + 1)
            )
        return len(rows)

    async def refresh_metrics(self) -> None:
        outbox = self.tables.outbox
        async with self.database.transaction() as session:
            row = (
                await session.execute(
                    select(
                        func.count(),
                        func.coalesce(func.extract("epoch", func.now() - func.min(outbox.c.created_at)), 0),
                    ).where(outbox.c.published_at.is_(None))
                )
            ).one()
        OUTBOX_BACKLOG.labels(self.service).set(row[0])
        OUTBOX_OLDEST_AGE.labels(self.service).set(float(row[1]))

    async def _listen(self) -> None:
        """Hold a LISTEN connection; reconnect quietly, polling covers the gaps."""
        dsn = self.database.url.replace("postgresql+asyncpg://", "postgresql://", 1)
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(dsn, timeout=5)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
                await connection.add_listener(self.tables.notify_channel, lambda *_args: self._wake.set())
                self._wake.set()  # catch up on anything committed while we were not listening
                await lost.wait()
            except asyncio.CancelledError:
                raise
            except Exception:
                await asyncio.sleep(self.poll_seconds)
            finally:
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=1)


def parse_event_payload(payload: dict[str, Any]) -> Event:
    return EVENT_ADAPTER.validate_python(payload)


# ---------------------------------------------------------------------------------------------- inbox

EventHandler = Callable[[AsyncSession, Event], Awaitable[None]]


def is_infrastructure_error(exc: BaseException) -> bool:
    """The database (not the message) is the problem: wait and retry instead of counting a failure."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc,
        OperationalError
        | InterfaceError
        | ConnectionError
        | OSError
        | TimeoutError
        | asyncpg.exceptions.CannotConnectNowError
        | asyncpg.exceptions.ConnectionDoesNotExistError,
    )


class InboxConsumer:
    """Wraps an event handler: one transaction for inbox row + effects, ack after commit."""

    def __init__(
        self,
        database: Database,
        tables: MessagingTables,
        handler: EventHandler,
        *,
        service: str,
        consumer: str,
        delivery_limit: int,
        retry_delay: float = 0.2,
    ) -> None:
        self.database = database
        self.tables = tables
        self.handler = handler
        self.service = service
        self.consumer = consumer
        self.delivery_limit = delivery_limit
        self.retry_delay = retry_delay

    async def __call__(self, message: AbstractIncomingMessage) -> None:
        try:
            event = parse_event(message.body)
        except ValidationError as exc:
            # An unparseable message never becomes parseable: dead-letter it at once.
            log.error("malformed event dead-lettered", queue=self.consumer, error=str(exc)[:500])
            BUS_DEAD_LETTERED.labels(self.service, self.consumer, message.type or "unknown").inc()
            await message.reject(requeue=False)
            return
        with bound(event_id=str(event.event_id), event_type=event.type):
            await self._handle(message, event)

    async def _handle(self, message: AbstractIncomingMessage, event: Event) -> None:
        labels = (self.service, self.consumer, event.type)
        started = time.perf_counter()
        while True:
            try:
                outcome = await self._apply(event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_infrastructure_error(exc):
                    log.warning("database unavailable; holding the event until it returns", error=str(exc))
                    await self._wait_for_database()
                    continue
                await self._fail(message, event, exc)
                return
            break
        BUS_HANDLER_LATENCY.labels(*labels).observe(time.perf_counter() - started)
        BUS_CONSUMED.labels(*labels, outcome).inc()
        await message.ack()

    async def _apply(self, event: Event) -> str:
        inbox = self.tables.inbox
        async with self.database.transaction() as session:
            claimed = await session.execute(
                insert(inbox)
                .values(consumer=self.consumer, event_id=event.event_id, type=event.type)
                .on_conflict_do_nothing()
                .returning(inbox.c.event_id)
            )
            if claimed.first() is None:
                return "duplicate"
            await self.handler(session, event)
        return "processed"

    async def _fail(self, message: AbstractIncomingMessage, event: Event, exc: Exception) -> None:
        # Quorum queues count earlier deliveries of this message in x-delivery-count.
        header = (message.headers or {}).get("x-delivery-count", 0)
        previous_deliveries = header if isinstance(header, int) else 0
        attempt = previous_deliveries + 1
        BUS_CONSUMED.labels(self.service, self.consumer, event.type, "failed").inc()
        if attempt >= self.delivery_limit:
            log.error("event dead-lettered after delivery limit", attempts=attempt, error=repr(exc))
            BUS_DEAD_LETTERED.labels(self.service, self.consumer, event.type).inc()
            await message.reject(requeue=False)
            return
        log.warning("event handler failed; will be redelivered", attempts=attempt, error=repr(exc))
        # A short, growing pause keeps a failing handler from spinning the queue.
        await asyncio.sleep(min(self.retry_delay * 2 ** (attempt - 1), 10))
        await message.nack(requeue=True)

    async def _wait_for_database(self) -> None:
        while not await self.database.ping():
            await asyncio.sleep(1)
