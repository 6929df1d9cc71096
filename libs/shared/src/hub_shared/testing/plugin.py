"""pytest plugin: one fresh database per test session, migrated once; isolated broker names; helpers.

Loaded for every test through the root ``pyproject.toml`` (``-p hub_shared.testing.plugin``).

Fixtures:
- ``database_url``: a new database (``hub_test_<random>``) with every service's migrations applied,
  dropped at the end of the session.
- ``amqp_url`` and ``bus_names``: the broker, and exchange/queue names unique to this session so tests
  never see the running system's messages (or another session's).
- ``service_settings(spec, **overrides)``: a service's settings pointing at the above.
- ``database``: a :class:`~hub_shared.db.Database` on the test database; every table of the hub's
  schemas is emptied after the test, so tests stay independent.

Tests run as development (``HUB_ENV=development``, also for the services they start as subprocesses):
the development signing key and short test keys are admitted. A test of the production checks sets
``hub_env="production"`` itself.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import aio_pika
import pytest
import pytest_asyncio
from aiormq.exceptions import ChannelNotFoundEntity
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hub_shared.db import Database
from hub_shared.devtools import drop_database, ensure_database, migrate_all
from hub_shared.events import SUBSCRIPTIONS
from hub_shared.logging import configure_logging
from hub_shared.registry import installed_services
from hub_shared.runtime import ServiceRuntime, ServiceSpec
from hub_shared.settings import ServiceSettings
from hub_shared.testing.infrastructure import postgres_server, rabbitmq_server, run_sync

os.environ.setdefault("HUB_ENV", "development")


@dataclass(frozen=True)
class BusNames:
    exchange: str
    dead_exchange: str
    queue_prefix: str


def pytest_configure(config: pytest.Config) -> None:
    """The services' own log configuration, as their processes have it. Left to structlog's defaults, a logged
    exception is rendered by `rich` with every frame's locals — seconds per error, long enough to time out the
    request that logged it."""
    configure_logging("tests", "INFO", json_output=False)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with postgres_server(os.environ.get("TEST_DATABASE_URL")) as server_url:
        name = f"hub_test_{uuid.uuid4().hex[:10]}"
        url = make_url(server_url).set(drivername="postgresql+asyncpg", database=name)
        rendered = url.render_as_string(hide_password=False)
        run_sync(ensure_database(rendered))
        try:
            migrate_all(rendered)
            yield rendered
        finally:
            run_sync(drop_database(rendered))


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    with rabbitmq_server(os.environ.get("TEST_AMQP_URL")) as url:
        yield url


@pytest_asyncio.fixture(scope="session")
async def bus_names(amqp_url: str) -> AsyncIterator[BusNames]:
    tag = uuid.uuid4().hex[:8]
    names = BusNames(
        exchange=f"test-{tag}.hub.events", dead_exchange=f"test-{tag}.hub.dead", queue_prefix=f"test-{tag}."
    )
    yield names
    await delete_test_topology(amqp_url, names)


async def delete_test_topology(amqp_url: str, names: BusNames) -> None:
    """Remove the session's exchanges and every queue a known service would have declared."""
    await delete_topology(amqp_url, catalogue_queues(names.queue_prefix), [names.exchange, names.dead_exchange])


def catalogue_queues(prefix: str) -> list[str]:
    """Every queue a bus with this prefix declares (each with its dead-letter queue)."""
    return [f"{prefix}{service}.{purpose}{suffix}" for service, purpose in SUBSCRIPTIONS for suffix in ("", ".dead")]


async def purge_queues(amqp_url: str, queues: list[str]) -> None:
    """Empty queues that exist (a test must not inherit the previous test's undelivered events)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for queue in queues:
            try:
                declared = await (await connection.channel()).get_queue(queue, ensure=True)
            except ChannelNotFoundEntity:
                continue  # never declared: nothing to inherit
            # Any other failure is loud: a queue left full would hand its events to the next test.
            await declared.purge()


async def purge_consumer_queues(spec: ServiceSpec, settings: ServiceSettings) -> None:
    """Empty a service's own queues: earlier tests of the session may have left events (whose rows are gone)."""
    queues = [f"{settings.amqp_queue_prefix}{spec.name}.{consumer.purpose}" for consumer in spec.consumers]
    await purge_queues(settings.amqp_url, queues)


async def start_consumers(spec: ServiceSpec, settings: ServiceSettings) -> ServiceRuntime:
    """A runtime with only its bus consumers running (no HTTP, no workers), on freshly emptied queues; the
    caller stops it."""
    await purge_consumer_queues(spec, settings)
    runtime = ServiceRuntime(spec, settings)
    assert runtime.bus is not None
    await runtime.bus.start()
    await runtime.bus.wait_ready(15)
    return runtime


async def delete_topology(amqp_url: str, queues: list[str], exchanges: list[str]) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        # Deleting what does not exist is not an error in RabbitMQ; anything else fails the session loudly,
        # since a queue left behind would hand its events to whoever declares that name next.
        for queue in queues:
            await (await connection.channel()).queue_delete(queue)
        for exchange in exchanges:
            await (await connection.channel()).exchange_delete(exchange)


@pytest.fixture
def service_settings(database_url: str, amqp_url: str, bus_names: BusNames) -> Callable[..., ServiceSettings]:
    def build(spec: ServiceSpec, **overrides: Any) -> ServiceSettings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "amqp_url": amqp_url,
            "amqp_exchange": bus_names.exchange,
            "amqp_dead_exchange": bus_names.dead_exchange,
            "amqp_queue_prefix": bus_names.queue_prefix,
            "outbox_poll_seconds": 0.5,
            "log_json": False,
        }
        values.update(overrides)
        return spec.settings_cls(**values)

    return build


HUB_SCHEMAS = tuple(spec.schema for spec in installed_services())


async def truncate_all(database: Database) -> None:
    async with database.transaction() as session:
        rows = await session.execute(
            text(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
                "WHERE schemaname = ANY(:schemas) AND tablename <> 'alembic_version'"
            ),
            {"schemas": list(HUB_SCHEMAS)},
        )
        tables = [row[0] for row in rows]
        if tables:
            await session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest_asyncio.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url, pool_size=5, application_name="tests")
    try:
        yield db
    finally:
        await truncate_all(db)
        await db.dispose()
