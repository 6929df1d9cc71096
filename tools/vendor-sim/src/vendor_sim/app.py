"""The simulator process: shared state (fleet day, tokens, faults, stats) and the FastAPI app factory.

`create_app(SimConfig(...))` returns an app serving NinjaOne (`/v2`, `/api/v2`, `/ws/oauth/token`),
ThreatLocker (`/portalapi/...`, any path case) and the admin routes (`/_sim/...`) on one port.
`serve_in_thread()` runs it under uvicorn for tests that need a real socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import secrets
import threading
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from vendor_sim.config import SimConfig
from vendor_sim.faults import Faults, Stats
from vendor_sim.fleet import Fleet
from vendor_sim.truth import Changes, DayIndex, Truth, changes_between

TL_PREFIX = "/portalapi/"
INDEX_CACHE_DAYS = 3


class VendorError(Exception):
    """An error answered in the vendor's own error shape (see `to_response`)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        oauth_error: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.oauth_error = oauth_error

    def to_response(self, vendor: str) -> Response:
        body: dict[str, Any]
        if self.oauth_error is not None:
            body = {"error": self.oauth_error, "error_description": self.message}
        elif vendor == "tl":
            body = {"LoggerId": str(uuid.uuid4()), "StatusCode": self.status, "Message": self.message}
        elif vendor == "cw":
            codes = {
                400: "InvalidObject",
                401: "Unauthorized",
                403: "Forbidden",
                404: "NotFound",
                429: "TooManyRequests",
            }
            body = {"code": codes.get(self.status, "ServerError"), "message": self.message, "errors": []}
            return JSONResponse(
                body, status_code=self.status, headers={"x-cw-request-id": str(uuid.uuid4()), **self.headers}
            )
        else:
            body = {"resultCode": "FAILURE", "errorMessage": self.message, "incidentId": str(uuid.uuid4())}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


# Compact, no circular-reference check: our bodies are plain trees and pages are large.
JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False, ensure_ascii=False)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # Encoded directly: FastAPI's jsonable_encoder is far too slow for 1,000-device pages.
    return Response(
        JSON.encode(body).encode(),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


class Simulator:
    """Mutable state of one simulator instance. Single event loop; day indexes built in a worker thread."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.fleet = Fleet(config)
        self.day = config.day
        self.faults = Faults(config.faults)
        self.stats = Stats()
        self._tokens: dict[str, float] = {}
        self._refresh_tokens: dict[str, str] = {}
        self._indexes: OrderedDict[int, DayIndex] = OrderedDict()
        self._index_lock = threading.Lock()
        self.connectwise: Any = None  # the PSA's help desk (vendor_sim.connectwise.HelpDesk), built by its router

    # ------------------------------------------------------------- fleet day
    def set_day(self, day: int) -> None:
        if day < 0:
            raise ValueError("day must be >= 0")
        self.day = day

    def truth_date(self, day: int) -> str:
        """Calendar date (ISO) of fleet day `day`."""
        return (self.fleet.reference_date + timedelta(days=day)).isoformat()

    def index(self, day: int | None = None) -> DayIndex:
        """The day's index (built on first use; the last few days stay cached)."""
        day = self.day if day is None else day
        with self._index_lock:
            index = self._indexes.get(day)
            if index is None:
                index = DayIndex(self.fleet, day)
                self._indexes[day] = index
                while len(self._indexes) > INDEX_CACHE_DAYS:
                    self._indexes.popitem(last=False)
            else:
                self._indexes.move_to_end(day)
            return index

    async def index_async(self, day: int | None = None) -> DayIndex:
        day = self.day if day is None else day
        cached = self._indexes.get(day)
        if cached is not None:
            return cached
        # At 100k devices a build takes seconds; keep the event loop (and other requests) alive.
        return await run_in_threadpool(self.index, day)

    def prebuild(self, day: int | None = None) -> threading.Thread:
        thread = threading.Thread(target=self.index, args=(day,), name="vendor-sim-index", daemon=True)
        thread.start()
        return thread

    def truth(self, day: int | None = None) -> Truth:
        """Ground truth for `day` (default: the current day)."""
        return self.index(day).truth

    def changes(self, from_day: int, to_day: int) -> Changes:
        return changes_between(self.fleet, from_day, to_day)

    # ---------------------------------------------------------------- tokens
    def issue_token(self, scope: str) -> dict[str, Any]:
        now = self.config.clock()
        # Forget expired tokens so a long run does not accumulate them.
        self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
        token = secrets.token_urlsafe(32)
        self._tokens[token] = now + self.config.token_ttl
        self.stats.tokens_issued += 1
        body: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.config.token_ttl,
            "scope": scope,
        }
        if "offline_access" in scope.split():
            refresh = secrets.token_urlsafe(32)
            self._refresh_tokens[refresh] = scope
            body["refresh_token"] = refresh
        return body

    def refresh_scope(self, refresh_token: str) -> str | None:
        return self._refresh_tokens.get(refresh_token)

    def token_valid(self, token: str) -> bool:
        expires = self._tokens.get(token)
        if expires is None:
            return False
        if expires <= self.config.clock():
            del self._tokens[token]
            return False
        return True

    def expire_tokens(self) -> int:
        count = len(self._tokens)
        self._tokens.clear()
        return count


