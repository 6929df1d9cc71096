"""The FastAPI app factory every service uses.

It adds ``/health`` (alive), ``/ready`` (database, broker, consumers, workers), ``/metrics``
(Prometheus), a request id on every request and log line, HTTP metrics per route template, and JSON
errors in the route's envelope for everything — validation failures answer 400 (never FastAPI's 422),
unknown paths 404, and an unexpected crash a JSON 500, never an HTML page.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub_shared.errors import ApiError, error_body, error_response
from hub_shared.logging import bound, get_logger
from hub_shared.metrics import HTTP_LATENCY, HTTP_REQUESTS, render_latest
from hub_shared.runtime import ServiceRuntime
from hub_shared.storable import storable_text
from hub_shared.timefmt import rfc3339
from hub_shared.web import UNSTORABLE_MESSAGE, describe_validation_error, finish_openapi

__all__ = ["UNSTORABLE_MESSAGE", "create_app", "install_error_handlers", "rfc3339"]  # rfc3339: moved to timefmt

log = get_logger("hub.http")

REQUEST_ID_HEADER = "x-request-id"
_UNMATCHED_ROUTE = "<unmatched>"


class RequestContextMiddleware:
    """Request id, access log, metrics, and a JSON 500 instead of a bare crash (pure ASGI: streams pass)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        supplied = headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")[:128]
        request_id = supplied or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        with bound(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                log.exception("unhandled error", path=scope.get("path"))
                if not status_holder["started"]:
                    response = JSONResponse(
                        error_body(
                            scope.get("path", ""),
                            500,
                            "Internal server error",
                            extra={"request_id": request_id},
                        ),
                        status_code=500,
                    )
                    await response(scope, receive, send_with_id)
                status_holder["status"] = 500
            finally:
                route = scope.get("route")
                template = getattr(route, "path", None) or _UNMATCHED_ROUTE
                elapsed = time.perf_counter() - started
                method = scope.get("method", "GET")
                status = str(status_holder["status"])
                HTTP_REQUESTS.labels(self.service, method, template, status).inc()
                HTTP_LATENCY.labels(self.service, method, template).observe(elapsed)
                if template not in ("/health", "/metrics", "/ready"):
                    log.info(
                        "request",
                        method=method,
                        path=scope.get("path"),
                        route=template,
                        status=int(status),
                        duration_ms=round(elapsed * 1000, 1),
                    )


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method some route answers at this path (Starlette's own 405 names only the first route's, so
    ``GET`` and ``POST`` of one path declared as two routes would each hide the other)."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    )


class MetricsPortMiddleware:
    """With ``METRICS_PORT`` set: that port serves ``/metrics`` and nothing else, and the service port
    serves everything but ``/metrics`` (on the gateway, the public port must not expose it)."""

    def __init__(self, app: ASGIApp, metrics_port: int) -> None:
        self.app = app
        self.metrics_port = metrics_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        server = scope.get("server") or (None, None)
        on_metrics_port = server[1] == self.metrics_port
        if on_metrics_port != (scope["path"] == "/metrics"):
            await error_response(scope["path"], 404, "Not found")(scope, receive, send)
            return
        await self.app(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(request.url.path, exc.status, exc.message, exc.code, exc.headers, exc.extra)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        code, message = describe_validation_error(request, exc)
        return error_response(request.url.path, 400, message, code)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, str(exc.detail))
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(request)}
        return error_response(request.url.path, exc.status_code, message, headers=headers)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


async def reject_unstorable_parameters(request: Request) -> None:
    """Every route: a path or query value PostgreSQL could not hold (``%00``) is a 400 in the route's
    envelope before any SQL runs, instead of a database error (bodies are each route's own to check)."""
    pairs = [*request.path_params.items(), *request.query_params.multi_items()]
    for name, value in pairs:
        if isinstance(value, str) and not (storable_text(name) and storable_text(value)):
            raise ApiError(400, f"Invalid value for {name!r}: {UNSTORABLE_MESSAGE}", code="INVALID_PARAMETER")


def install_contract_openapi(app: FastAPI, *, edge_statuses: tuple[int, ...] = ()) -> None:
    """The app's ``/openapi.json`` says what it answers: 400 instead of FastAPI's 422, every documented
    error status with its family's envelope (:func:`hub_shared.web.finish_openapi`)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish_openapi(generate(), edge_statuses=edge_statuses)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(runtime: ServiceRuntime, *, include_routers: bool = True) -> FastAPI:
    spec = runtime.spec
    # redirect_slashes off: a path with a trailing slash is not a spec route, so it is a JSON 404 in the
    # route's envelope, never a redirect to the service's internal address that the gateway would pass on.
    app = FastAPI(
        title=spec.title,
        version=spec.version,
        lifespan=runtime.lifespan,
        redirect_slashes=False,
        dependencies=[Depends(reject_unstorable_parameters)],
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    install_contract_openapi(app)

    @app.get("/health", tags=["system"], include_in_schema=False)
    async def health() -> dict[str, Any]:
        return {
            "status": "healthy",
            "service": spec.name,
            "version": spec.version,
            "timestamp": rfc3339(datetime.now(UTC)),
        }

    @app.get("/ready", tags=["system"], include_in_schema=False)
    async def ready() -> JSONResponse:
        checks = await runtime.readiness()
        ok = all(checks.values())
        return JSONResponse({"ready": ok, "service": spec.name, "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["system"], include_in_schema=False)
    async def metrics() -> Response:
        await runtime.readiness()  # keep hub_ready current for scrapes
        body, content_type = render_latest()
        return Response(body, media_type=content_type)

    if include_routers:
        for router in spec.routers():
            app.include_router(router)
    if spec.configure_app is not None:
        spec.configure_app(app, runtime)
    metrics_port = getattr(runtime.settings, "metrics_port", None)
    if metrics_port is not None:
        app.add_middleware(MetricsPortMiddleware, metrics_port=metrics_port)
    app.add_middleware(RequestContextMiddleware, service=spec.name)
    return app
