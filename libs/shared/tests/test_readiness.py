"""Every service's ``/ready`` follows its database and broker: false while one is down, true after.

Each service runs its real app and worker (relay and consumers); its PostgreSQL and RabbitMQ
connections pass through TCP relays the test cuts and restores.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager

from hub_shared.app import create_app
from hub_shared.registry import installed_services
from hub_shared.runtime import ServiceRuntime, ServiceSpec
from hub_shared.settings import ServiceSettings
from hub_shared.testing.tcp_proxy import TcpProxy

SERVICES = installed_services()


def through(url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit((parts.scheme, f"{credentials}127.0.0.1:{proxy.port}", parts.path, parts.query, ""))


async def ready_state(client: httpx.AsyncClient) -> tuple[int, dict[str, bool]]:
    response = await client.get("/ready")
    return response.status_code, response.json()["checks"]


async def eventually(client: httpx.AsyncClient, status: int, timeout: float = 20.0) -> dict[str, bool]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        code, checks = await ready_state(client)
        if code == status:
            return checks
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"/ready stayed {code} {checks}, expected {status}")
        await asyncio.sleep(0.2)


@pytest.mark.parametrize("spec", SERVICES, ids=[spec.name for spec in SERVICES])
async def test_ready_follows_database_and_broker(
    spec: ServiceSpec, service_settings: Callable[..., ServiceSettings], database_url: str, amqp_url: str
) -> None:
    db_target = urlsplit(database_url.replace("postgresql+asyncpg", "postgresql"))
    amqp_target = urlsplit(amqp_url)
    db_proxy = await TcpProxy(db_target.hostname or "127.0.0.1", db_target.port or 5432).start()
    amqp_proxy = await TcpProxy(amqp_target.hostname or "127.0.0.1", amqp_target.port or 5672).start()
    settings = service_settings(
        spec, database_url=through(database_url, db_proxy), amqp_url=through(amqp_url, amqp_proxy)
    )
    runtime = ServiceRuntime(spec, settings, run_worker=True)
    assert runtime.bus is not None
    runtime.bus.reconnect_interval = 0.5
    app = create_app(runtime)
    try:
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
        ):
            assert (await client.get("/health")).json()["service"] == spec.name
            checks = await eventually(client, 200)
            assert checks == {"database": True, "broker": True, "consumers": True, "workers": True}

            await db_proxy.cut()
            checks = await eventually(client, 503)
            assert checks["database"] is False
            await db_proxy.restore()
            await eventually(client, 200)

            await amqp_proxy.cut()
            checks = await eventually(client, 503)
            assert checks["broker"] is False
            await amqp_proxy.restore()
            checks = await eventually(client, 200)
            assert all(checks.values())

            metrics = (await client.get("/metrics")).text
            assert f'hub_ready{{service="{spec.name}"}} 1.0' in metrics
    finally:
        await db_proxy.close()
        await amqp_proxy.close()
