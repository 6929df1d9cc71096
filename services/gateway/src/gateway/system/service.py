"""Looking across the services: aggregated health and the merged OpenAPI document."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from gateway.edge.route_table import UPSTREAM_SERVICES, owner_of
from gateway.settings import GatewaySettings
from hub_shared.logging import get_logger
from hub_shared.web import finish_openapi

HEALTH_TIMEOUT_SECONDS = 2.0
# The merged document is built from six services' documents; it is kept this long, so /openapi.json (a
# public route) is not a way to make every request fan out to every service.
OPENAPI_CACHE_SECONDS = 60.0
EDGE_STATUSES = (401, 403, 429, 502, 503, 504)

log = get_logger(__name__)


async def probe(client: httpx.AsyncClient, base_url: str) -> dict[str, Any]:
    """One service's health for the public ``/api/health``: its status and version, never its internal
    address or error details (those go to the log)."""
    try:
        response = await client.get(f"{base_url}/health", timeout=HEALTH_TIMEOUT_SECONDS)
    except httpx.TimeoutException:
        log.warning("health probe timed out", url=base_url)
        return {"status": "timeout"}
    except httpx.TransportError as exc:
        log.warning("health probe failed", url=base_url, error=type(exc).__name__)
        return {"status": "unreachable"}
    if response.status_code != 200:
        log.warning("health probe answered", url=base_url, http_status=response.status_code)
        return {"status": "unhealthy", "http_status": response.status_code}
    body = response.json()
    return {"status": body.get("status", "healthy"), "version": body.get("version")}


async def services_health(client: httpx.AsyncClient, settings: GatewaySettings) -> dict[str, dict[str, Any]]:
    names = UPSTREAM_SERVICES
    results = await asyncio.gather(*(probe(client, settings.upstream_url(name)) for name in names))
    return dict(zip(names, results, strict=True))


def merge_openapi(own: dict[str, Any], upstream_docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One document: the gateway's paths plus each service's public paths (those the route table owns).

    Component names that two services define differently are prefixed with the service name, and that
    service's references are rewritten, so no schema silently replaces another.
    """
    merged = copy.deepcopy(own)
    merged.setdefault("paths", {})
    schemas: dict[str, Any] = merged.setdefault("components", {}).setdefault("schemas", {})
    for service, document in upstream_docs.items():
        incoming = document.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service}__{name}"
            for name, schema in incoming.items()
            if name in schemas and schemas[name] != schema
        }
        text = json.dumps(document)
        for old, new in renames.items():
            text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
        document = json.loads(text)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            schemas[renames.get(name, name) if name in renames else name] = schema
        for path, operations in document.get("paths", {}).items():
            upstream = owner_of(path)
            if upstream is not None and upstream.service == service:
                merged["paths"][path] = operations
    # What the edge itself may answer on any public operation (sign-in/scope policy, rate limits, an
    # upstream that is down or slow), documented once here rather than by every service.
    finish_openapi(merged, edge_statuses=EDGE_STATUSES)
    return merged


async def fetch_openapi(client: httpx.AsyncClient, settings: GatewaySettings) -> dict[str, dict[str, Any]]:
    async def one(service: str) -> tuple[str, dict[str, Any] | None]:
        try:
            response = await client.get(f"{settings.upstream_url(service)}/openapi.json", timeout=3.0)
            response.raise_for_status()
            return service, response.json()
        except (httpx.HTTPError, ValueError):
            return service, None

    results = await asyncio.gather(*(one(service) for service in UPSTREAM_SERVICES))
    return {service: document for service, document in results if document is not None}


class OpenApiCache:
    """The merged document, rebuilt at most every ``OPENAPI_CACHE_SECONDS`` by one request at a time
    (concurrent callers wait for that one build instead of each fanning out to the services). A build that
    misses a service is kept only briefly, so the document is whole again soon after the service is back."""

    def __init__(self, ttl_seconds: float = OPENAPI_CACHE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_seconds
        self.clock = clock
        self._document: dict[str, Any] | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.builds = 0

    async def get(self, own: dict[str, Any], client: httpx.AsyncClient, settings: GatewaySettings) -> dict[str, Any]:
        if self._document is not None and self.clock() < self._expires:
            return self._document
        async with self._lock:
            if self._document is not None and self.clock() < self._expires:
                return self._document
            upstream = await fetch_openapi(client, settings)
            self._document = merge_openapi(own, upstream)
            self.builds += 1
            complete = len(upstream) == len(UPSTREAM_SERVICES)
            self._expires = self.clock() + (self.ttl if complete else min(self.ttl, 5.0))
            return self._document
