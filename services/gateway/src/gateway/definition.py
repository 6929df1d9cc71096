"""What the gateway is: the public edge on :5400 that routes every public path to its service."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.routing import Match

from gateway.auth.tokens_cli import register as register_token_commands
from gateway.auth.workers import purge_expired_sessions
from gateway.collectors.consumers import make_job_update_handler
from gateway.collectors.routes import router as collectors_router
from gateway.collectors.schedule import schedule_worker, stale_job_worker
from gateway.console.static import install_console
from gateway.edge.etag import ETagMiddleware
from gateway.edge.proxy import UpstreamLanes, build_client, proxy
from gateway.edge.route_table import owner_of
from gateway.edge.security import install_edge
from gateway.models import SCHEMA, messaging, metadata
from gateway.settings import GatewaySettings
from gateway.status.routes import router as status_router
from gateway.system.docs import router as docs_router
from gateway.system.openapi_cli import register as register_openapi_command
from gateway.system.routes import router as system_router
from hub_shared.errors import error_response
from hub_shared.runtime import ConsumerSpec, ServiceRuntime, ServiceSpec

# OPTIONS too, so the owning service answers it with its own ``Allow`` (a CORS preflight never gets here).
PROXIED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CATCH_ALL = "/api/{path:path}"
CATCH_ALLS = (CATCH_ALL, "/{path:path}")  # the proxy's and the console's (console/static.py)


def own_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the gateway's own routes declare for ``path`` (empty: not one of its paths)."""
    allowed: set[str] = set()
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        scope: dict[str, Any] = {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}
        for route in app.router.routes:
            if getattr(route, "path", None) in CATCH_ALLS:
                continue
            if route.matches(scope)[0] is Match.FULL:
                allowed.add(method)
                break
    return sorted(allowed)


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
    app.include_router(docs_router)
    install_edge(app, runtime)  # sign-in routes, access policy, CORS/CSRF/limits/headers
    app.add_middleware(ETagMiddleware)  # outermost: conditional GETs of the JSON the console polls

    async def forward(request: Request) -> Response:
        path = request.url.path
        if owner_of(path) is None:
            allowed = own_methods(app, path)
            if allowed:  # one of the gateway's own paths, asked with a method it does not declare
                return error_response(path, 405, "Method not allowed", headers={"Allow": ", ".join(allowed)})
        return await proxy(request, lanes, settings)

    # Registered last, so the gateway's own routes win; everything else under /api goes by the table.
    app.router.routes.append(APIRoute(CATCH_ALL, forward, methods=PROXIED_METHODS, include_in_schema=False))
    # And after it the console: every other path is one of its files or client routes.
    install_console(app, settings.console_dist_dir)


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
