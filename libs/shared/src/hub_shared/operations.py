"""What an operator asks of one service from its command line: are migrations pending, which settings are in
effect (secrets hidden), and what is in its dead-letter queues (list, show, replay, discard).

The CLI (``hub_shared.cli``) wires these to ``migrate --check``, ``config`` and ``dead-letters``.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from alembic.script import ScriptDirectory
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from hub_shared.migrations import alembic_config
from hub_shared.runtime import ServiceSpec
from hub_shared.settings import ServiceSettings

# ------------------------------------------------------------------------------------------ migrations


def pending_migrations(spec: ServiceSpec, database_url: str) -> list[str]:
    """Revisions of the service's tree not yet applied to the database, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(spec, database_url))
    applied = asyncio.run(_applied_revisions(database_url, spec.schema))
    pending = [
        revision.revision
        for revision in script.iterate_revisions(tuple(script.get_heads()), applied or None)
        if revision.revision not in applied
    ]
    return list(reversed(pending))


async def _applied_revisions(database_url: str, schema: str) -> tuple[str, ...]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            table = f'"{schema}".alembic_version'
            exists = (await connection.execute(text("SELECT to_regclass(:table)"), {"table": table})).scalar()
            if exists is None:
                return ()
            rows = await connection.execute(text(f'SELECT version_num FROM "{schema}".alembic_version'))
            return tuple(row[0] for row in rows)
    finally:
        await engine.dispose()


# -------------------------------------------------------------------------------------------- settings

HIDDEN = "********"
_SECRET_NAME = re.compile(r"(secret|password|passwd|token|api_key|signing_key|private)", re.IGNORECASE)


def effective_settings(settings: ServiceSettings) -> dict[str, Any]:
    """Every setting as the service sees it, upper-case like the environment; secrets and URL passwords
    are hidden, so the output can be pasted into a ticket."""
    shown: dict[str, Any] = {}
    for name in sorted(type(settings).model_fields):
        value = getattr(settings, name)
        if isinstance(value, SecretStr) or (_SECRET_NAME.search(name) and value not in (None, "")):
            shown[name.upper()] = HIDDEN
            continue
        if isinstance(value, str) and "://" in value:
            value = _without_password(value)
        elif isinstance(value, list | tuple | set | frozenset):
            value = [str(item) for item in value]
        elif value is not None and not isinstance(value, bool | int | float | str):
            value = str(value)
        shown[name.upper()] = value
    return shown


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{parts.username}:{HIDDEN}@{host}", parts.path, parts.query, parts.fragment))


# ------------------------------------------------------------------------------------------ dead letters


@dataclass(frozen=True)
class DeadLetterQueue:
    queue: str  # where the consumer reads; a replayed message goes back here
    dead: str


def dead_letter_queues(spec: ServiceSpec, settings: ServiceSettings) -> list[DeadLetterQueue]:
    return [
        DeadLetterQueue(queue, f"{queue}.dead")
        for queue in (f"{settings.amqp_queue_prefix}{spec.name}.{consumer.purpose}" for consumer in spec.consumers)
    ]


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    event_id: str | None
    event_type: str | None
    reason: str | None
    body: str


async def count_dead_letters(amqp_url: str, queues: Sequence[DeadLetterQueue]) -> dict[str, int]:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        counts = {}
        for queue in queues:
            channel = await connection.channel()
            try:
                declared = await channel.declare_queue(queue.dead, passive=True)
            except aio_pika.exceptions.ChannelClosed:
                counts[queue.dead] = 0  # never declared: the service has not run against this broker yet
                continue
            counts[queue.dead] = int(declared.declaration_result.message_count or 0)
        return counts


async def show_dead_letters(amqp_url: str, queues: Sequence[DeadLetterQueue], limit: int) -> list[DeadLetter]:
    """Up to ``limit`` messages per queue, left in place (fetched unacknowledged, returned on close)."""
    shown: list[DeadLetter] = []
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for queue in queues:
            channel = await connection.channel()
            declared = await channel.get_queue(queue.dead, ensure=True)
            for _ in range(limit):
                message = await declared.get(no_ack=False, fail=False)
                if message is None:
                    break
                shown.append(_describe(queue.dead, message))
            await channel.close()  # every fetched message goes back, in order
    return shown


async def move_dead_letters(
    amqp_url: str, queues: Sequence[DeadLetterQueue], *, replay: bool, event_id: str | None = None
) -> int:
    """Replay (back to the consumer's queue) or discard dead letters: all of them, or one event id.

    A replayed message is published with confirms before its dead copy is acknowledged, so a crash in
    between leaves a duplicate (which the consumer's inbox absorbs), never a loss.
    """
    moved = 0
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for queue in queues:
            channel = await connection.channel(publisher_confirms=True)
            declared = await channel.get_queue(queue.dead, ensure=True)
            keep: list[AbstractIncomingMessage] = []
            while (message := await declared.get(no_ack=False, fail=False)) is not None:
                if event_id is not None and message.message_id != event_id and _event_id(message) != event_id:
                    keep.append(message)  # held unacknowledged until the pass ends, so it is not seen twice
                    continue
                if replay:
                    headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
                    await channel.default_exchange.publish(
                        aio_pika.Message(
                            message.body,
                            headers=headers,
                            message_id=message.message_id,
                            type=message.type,
                            content_type=message.content_type,
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        ),
                        routing_key=queue.queue,
                    )
                await message.ack()
                moved += 1
            for message in keep:
                await message.nack(requeue=True)
            await channel.close()
    return moved


def _event_id(message: AbstractIncomingMessage) -> str | None:
    try:
        body = json.loads(message.body)
    except ValueError:
        return None
    value = body.get("event_id") if isinstance(body, dict) else None
    return str(value) if value is not None else None


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _describe(queue: str, message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    deaths = headers.get("x-death")
    reason = None
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        death = {key: _text(value) for key, value in deaths[0].items()}
        reason = f"{death.get('reason')} from {death.get('queue')} ({death.get('count')}×)"
    elif headers.get("x-first-death-reason"):
        reason = _text(headers["x-first-death-reason"])
    return DeadLetter(
        queue=queue,
        event_id=message.message_id or _event_id(message),
        event_type=message.type,
        reason=reason,
        body=message.body.decode("utf-8", "replace"),
    )
