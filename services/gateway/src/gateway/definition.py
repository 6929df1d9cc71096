"""What the gateway is: the public edge on :5400 that routes every public path to its service."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from gateway.auth.tokens_cli import register as register_token_commands
from gateway.auth.workers import purge_expired_sessions
from gateway.collectors.consumers import make_job_update_handler
from gateway.collectors.routes import router as collectors_router
from gateway.collectors.schedule import schedule_worker, stale_job_worker
from gateway.edge.proxy import UpstreamLanes, build_client, proxy
from gateway.edge.security import install_edge
from gateway.models import SCHEMA, messaging, metadata
from gateway.settings import GatewaySettings
from gateway.status.routes import router as status_router
from gateway.system.openapi_cli import register as register_openapi_command
from gateway.system.routes import router as system_router
from hub_shared.runtime import ConsumerSpec, ServiceRuntime, ServiceSpec

PROXIED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def configure(app: FastAPI, runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    assert isinstance(settings, GatewaySettings)
    client = build_client(settings)  # the gateway's own calls to services (status, health, collector runs)
    runtime.state["http"] = client
    runtime.on_stop(client.aclose)
    lanes = UpstreamLanes(settings)
    runtime.state["proxy_lanes"] = lanes
    runtime.on_stop(lanes.aclose)
    # The merged document replaces FastAPI's own /openapi.json and /docs.
    app.router.routes = [
        route
        for route in app.router.routes
        if getattr(route, "path", None) not in ("/openapi.json", "/docs", "/docs/oauth2-redirect")
    ]
    app.include_router(system_router)
    install_edge(app, runtime)  # sign-in routes, access policy, CORS/CSRF/limits/headers

    async def forward(request: Request) -> Response:
        return await proxy(request, lanes, settings)

    # Registered last, so the gateway's own routes win; everything else under /api goes by the table.
    app.router.routes.append(APIRoute("/api/{path:path}", forward, methods=PROXIED_METHODS, include_in_schema=False))


def register_commands(commands: Any) -> None:
    register_token_commands(commands)
    register_openapi_command(commands)


SPEC = ServiceSpec(
    name="gateway",
    package="gateway",
    schema=SCHEMA,
    settings_cls=GatewaySettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub API",
    routers=lambda: (collectors_router, status_router),
    consumers=(ConsumerSpec("jobs", ("job.updated",), make_job_update_handler),),
    workers=(schedule_worker, stale_job_worker, purge_expired_sessions),
    configure_app=configure,
    extra_commands=register_commands,
)
