"""The notifier worker killed (SIGKILL) in the middle of a delivery and started again delivers every
message once: the killed attempt never committed, so the restarted worker sends it again with the same
``webhook-id``, and nothing that was delivered is sent twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
from sqlalchemy import text

from hub_shared.app import create_app
from hub_shared.bus import Bus, Topology
from hub_shared.events import JobUpdated, dump_event, new_event
from hub_shared.runtime import ServiceRuntime
from hub_shared.settings import ServiceSettings
from hub_shared.testing.plugin import BusNames, purge_consumer_queues
from hub_shared.testing.servers import free_port, running_server
from notifier.definition import SPEC as NOTIFIER

from .conftest import notifier_settings, signed_headers


def start_worker(database_url: str, amqp_url: str, names: BusNames, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AMQP_URL": amqp_url,
        "AMQP_EXCHANGE": names.exchange,
        "AMQP_DEAD_EXCHANGE": names.dead_exchange,
        "AMQP_QUEUE_PREFIX": names.queue_prefix,
        "NOTIFIER_ALLOW_PRIVATE_TARGETS": "true",
        "NOTIFIER_ALLOWED_SCHEMES": "http,https",
        "NOTIFIER_DELIVERY_CONCURRENCY": "1",
        "NOTIFIER_POLL_SECONDS": "0.2",
        "NOTIFIER_HTTP_TIMEOUT_SECONDS": "120",
        "NOTIFIER_TICK_SECONDS": "3600",
        "LOG_JSON": "false",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "notifier", "worker", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(f"http://127.0.0.1:{port}/ready")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("the notifier worker did not become ready")
            await asyncio.sleep(0.2)


async def test_killed_mid_delivery_and_restarted_delivers_each_message_once(
    service_settings: Callable[..., ServiceSettings],
    database: Any,
    database_url: str,
    amqp_url: str,
    bus_names: BusNames,
    receiver: Any,
) -> None:
    settings = notifier_settings(service_settings, None)
    await purge_consumer_queues(NOTIFIER, settings)
    workers: list[subprocess.Popen[bytes]] = []
    async with AsyncExitStack() as stack:
        stack.callback(lambda: [w.kill() for w in workers if w.poll() is None])
        # The API alone (no worker in this process): the subprocess does all the work.
        api_runtime = ServiceRuntime(NOTIFIER, settings, run_worker=False)
        url = await stack.enter_async_context(running_server(create_app(api_runtime)))
        api = await stack.enter_async_context(httpx.AsyncClient(base_url=url, headers=signed_headers(settings)))
        hook = (
            await api.post(
                "/api/notifications/channels", json={"name": "h", "kind": "webhook", "url": f"{receiver.url}/h"}
            )
        ).json()["data"]
        made = await api.post(
            "/api/notifications/rules",
            json={"name": "f", "condition": "collection_failed", "channel_ids": [hook["id"]]},
        )
        assert made.status_code == 201, made.text

        port = free_port()
        workers.append(start_worker(database_url, amqp_url, bus_names, port))
        await wait_ready(port)
        receiver.delay = 60  # the first request hangs: the worker is killed while it waits
        publisher = Bus(
            amqp_url,
            "tests",
            Topology(
                exchange=bus_names.exchange, dead_exchange=bus_names.dead_exchange, queue_prefix=bus_names.queue_prefix
            ),
        )
        await publisher.start()
        stack.push_async_callback(publisher.stop)
        await publisher.wait_ready(15)
        for job_name in ("ninja-collector", "threatlocker-collector", "cross-vendor-checks"):
            event = new_event(
                JobUpdated(job_id=f"x_{uuid.uuid4().hex[:8]}", job_name=job_name, status="failed", error="down"),
                producer="tests",
            )
            await publisher.publish(
                dump_event(event), routing_key=event.type, message_id=str(event.event_id), event_type=event.type
            )
        await receiver.wait_for(1, timeout=60)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)
        receiver.delay = 0

        port = free_port()
        workers.append(start_worker(database_url, amqp_url, bus_names, port))
        await wait_ready(port)
        deadline = asyncio.get_running_loop().time() + 60
        while True:
            async with database.transaction() as session:
                rows = (await session.execute(text("SELECT status, attempts FROM notifier.deliveries"))).all()
            if len(rows) == 3 and all(row.status == "delivered" for row in rows):
                break
            assert asyncio.get_running_loop().time() < deadline, rows
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)  # anything sent twice would arrive now

    accepted = [r.headers["webhook-id"] for r in receiver.accepted]
    assert len(accepted) == 3 and len(set(accepted)) == 3
    # The interrupted message was sent again under the same id; no other message was repeated.
    sent = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(sent) == 4 and sent[0] in accepted and sent.count(sent[0]) == 2
    assert sorted(row.attempts for row in rows) == [1, 1, 1]
