"""The gateway routes each public path to its service: streams pass unbuffered, failures are JSON.

Upstreams here are small HTTP apps on real ports standing in for the services' HTTP surface.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

from gateway.definition import SPEC
from gateway.edge.route_table import ROUTE_TABLE, UPSTREAM_SERVICES
from hub_shared.app import create_app
from hub_shared.runtime import ServiceRuntime
from hub_shared.settings import ServiceSettings
from hub_shared.testing.servers import free_port, running_server


def stand_in(name: str, release: asyncio.Event) -> FastAPI:
    app = FastAPI(title=name)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "healthy", "version": "0.1.0"}

    # The summary names the app that served the document, so the merge can be told apart per owner.
    @app.get("/api/variances/export/csv", summary=f"export in {name}")
    async def export(request: Request) -> StreamingResponse:
        async def rows() -> AsyncIterator[bytes]:
            yield b"hostname,type\n"
            # The rest waits until the client has seen the first chunk: a buffering proxy would hang.
            await asyncio.wait_for(release.wait(), 10)
            for index in range(3):
                yield f"host-{index},MISSING_NINJA\n".encode()

        return StreamingResponse(rows(), media_type="text/csv")

    @app.api_route("/api/exceptions/{exception_id}/resolve", methods=["POST"])
    async def echo(exception_id: int, request: Request) -> dict[str, object]:
        return {
            "id": exception_id,
            "body": (await request.json()),
            "identity": request.headers.get("x-hub-identity"),
            "query": dict(request.query_params),
            "request_id": request.headers.get("x-request-id"),
            "accept_encoding": request.headers.get("accept-encoding"),
        }

    @app.get("/api/windows-11-24h2/status")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(5)
        return {"status": "late"}

    @app.post("/api/windows-11-24h2/run")
    async def synchronous_run() -> dict[str, str]:
        await asyncio.sleep(1)  # longer than the default upstream timeout of these tests (0.5 s)
        return {"status": "success"}

    @app.get("/api/variance-report/latest")
    async def latest() -> dict[str, str]:
        return {"report": "ok"}

    return app


@pytest.fixture
async def gateway(
    service_settings: Callable[..., ServiceSettings],
) -> AsyncIterator[tuple[httpx.AsyncClient, asyncio.Event]]:
    release = asyncio.Event()
    async with AsyncExitStack() as stack:
        variance_url = await stack.enter_async_context(running_server(stand_in("variance", release)))
        assessment_url = await stack.enter_async_context(running_server(stand_in("assessment", release)))
        unused = f"http://127.0.0.1:{free_port()}"
        settings = service_settings(
            SPEC,
            variance_url=variance_url,
            assessment_url=assessment_url,
            qbr_url=unused,
            tenantsweep_url=unused,
            notifier_url=unused,
            collector_ninja_url=unused,
            collector_threatlocker_url=unused,
            upstream_timeout_seconds=0.5,
        )
        runtime = ServiceRuntime(SPEC, settings, run_worker=False)
        base = await stack.enter_async_context(running_server(create_app(runtime)))
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=10))
        yield client, release, runtime


async def test_streaming_response_passes_through_unbuffered(gateway) -> None:
    client, release, _ = gateway
    async with client.stream("GET", "/api/variances/export/csv") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        chunks = response.aiter_bytes()
        first = await asyncio.wait_for(anext(chunks), 5)
        assert first == b"hostname,type\n"
        release.set()
        rest = b"".join([chunk async for chunk in chunks])
    assert rest == b"host-0,MISSING_NINJA\nhost-1,MISSING_NINJA\nhost-2,MISSING_NINJA\n"


async def test_body_query_and_request_id_are_forwarded_and_client_identity_is_dropped(gateway) -> None:
    client, _, _ = gateway
    response = await client.post(
        "/api/exceptions/42/resolve?dry_run=true",
        json={"resolved_by": "dana"},
        headers={"x-hub-identity": "forged-admin", "x-request-id": "trace-1"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": 42,
        "body": {"resolved_by": "dana"},
        "identity": None,
        "query": {"dry_run": "true"},
        "request_id": "trace-1",
        "accept_encoding": "gzip, deflate",  # the test client's own, passed on as sent
    }
    # One of each, the gateway's own: the upstream's copies are not repeated.
    for name in ("date", "server", "x-request-id"):
        assert len(response.headers.get_list(name)) == 1, name


async def test_a_wrong_method_with_a_body_reaches_the_service_and_answers_its_405(gateway) -> None:
    client, _, _ = gateway
    response = await client.request("OPTIONS", "/api/exceptions/42/resolve", content=b'{"resolved_by": "dana"}')
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"


async def test_the_gateways_own_paths_answer_405_with_allow_for_an_undeclared_method(gateway) -> None:
    client, _, _ = gateway
    for method, path, allow in (
        ("DELETE", "/api/health", "GET"),
        ("PUT", "/api/status", "GET"),
        ("DELETE", "/api/collectors/run", "POST"),
        ("POST", "/api/collectors/runs/batch/bc_1", "GET"),
    ):
        response = await client.request(method, path)
        assert response.status_code == 405, (method, path, response.text)
        assert response.headers["allow"] == allow, (method, path)
    assert (await client.delete("/api/no-such-route")).status_code == 404


async def test_a_client_that_accepts_no_encoding_gets_none_from_the_service(gateway) -> None:
    client, _, _ = gateway
    request = client.build_request("POST", "/api/exceptions/7/resolve", json={})
    del request.headers["accept-encoding"]  # as curl sends it: no Accept-Encoding at all
    response = await client.send(request)
    assert response.status_code == 200
    assert response.json()["accept_encoding"] == "identity"


async def test_stopped_service_answers_502_json_and_slow_one_504(gateway) -> None:
    client, _, _ = gateway
    # A public QBR route: a protected one would stop at the edge (401) before the proxy.
    response = await client.get("/api/qbr/metrics/devices-by-client?period=2026-09")
    assert response.status_code == 502
    assert response.json() == {
        "success": False,
        "error": {"code": "BAD_GATEWAY", "message": "The qbr service is unavailable", "status": 502},
    }
    response = await client.get("/api/windows-11-24h2/status")
    assert response.status_code == 504
    assert response.json() == {"error": "The assessment service did not answer in time"}


async def test_a_client_leaving_mid_stream_releases_its_upstream_lane(gateway) -> None:
    client, release, runtime = gateway
    lanes = runtime.state["proxy_lanes"]
    async with client.stream("GET", "/api/variances/export/csv") as response:
        assert await anext(response.aiter_bytes()) == b"hostname,type\n"
        assert sum(lanes.in_flight) == 1
    # The client hung up with the rest unread (the stand-in is still waiting to send it).
    for _ in range(100):
        if not any(lanes.in_flight):
            break
        await asyncio.sleep(0.05)
    assert lanes.in_flight == [0] * len(lanes.clients)
    release.set()


async def test_a_synchronous_long_running_route_gets_the_long_upstream_timeout(gateway) -> None:
    client, _, _ = gateway
    response = await client.post("/api/windows-11-24h2/run")
    assert (response.status_code, response.json()) == (200, {"status": "success"})


async def test_unknown_api_path_is_a_json_404(gateway) -> None:
    client, _, _ = gateway
    response = await client.get("/api/nothing-here")
    assert (response.status_code, response.json()) == (404, {"error": "Not found"})


async def test_api_health_reports_every_service(gateway) -> None:
    client, _, _ = gateway
    body = (await client.get("/api/health")).json()
    assert body["status"] == "degraded"
    assert body["timestamp"].endswith("Z")
    assert set(body["services"]) == {"gateway", *UPSTREAM_SERVICES}
    assert body["services"]["variance"]["status"] == "healthy"
    assert body["services"]["assessment"]["status"] == "healthy"
    assert body["services"]["qbr"]["status"] == "unreachable"
    # Issue 17 finding 11: the public body names no internal address (nor error details).
    assert "127.0.0.1" not in json.dumps(body) and "url" not in json.dumps(body)
    assert body["services"]["qbr"] == {"status": "unreachable"}


async def test_docs_merge_each_services_public_paths(gateway) -> None:
    client, _, _ = gateway
    document = (await client.get("/openapi.json")).json()
    assert "/api/health" in document["paths"]
    assert "/api/variance-report/latest" in document["paths"]
    # The stand-in assessment app also declares the variance paths; only the owner's copy is merged.
    assert document["paths"]["/api/variances/export/csv"]["get"]["summary"] == "export in variance"
    assert "/api/windows-11-24h2/status" in document["paths"]
    assert "/health" not in document["paths"]
    page = await client.get("/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text


async def test_the_merged_document_is_cached_not_rebuilt_per_request(gateway) -> None:
    """Issue 17 finding 11: /openapi.json is public; each request used to fan out to six services."""
    client, _, runtime = gateway
    documents = await asyncio.gather(*(client.get("/openapi.json") for _ in range(20)))
    assert {response.status_code for response in documents} == {200}
    assert len({response.text for response in documents}) == 1
    # One build served all twenty (the stand-ins miss some services, so it is kept only briefly).
    assert runtime.state["openapi_cache"].builds == 1


async def test_concurrent_requests_spread_over_the_upstream_lanes_and_every_lane_is_released(gateway) -> None:
    client, release, runtime = gateway
    lanes = runtime.state["proxy_lanes"]
    streams = [client.stream("GET", "/api/variances/export/csv") for _ in range(3)]
    responses = [await stream.__aenter__() for stream in streams]
    # Three streams are open at once: each took the least busy lane, so three different lanes.
    assert sorted(lanes.in_flight, reverse=True)[:4] == [1, 1, 1, 0]
    release.set()
    bodies = [await response.aread() for response in responses]
    for stream in streams:
        await stream.__aexit__(None, None, None)
    assert all(body.endswith(b"host-2,MISSING_NINJA\n") for body in bodies)
    assert (await client.get("/api/qbr/metrics/devices-by-client")).status_code == 502
    assert (await client.get("/api/windows-11-24h2/status")).status_code == 504
    for _ in range(50):  # the lane is released by the response's background task, after the last byte
        if not any(lanes.in_flight):
            break
        await asyncio.sleep(0.02)
    assert lanes.in_flight == [0] * len(lanes.clients)


def test_route_table_prefixes_do_not_shadow_each_other() -> None:
    prefixes = [upstream.prefix for upstream in ROUTE_TABLE]
    assert len(prefixes) == len(set(prefixes))
    for prefix in prefixes:
        assert not any(other != prefix and prefix.startswith(other + "/") for other in prefixes)
