"""hub_shared.web: validation failures answer the declared spec code (400, the route's envelope), and the
published document says so — 400 not 422, every error status with its family's envelope."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from hub_shared.app import create_app
from hub_shared.runtime import ServiceRuntime, ServiceSpec
from hub_shared.settings import ServiceSettings
from hub_shared.web import (
    QueryFlag,
    binary_response,
    error_code,
    error_responses,
    parse_flag,
    settings_of,
    validation_codes,
)

from .conftest import METADATA, TABLES

router = APIRouter()
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


class Threshold(BaseModel):
    model_config = ConfigDict(json_schema_extra=error_code(missing="MISSING_DATA"))
    metric: Annotated[str, Field(min_length=1, json_schema_extra=error_code("INVALID_METRIC"))]
    value: float


class Answer(BaseModel):
    period: str
    detailed: bool


@router.get("/api/qbr/metrics", responses=error_responses(400, 404))
async def metrics(
    period: Annotated[
        str, Query(pattern=PERIOD, json_schema_extra=error_code("INVALID_PERIOD", missing="MISSING_PERIOD"))
    ],
    detailed: QueryFlag = False,
) -> Answer:
    return Answer(period=period, detailed=detailed)


@router.put("/api/qbr/thresholds", responses=error_responses(400), openapi_extra=validation_codes(malformed="BAD_JSON"))
async def thresholds(body: Threshold) -> Threshold:
    return body


@router.get("/api/tenantsweep/audits/{audit_id}")
async def audit(audit_id: Annotated[int, Path(ge=1)]) -> dict[str, int]:
    return {"id": audit_id}


@router.get("/api/variances/export", response_class=Response, responses=binary_response("text/csv"))
async def export() -> Response:
    return Response(b"a,b\n", media_type="text/csv")


SPEC = ServiceSpec(
    name="webtest",
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


async def error_of(response: httpx.Response) -> tuple[int, str]:
    assert response.status_code == 400, response.text
    return response.status_code, response.json()["error"]["code"]


async def test_a_parameter_declares_its_codes(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/qbr/metrics", params={"period": "2026-11"})).json() == {
        "period": "2026-11",
        "detailed": False,
    }
    assert await error_of(await client.get("/api/qbr/metrics")) == (400, "MISSING_PERIOD")
    assert await error_of(await client.get("/api/qbr/metrics", params={"period": "2026-13"})) == (400, "INVALID_PERIOD")
    # An undeclared field falls back to the family's code.
    bad_flag = await client.get("/api/qbr/metrics", params={"period": "2026-11", "detailed": "maybe"})
    assert await error_of(bad_flag) == (400, "INVALID_PARAMETER")
    on = await client.get("/api/qbr/metrics", params={"period": "2026-11", "detailed": " YES "})
    assert on.json()["detailed"] is True


async def test_body_fields_models_and_routes_declare_codes(client: httpx.AsyncClient) -> None:
    assert await error_of(await client.put("/api/qbr/thresholds", json={"metric": "", "value": 1})) == (
        400,
        "INVALID_METRIC",
    )
    assert await error_of(await client.put("/api/qbr/thresholds", json={"metric": "x", "value": "a"})) == (
        400,
        "INVALID_DATA",
    )
    assert await error_of(await client.put("/api/qbr/thresholds", json={"value": 1})) == (400, "MISSING_DATA")
    malformed = await client.put("/api/qbr/thresholds", content=b"{", headers={"content-type": "application/json"})
    assert await error_of(malformed) == (400, "BAD_JSON")
    assert await error_of(await client.put("/api/qbr/thresholds")) == (400, "MISSING_DATA")


async def test_tenantsweep_family_codes(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/tenantsweep/audits/0")
    assert await error_of(response) == (400, "INVALID_ID")
    assert response.json()["success"] is False


async def test_undeclared_method_is_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/qbr/metrics")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


async def test_document_declares_400_and_envelopes_never_422(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    text = str(document)
    assert "'422'" not in text and "HTTPValidationError" not in text
    metrics = document["paths"]["/api/qbr/metrics"]["get"]
    assert set(metrics["responses"]) == {"200", "400", "404"}
    assert metrics["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorEnvelope"
    }
    period = next(p for p in metrics["parameters"] if p["name"] == "period")
    assert period["required"] is True and period["schema"]["pattern"] == PERIOD
    audit = document["paths"]["/api/tenantsweep/audits/{audit_id}"]["get"]
    assert "400" in audit["responses"]
    export = document["paths"]["/api/variances/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"text/csv"}
    assert document["components"]["schemas"]["Error"]["required"] == ["error"]


def test_parse_flag_has_one_meaning() -> None:
    assert parse_flag(" On ", "x") is True
    assert parse_flag("", "x", default=False) is False
    with pytest.raises(Exception, match="use true or false"):
        parse_flag("", "x")


def test_settings_of_is_typed() -> None:
    class Other(ServiceSettings):
        pass

    class Fake:
        class app:
            class state:
                class runtime:
                    settings = ServiceSettings.model_construct()

    assert isinstance(settings_of(Fake(), ServiceSettings), ServiceSettings)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        settings_of(Fake(), Other)  # type: ignore[arg-type]
