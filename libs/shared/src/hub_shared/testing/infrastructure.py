"""Where the tests' PostgreSQL and RabbitMQ come from.

In order: ``TEST_DATABASE_URL`` / ``TEST_AMQP_URL``; else the local defaults (this machine's servers);
else throwaway containers (testcontainers), when a Docker engine is available.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

LOCAL_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
LOCAL_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def postgres_server(configured: str | None) -> Iterator[str]:
    """Yields an admin-capable URL (any database) of a PostgreSQL server."""
    if configured:
        yield configured
        return
    if reachable(LOCAL_DATABASE_URL, 5432):
        yield LOCAL_DATABASE_URL
        return
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:15", driver="asyncpg") as container:
        yield container.get_connection_url()


@contextlib.contextmanager
def rabbitmq_server(configured: str | None) -> Iterator[str]:
    if configured:
        yield configured
        return
    if reachable(LOCAL_AMQP_URL, 5672):
        yield LOCAL_AMQP_URL
        return
    from testcontainers.rabbitmq import RabbitMqContainer

    with RabbitMqContainer("rabbitmq:3.13") as container:
        host = container.get_container_host_ip()
        port = container.get_exposed_port(container.port)
        yield f"amqp://guest:guest@{host}:{port}/"


def run_sync(coroutine: object) -> object:
    """Run a coroutine from synchronous fixture code, even when a loop is already running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)  # type: ignore[arg-type]
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()  # type: ignore[arg-type]
