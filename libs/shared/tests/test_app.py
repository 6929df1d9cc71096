"""The app factory: JSON errors in the route's envelope, 400 for bad input, request ids, metrics."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest_asyncio
from fastapi import APIRouter, Query
from pydantic import BaseModel

from hub_shared.app import create_app
from hub_shared.errors import ApiError
from hub_shared.runtime import ServiceRuntime, ServiceSpec
from hub_shared.settings import ServiceSettings

from .conftest import METADATA, TABLES

router = APIRouter()


class Body(BaseModel):
    name: str


@router.get("/api/variances/things/{thing_id}")
async def get_thing(thing_id: int, limit: int = Query(10, ge=1)) -> dict[str, int]:
    if thing_id == 404:
        raise ApiError(404, "Thing not found")
    return {"thing_id": thing_id, "limit": limit}


@router.post("/api/qbr/things")
async def post_thing(body: Body) -> dict[str, str]:
    if body.name == "taken":
        raise ApiError(409, "Name already used", code="DUPLICATE_NAME")
    return {"name": body.name}


@router.get("/api/qbr/named/{name}")
async def get_named(name: str, note: str = "") -> dict[str, str]:
    return {"name": name, "note": note}


@router.get("/api/variances/crash")
async def crash() -> None:
    raise RuntimeError("boom")


SPEC = ServiceSpec(
    name="apptest",
    package="hub_shared",
    schema="shared_tests",
    settings_cls=ServiceSettings,
    metadata=METADATA,
    tables=TABLES,
    title="test",
    routers=lambda: [router],
)


@pytest_asyncio.fixture
async def client(service_settings: Callable[..., ServiceSettings]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ServiceRuntime(SPEC, service_settings(SPEC), run_worker=False))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_bare_family_errors(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/variances/things/404")
    assert (response.status_code, response.json()) == (404, {"error": "Thing not found"})
    response = await client.get("/api/variances/things/abc")
    assert response.status_code == 400
    message = "Invalid value for thing_id: Input should be a valid integer, unable to parse string as an integer"
    assert response.json() == {"error": message}
    response = await client.get("/api/variances/things/1?limit=0")
    assert response.status_code == 400
    assert response.json()["error"].startswith("Invalid value for limit:")
    response = await client.get("/api/variances/nowhere")
    assert (response.status_code, response.json()) == (404, {"error": "Not found"})
    response = await client.delete("/api/variances/things/1")
    assert (response.status_code, response.json()) == (405, {"error": "Method not allowed"})
    assert response.headers["allow"] == "GET"


async def test_success_data_family_errors(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/qbr/things", json={"name": "taken"})
    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "error": {"code": "DUPLICATE_NAME", "message": "Name already used", "status": 409},
    }
    response = await client.post("/api/qbr/things", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "INVALID_DATA",
        "message": "Malformed JSON body",
        "status": 400,
    }
    response = await client.post("/api/qbr/things", json={})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Invalid value for name: Field required"


async def test_crash_is_a_json_500_with_the_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/variances/crash", headers={"x-request-id": "req-123"})
    assert response.status_code == 500
    assert response.json() == {"error": "Internal server error", "request_id": "req-123"}
    assert response.headers["x-request-id"] == "req-123"


async def test_request_id_is_generated_and_metrics_use_route_templates(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/variances/things/7")
    assert response.json() == {"thing_id": 7, "limit": 10}
    assert len(response.headers["x-request-id"]) == 32
    metrics = await client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert (
        'hub_http_requests_total{method="GET",route="/api/variances/things/{thing_id}",service="apptest",status="200"}'
        in metrics.text
    )


def test_an_error_quoting_a_lone_surrogate_still_renders_as_json() -> None:
    from hub_shared.errors import error_response

    response = error_response("/api/qbr/thresholds", 400, "Unknown metric: \ud800", code="INVALID_METRIC")
    assert json.loads(response.body)["error"]["message"] == "Unknown metric: \ud800"
    plain = error_response("/api/exceptions", 400, "Unknown type: é")
    assert plain.body.decode("utf-8") == '{"error":"Unknown type: é"}'


async def test_path_and_query_values_postgresql_cannot_store_are_a_400_in_the_routes_envelope(
    client: httpx.AsyncClient,
) -> None:
    bare = await client.get("/api/variances/things/1", params={"search": "a\x00b"})
    assert bare.status_code == 400
    assert bare.json() == {
        "error": "Invalid value for 'search': contains characters that cannot be stored (NUL or an unpaired surrogate)"
    }
    wrapped = await client.get("/api/qbr/named/a%00b")
    assert wrapped.status_code == 400
    assert wrapped.json()["error"]["code"] == "INVALID_PARAMETER" and "'name'" in wrapped.json()["error"]["message"]
    assert (await client.get("/api/qbr/named/caf%C3%A9", params={"note": "ok 🙂"})).json() == {
        "name": "café",
        "note": "ok 🙂",
    }
