"""The test plugin's broker cleanup: what it cannot clean must fail the test, not pass silently."""

from __future__ import annotations

import uuid

import aio_pika
import pytest

from hub_shared.testing.plugin import delete_topology, purge_queues


async def test_purge_empties_existing_queues_skips_missing_ones_and_fails_loudly_otherwise(amqp_url: str) -> None:
    name = f"plugin-test-{uuid.uuid4().hex[:8]}"
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(name, durable=False, auto_delete=False)
        for index in range(3):
            await channel.default_exchange.publish(aio_pika.Message(str(index).encode()), routing_key=name)
        try:
            await purge_queues(amqp_url, [name, f"{name}-never-declared"])
            assert (await channel.declare_queue(name, passive=True)).declaration_result.message_count == 0
            # A name the broker refuses (over 255 bytes) is an error the caller sees, not a skipped purge.
            with pytest.raises(Exception, match=r"(?i)length"):
                await purge_queues(amqp_url, ["q" * 300])
        finally:
            await queue.delete(if_unused=False, if_empty=False)
    await delete_topology(amqp_url, [name], [])  # deleting what is gone is no error
