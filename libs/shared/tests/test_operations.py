"""The operator commands every service has: ``migrate --check``, ``config`` and ``dead-letters``."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest
import pytest_asyncio

from hub_shared.bus import Bus, Topology
from hub_shared.cli import main
from hub_shared.devtools import drop_database, ensure_database
from hub_shared.migrations import upgrade
from hub_shared.operations import (
    HIDDEN,
    DeadLetterQueue,
    count_dead_letters,
    effective_settings,
    move_dead_letters,
    pending_migrations,
    show_dead_letters,
)
from hub_shared.registry import installed_services
from hub_shared.testing.infrastructure import run_sync
from hub_shared.testing.plugin import delete_topology

GATEWAY = next(spec for spec in installed_services() if spec.name == "gateway")


def test_migrate_check_exits_1_while_migrations_are_pending_and_0_after(database_url, service_settings, capsys) -> None:
    settings = service_settings(GATEWAY)
    assert pending_migrations(GATEWAY, settings.database_url) == []  # the session database is migrated
    with pytest.raises(SystemExit) as up_to_date:
        main(GATEWAY, ["migrate", "--check"], settings)
    assert up_to_date.value.code == 0 and "gateway: up to date" in capsys.readouterr().out

    # A database nobody migrated: every revision of the tree is pending, and the check says so with exit 1.
    empty_url = database_url.rsplit("/", 1)[0] + f"/hub_check_{uuid.uuid4().hex[:8]}"
    run_sync(ensure_database(empty_url))
    try:
        pending = pending_migrations(GATEWAY, empty_url)
        assert len(pending) >= 4 and len(set(pending)) == len(pending)
        with pytest.raises(SystemExit) as behind:
            main(GATEWAY, ["migrate", "--check"], service_settings(GATEWAY, database_url=empty_url))
        out = capsys.readouterr().out
        assert behind.value.code == 1
        assert f"gateway: {len(pending)} migration(s) pending" in out and f"pending: gateway {pending[0]}" in out
        upgrade(GATEWAY, empty_url)
        assert pending_migrations(GATEWAY, empty_url) == []
    finally:
        run_sync(drop_database(empty_url))


def test_config_prints_every_setting_with_secrets_hidden(service_settings, capsys) -> None:
    settings = service_settings(
        GATEWAY,
        amqp_url="amqp://hub:s3cret-broker@rabbit:5672/",
        database_url="postgresql+asyncpg://hub:s3cret-db@db:5432/inventory_hub",
        hub_internal_signing_key="k" * 48,
    )
    shown = effective_settings(settings)
    assert shown["AMQP_URL"] == f"amqp://hub:{HIDDEN}@rabbit:5672/"
    assert shown["DATABASE_URL"] == f"postgresql+asyncpg://hub:{HIDDEN}@db:5432/inventory_hub"
    assert shown["HUB_INTERNAL_SIGNING_KEY"] == HIDDEN
    assert shown["GATEWAY_PORT"] == settings.gateway_port and shown["HUB_TIMEZONE"] == settings.hub_timezone
    main(GATEWAY, ["config", "--json"], settings)
    printed = capsys.readouterr().out
    assert json.loads(printed) == shown
    assert "s3cret" not in printed and "k" * 48 not in printed


@pytest.fixture
def topology() -> Topology:
    tag = uuid.uuid4().hex[:8]
    return Topology(exchange=f"ops-{tag}.events", dead_exchange=f"ops-{tag}.dead", queue_prefix=f"ops-{tag}.")


@pytest_asyncio.fixture
async def declared(amqp_url: str, topology: Topology) -> AsyncIterator[DeadLetterQueue]:
    """A consumer's queue and dead-letter queue as the bus declares them (the consumer itself stopped)."""
    bus = Bus(amqp_url, "opstest", topology)

    async def never_called(_message: object) -> None:  # pragma: no cover - nothing is consumed here
        raise AssertionError("the consumer is stopped")

    bus.subscribe("effects", ("variance.completed",), never_called)
    await bus.start()
    await bus.wait_ready(15)
    await bus.stop()
    queue = topology.queue_name("opstest", "effects")
    yield DeadLetterQueue(queue, f"{queue}.dead")
    await delete_topology(amqp_url, [queue, f"{queue}.dead"], [topology.exchange, topology.dead_exchange])


async def dead_letter(amqp_url: str, topology: Topology, queue: DeadLetterQueue, event_id: str) -> None:
    """What the broker does with a rejected message: republish it on the dead exchange under the queue's name."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(topology.dead_exchange)
        body = json.dumps({"event_id": event_id, "type": "variance.completed", "data": {}}).encode()
        message = aio_pika.Message(
            body, message_id=event_id, type="variance.completed", headers={"x-first-death-reason": "rejected"}
        )
        await exchange.publish(message, routing_key=queue.queue)


async def ready_messages(amqp_url: str, name: str) -> list[str]:
    connection = await aio_pika.connect(amqp_url)
    ids = []
    async with connection:
        declared = await (await connection.channel()).get_queue(name, ensure=True)
        while (message := await declared.get(no_ack=True, fail=False)) is not None:
            ids.append(str(message.message_id))
    return ids


async def test_dead_letters_are_listed_shown_replayed_and_discarded(
    amqp_url: str, topology: Topology, declared
) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    for event_id in (first, second):
        await dead_letter(amqp_url, topology, declared, event_id)
    assert await count_dead_letters(amqp_url, [declared]) == {declared.dead: 2}

    shown = await show_dead_letters(amqp_url, [declared], limit=10)
    assert [(letter.event_id, letter.event_type, letter.reason) for letter in shown] == [
        (first, "variance.completed", "rejected"),
        (second, "variance.completed", "rejected"),
    ]
    assert await count_dead_letters(amqp_url, [declared]) == {declared.dead: 2}  # showing moves nothing

    assert await move_dead_letters(amqp_url, [declared], replay=True, event_id=second) == 1
    assert await count_dead_letters(amqp_url, [declared]) == {declared.dead: 1}
    assert await ready_messages(amqp_url, declared.queue) == [second]  # back where the consumer reads

    assert await move_dead_letters(amqp_url, [declared], replay=False) == 1
    assert await count_dead_letters(amqp_url, [declared]) == {declared.dead: 0}
    assert await ready_messages(amqp_url, declared.queue) == []  # discarded, not replayed