Handler = Callable[[Request], Awaitable[Response]]


def instrumented(sim: Simulator, route: str, vendor: str) -> Callable[[Handler], Handler]:
    """Count the request, apply delay and rate-limit faults, turn VendorError into the vendor's shape."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: Request) -> Response:
            sim.stats.requests[route] += 1
            try:
                delay = sim.faults.take("delay", route)
                if delay is not None:
                    await asyncio.sleep(delay.ms / 1000)
                limited = sim.faults.take("rate_limit", route)
                if limited is not None:
                    raise VendorError(429, "Too many requests", headers={"Retry-After": str(limited.retry_after)})
                response = await handler(request)
            except VendorError as exc:
                response = exc.to_response(vendor)
            sim.stats.statuses[route][str(response.status_code)] += 1
            return response

        return wrapper

    return decorate


def raise_server_error(sim: Simulator, route: str, page: int | None) -> None:
    rule = sim.faults.take("server_error", route, page)
    if rule is not None:
        raise VendorError(rule.status, f"Simulated server error (page {page})")


class CaseInsensitivePortalPaths:
    """ThreatLocker ignores path case (`/portalApi/Computer/...`); route on the lower-cased path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            lowered = path.lower()
            if lowered.startswith(TL_PREFIX) and path != lowered:
                scope = dict(scope, path=lowered, raw_path=lowered.encode())
        await self.app(scope, receive, send)


def _vendor_of(path: str) -> str:
    lowered = path.lower()
    if lowered.startswith(TL_PREFIX):
        return "tl"
    if "/apis/3.0/" in lowered or lowered.startswith("/login/companyinfo"):
        return "cw"
    return "ninja"


def create_app(config: SimConfig | None = None, *, prebuild: bool = False) -> FastAPI:
    """Build the simulator app. `app.state.sim` is the `Simulator` (truth, day, faults in Python).

    prebuild: start building the current day's index in a background thread at once (the CLI does
    this so the first ThreatLocker page at 100k devices does not wait seconds).
    """
    from vendor_sim.admin import admin_router
    from vendor_sim.connectwise import connectwise_router
    from vendor_sim.ninja import ninja_router
    from vendor_sim.threatlocker import threatlocker_router

    sim = Simulator(config or SimConfig())
    app = FastAPI(title="Inventory Hub vendor simulator", docs_url="/_sim/docs", openapi_url="/_sim/openapi.json")
    app.state.sim = sim
    app.include_router(ninja_router(sim))
    app.include_router(threatlocker_router(sim))
    app.include_router(connectwise_router(sim))
    app.include_router(admin_router(sim, prebuild=prebuild))
    app.add_middleware(CaseInsensitivePortalPaths)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = "Not found" if exc.status_code == 404 else str(exc.detail)
        return VendorError(exc.status_code, message).to_response(_vendor_of(request.url.path))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return VendorError(400, f"Invalid request: {exc.errors()}").to_response(_vendor_of(request.url.path))

    @app.get("/health", include_in_schema=False)
    async def _health() -> dict[str, str]:
        return {"status": "ok"}

    if prebuild:
        sim.prebuild()
    return app


@contextlib.contextmanager
def serve_in_thread(
    config: SimConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> Iterator[tuple[str, Simulator]]:
    """Run the simulator under uvicorn in a background thread; yields (base_url, simulator).

    port 0 picks a free port. The server stops when the block exits.
    """
    app = create_app(config)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="vendor-sim", daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if server.started:
                break
            if not thread.is_alive():
                raise RuntimeError("vendor simulator failed to start")
            threading.Event().wait(0.01)
        else:
            raise RuntimeError("vendor simulator did not start within 5 s")
        bound_port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://{host}:{bound_port}", app.state.sim
    finally:
        server.should_exit = True
        thread.join(timeout=10)
