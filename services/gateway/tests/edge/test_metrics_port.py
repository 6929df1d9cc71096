"""Issue 17 finding 11: with METRICS_PORT set, /metrics is served there only (where only the scraper is
admitted), not on the gateway's public port; without it, as before (``make dev``: localhost:5400/metrics)."""

from __future__ import annotations

import asyncio

import httpx

from gateway.definition import SPEC
from hub_shared.app import create_app
from hub_shared.cli import build_server
from hub_shared.runtime import ServiceRuntime
from hub_shared.testing.servers import free_port


async def test_metrics_live_on_their_own_port_when_one_is_set(service_settings) -> None:
    port, metrics_port = free_port(), free_port()
    settings = service_settings(SPEC, metrics_port=metrics_port, collector_schedule_enabled=False)
    server, sockets = build_server(create_app(ServiceRuntime(SPEC, settings, run_worker=False)), settings, port)
    assert sockets is not None and len(sockets) == 2
    task = asyncio.create_task(server.serve(sockets=sockets))
    try:
        while not server.started:
            assert not task.done(), "server stopped before starting"
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(timeout=10) as client:
            public = await client.get(f"http://127.0.0.1:{port}/metrics")
            assert public.status_code == 404, public.text
            assert (await client.get(f"http://127.0.0.1:{port}/health")).status_code == 200
            scrape = await client.get(f"http://127.0.0.1:{metrics_port}/metrics")
            assert scrape.status_code == 200 and "hub_http_requests_total" in scrape.text
            # The metrics port is for metrics: the API is not reachable through it.
            assert (await client.get(f"http://127.0.0.1:{metrics_port}/api/health")).status_code == 404
            assert (await client.get(f"http://127.0.0.1:{metrics_port}/health")).status_code == 404
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


def test_without_a_metrics_port_one_server_binds_one_port(service_settings) -> None:
    settings = service_settings(SPEC)
    _, sockets = build_server(create_app(ServiceRuntime(SPEC, settings, run_worker=False)), settings, free_port())
    assert sockets is None
