"""Gateway system routes: ``/api/health`` (every service) and the merged ``/openapi.json`` (``/docs``: ``docs.py``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from gateway.settings import GatewaySettings
from gateway.system import service
from hub_shared.timefmt import rfc3339

router = APIRouter(tags=["system"])


class ServiceHealth(BaseModel):
    """One service's health as the gateway saw it (``url``, ``version``, ``error`` or ``http_status`` too)."""

    model_config = ConfigDict(extra="allow")
    status: str


class HubHealth(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["healthy", "degraded"]
    timestamp: str
    version: str
    services: dict[str, ServiceHealth]


def _client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.app.state.runtime.state["http"]
    return client


def _settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.runtime.settings
    return settings


@router.get("/api/health", summary="Health of the gateway and every service")
async def api_health(request: Request) -> HubHealth:
    services = await service.services_health(_client(request), _settings(request))
    healthy = all(entry["status"] == "healthy" for entry in services.values())
    return HubHealth.model_validate(
        {
            "status": "healthy" if healthy else "degraded",
            "timestamp": rfc3339(datetime.now(UTC)),
            "version": request.app.version,
            "services": {"gateway": {"status": "healthy"}, **services},
        }
    )


@router.get("/openapi.json", include_in_schema=False)
async def openapi(request: Request) -> JSONResponse:
    state = request.app.state.runtime.state
    cache = state.get("openapi_cache")
    if cache is None:
        cache = state["openapi_cache"] = service.OpenApiCache()
    return JSONResponse(await cache.get(request.app.openapi(), _client(request), _settings(request)))
