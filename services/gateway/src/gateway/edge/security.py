"""The gateway's edge protections, as pure ASGI middlewares (bodies stream through untouched).

Outermost first, as :func:`install_edge` stacks them:

0. ``PathGuardMiddleware``: a path with a ``.`` or ``..`` segment (raw or once decoded), ``%2e``,
   ``\\`` or ``%5c`` is 400 ``INVALID_PATH``: routing and the access policy read the path as sent, while
   an upstream would normalise it (``/api/ninja/../variances/export/excel`` under a ``ninja:read``
   token). An encoded slash alone (``%2F``) is admitted: a TenantSweep tenant name may contain ``/``,
   and routing, the policy and the service all read the same decoded path; combined with dots it makes
   a dot segment of the decoded path, which is refused. (Stacked inside 1, so its 400 carries the headers.)
1. ``SecurityHeadersMiddleware``: ``X-Content-Type-Options``, ``X-Frame-Options: DENY``,
   ``Referrer-Policy``, HSTS when ``PUBLIC_BASE_URL`` is https or the request came over TLS (behind an
   ingress that ends TLS the gateway speaks plain HTTP), and a Content-Security-Policy: ``default-src
   'none'`` unless the route set its own (``/docs`` and the console at ``/`` admit their own origin only:
   ``system/docs.py``, ``console/static.py``).
2. ``CorsMiddleware``: credentials allowed for ``CORS_ORIGINS`` only; methods GET, POST, PUT, PATCH,
   DELETE, OPTIONS (the replaced system forgot PATCH, so TenantSweep updates failed from the browser). A
   refused preflight answers 403 JSON, not Starlette's plain-text 400.
3. ``BodyLimitMiddleware``: ``MAX_REQUEST_BODY_BYTES``; refused at once when ``Content-Length`` says so,
   and counted while streaming otherwise (chunked uploads cannot slip past) → 413 JSON.
4. ``CsrfMiddleware``: a state-changing request whose ``Origin`` is present must come from a trusted
   origin (``CORS_ORIGINS`` or ``PUBLIC_BASE_URL``), cookie or not, token or not: a cross-site page can
   POST without any cookie (``SameSite=Lax`` withholds it) into the internal network. One carrying the
   session cookie must also name its origin (``Origin``, else ``Referer``) unless it uses a bearer token
   (a browser never attaches one by itself). Then ``JsonBodyMiddleware``: a state-changing request with
   a body must say ``Content-Type: application/json`` (or ``+json``), else 415 — a ``no-cors`` request
   can only send ``text/plain``, form or multipart bodies, and FastAPI would parse them as JSON.
5. ``AuthenticationMiddleware`` (``gateway/auth/identity.py``).
6. ``RateLimitMiddleware``: token buckets, login per IP and API per caller (user or token, else IP).
   Every limited answer carries ``X-RateLimit-Limit`` (per minute), ``-Remaining`` and ``-Reset`` (Unix
   time when the bucket is full again); a refusal is 429 JSON with ``Retry-After`` (seconds). The buckets
   live in this process: with N replicas the effective limit is up to N times the setting. The client IP
   is the socket peer, or ``X-Forwarded-For`` from a proxy uvicorn trusts (``FORWARDED_ALLOW_IPS``).
7. ``AuthorizationMiddleware`` (``gateway/auth/identity.py``), then the routes and the proxy.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.auth.identity import IDENTITY, AuthenticationMiddleware, AuthorizationMiddleware
from gateway.auth.oidc import OidcClient
from gateway.auth.policy import SAFE_METHODS
from gateway.auth.routes import router as auth_router
from gateway.auth.service import AuthService
from gateway.auth.settings import AuthSettings, origin_of
from hub_shared.errors import ApiError, error_response
from hub_shared.identity import Identity
from hub_shared.runtime import ServiceRuntime

CORS_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CORS_ALLOWED_HEADERS = frozenset(
    {"accept", "accept-language", "authorization", "cache-control", "content-language", "content-type",
     "x-request-id", "x-requested-with"}
)  # fmt: skip
CORS_EXPOSED_HEADERS = (
    "Content-Disposition",
    "Retry-After",
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)
CORS_MAX_AGE = 86400
LOGIN_PATH = "/api/auth/microsoft/login"
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def _set_default(headers: MutableHeaders, name: str, value: str) -> None:
    if name not in headers:
        headers[name] = value


# --- 0. path guard ---

_ENCODED_DOT_OR_BACKSLASH = re.compile(rb"%(2e|5c)", re.IGNORECASE)


def unsafe_path(raw_path: bytes) -> bool:
    """Whether a request path could mean another path once normalised or decoded."""
    if b"\\" in raw_path or _ENCODED_DOT_OR_BACKSLASH.search(raw_path):
        return True
    return any(segment in (b".", b"..") for segment in raw_path.split(b"/"))


class PathGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path")
        if not isinstance(raw_path, bytes):
            raw_path = scope["path"].encode("utf-8")
        if unsafe_path(raw_path) or unsafe_path(scope["path"].encode("utf-8")):
            message = "Invalid path: dot segments, encoded dots and backslashes are not allowed"
            response = error_response(scope["path"], 400, message, "INVALID_PATH")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


# --- 1. security headers ---


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, always_hsts: bool = False) -> None:
        self.app = app
        self.always_hsts = always_hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self.always_hsts or scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                self._common(headers, secure)
                _set_default(headers, "content-security-policy", API_CSP)
                if scope["path"].startswith("/api/auth/"):
                    _set_default(headers, "cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)

    @staticmethod
    def _common(headers: MutableHeaders, secure: bool) -> None:
        _set_default(headers, "x-content-type-options", "nosniff")
        _set_default(headers, "x-frame-options", "DENY")
        _set_default(headers, "referrer-policy", "no-referrer")
        _set_default(headers, "cross-origin-opener-policy", "same-origin")
        if secure:
            _set_default(headers, "strict-transport-security", HSTS)


# --- 2. CORS ---


class CorsMiddleware:
    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.origins = frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = origin_of(origin) in self.origins and origin != "null"
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(scope, receive, send, headers, origin, allowed)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers.add_vary_header("Origin")
                if allowed:
                    # The allow-list's own spelling, never the client's bytes echoed back.
                    response_headers["access-control-allow-origin"] = origin_of(origin)
                    response_headers["access-control-allow-credentials"] = "true"
                    response_headers["access-control-expose-headers"] = ", ".join(CORS_EXPOSED_HEADERS)
            await send(message)

        await self.app(scope, receive, with_cors)

    async def _preflight(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers, origin: str, allowed: bool
    ) -> None:
        method = headers["access-control-request-method"].upper()
        requested = [
            name.strip().lower()
            for name in headers.get("access-control-request-headers", "").split(",")
            if name.strip()
        ]
        refused_headers = [name for name in requested if name not in CORS_ALLOWED_HEADERS]
        problem = None
        if not allowed:
            problem = f"Origin {origin} is not allowed"
        elif method not in CORS_METHODS:
            problem = f"Method {method} is not allowed"
        elif refused_headers:
            problem = f"Header(s) {', '.join(refused_headers)} are not allowed"
        response: Response
        if problem is not None:
            response = error_response(scope["path"], 403, f"CORS preflight refused: {problem}", "CORS_REFUSED")
            response.headers["vary"] = "Origin"
        else:
            response = Response(status_code=204)
            response.headers.update(
                {
                    "access-control-allow-origin": origin_of(origin),
                    "access-control-allow-credentials": "true",
                    "access-control-allow-methods": ", ".join(CORS_METHODS),
                    "access-control-allow-headers": ", ".join(requested) if requested else "content-type",
                    "access-control-max-age": str(CORS_MAX_AGE),
                    "vary": "Origin",
                }
            )
        await response(scope, receive, send)


# --- 3. body size ---


class BodyTooLarge(ApiError):
    """Raised while reading a body past the limit; the app's ApiError handler answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body too large (limit {limit} bytes)", code="PAYLOAD_TOO_LARGE")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            # Reached here only when no route handler turned it into a response (e.g. outside FastAPI).
            if started:
                raise
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = BodyTooLarge(limit)
        response = error_response(scope["path"], 413, error.message, error.code, headers={"connection": "close"})
        await response(scope, receive, send)


# --- 4. CSRF ---


CSRF_SIGNED_IN = "Cross-origin request refused: a signed-in request that changes data must come from the dashboard"
CSRF_UNTRUSTED = "Cross-origin request refused: a request that changes data must come from a trusted origin"


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, settings: AuthSettings) -> None:
        self.app = app
        self.cookie = settings.session_cookie
        self.trusted = settings.trusted_origins

    def _carries_session(self, headers: Headers) -> bool:
        cookies = headers.get("cookie", "")
        return any(part.strip().startswith(f"{self.cookie}=") for part in cookies.split(";"))

    def _trusted(self, origin: str) -> bool:
        return origin != "null" and origin_of(origin) in self.trusted

    def _problem(self, headers: Headers) -> str | None:
        origin = headers.get("origin")
        bearer = headers.get("authorization", "").lower().startswith("bearer ")
        if not bearer and self._carries_session(headers):
            if origin is None and headers.get("referer"):
                origin = origin_of(headers["referer"])
            return None if origin is not None and self._trusted(origin) else CSRF_SIGNED_IN
        if origin is not None and not self._trusted(origin):
            return CSRF_UNTRUSTED
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        problem = self._problem(Headers(scope=scope))
        if problem is not None:
            response = error_response(scope["path"], 403, problem, "CSRF_REJECTED")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def is_json_media_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


class JsonBodyMiddleware:
    """Every write route of the hub takes JSON (file imports are CLI commands): a state-changing request
    with a body of any other type is 415 before it reaches a route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        has_body = "transfer-encoding" in headers or (length is not None and length.strip() not in ("", "0"))
        if has_body and not is_json_media_type(headers.get("content-type", "")):
            message = "Unsupported media type: send the request body as application/json"
            response = error_response(scope["path"], 415, message, "UNSUPPORTED_MEDIA_TYPE")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


# --- 6. rate limits ---


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_after: float  # seconds until the bucket is full again
    retry_after: int  # seconds until the next request would pass (0 when allowed)

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(time.time() + self.reset_after)),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class RateLimiter:
    """Token buckets per key: ``per_minute`` requests, refilled evenly over the minute (in-process)."""

    PRUNE_EVERY = 1000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = per_minute
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._hits = 0

    def hit(self, key: str) -> RateDecision:
        now = self.clock()
        tokens, updated = self._buckets.get(key, (float(self.limit), now))
        tokens = min(float(self.limit), tokens + (now - updated) * self.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)
        self._hits += 1
        if self._hits % self.PRUNE_EVERY == 0:
            self._prune(now)
        return RateDecision(
            allowed=allowed,
            limit=self.limit,
            remaining=int(tokens),
            reset_after=(self.limit - tokens) / self.rate,
            retry_after=0 if allowed else max(1, math.ceil((1.0 - tokens) / self.rate)),
        )

    def _prune(self, now: float) -> None:
        # A bucket that has refilled completely carries no information: forget it.
        full = [key for key, (tokens, at) in self._buckets.items() if tokens + (now - at) * self.rate >= self.limit]
        for key in full:
            del self._buckets[key]


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, login: RateLimiter | None, api: RateLimiter | None) -> None:
        self.app = app
        self.login = login
        self.api = api

    def _limiter_and_key(self, scope: Scope) -> tuple[RateLimiter | None, str]:
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        path = scope["path"]
        if path == LOGIN_PATH:
            return self.login, f"ip:{ip}"
        # The rest of sign-in (callback, status, logout) must keep working for someone who hit the API
        # limit; it does no work for an unauthenticated caller beyond what the edge already did.
        if not path.startswith("/api/") or path.startswith("/api/auth/"):
            return None, ""
        identity = scope.get("state", {}).get(IDENTITY)
        if isinstance(identity, Identity) and identity.authenticated:
            return self.api, f"user:{identity.user}"
        return self.api, f"ip:{ip}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limiter, key = self._limiter_and_key(scope)
        if limiter is None:
            await self.app(scope, receive, send)
            return
        decision = limiter.hit(key)
        if not decision.allowed:
            message = f"Too many requests; retry in {decision.retry_after} seconds"
            response = error_response(scope["path"], 429, message, "RATE_LIMITED", headers=decision.headers())
            await response(scope, receive, send)
            return
        extra = decision.headers()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    _set_default(headers, name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


# --- wiring ---


def install_edge(app: FastAPI, runtime: ServiceRuntime) -> None:
    """Sign-in routes, the access policy and every edge protection (call before the proxy catch-all)."""
    settings = runtime.settings
    assert isinstance(settings, AuthSettings)
    auth = AuthService(settings, None, signing_key=runtime.settings.hub_internal_signing_key)
    if settings.oidc_configured:
        http = httpx.AsyncClient(follow_redirects=False)
        runtime.on_stop(http.aclose)
        # The OIDC client reads the service's clock, so a test that moves time moves ID-token checks too.
        auth.oidc = OidcClient(settings, http, clock=lambda: auth.now())
        runtime.on_stop(auth.oidc.aclose)
    runtime.state["auth"] = auth
    app.include_router(auth_router)

    def limiter(per_minute: int) -> RateLimiter | None:
        return RateLimiter(per_minute) if per_minute > 0 else None

    # add_middleware wraps what is there: the last added runs first.
    app.add_middleware(AuthorizationMiddleware, auth=auth)
    app.add_middleware(
        RateLimitMiddleware,
        login=limiter(settings.rate_limit_login_per_minute),
        api=limiter(settings.rate_limit_api_per_minute),
    )
    app.add_middleware(AuthenticationMiddleware, auth=auth, database=runtime.database)
    app.add_middleware(JsonBodyMiddleware)
    app.add_middleware(CsrfMiddleware, settings=settings)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    app.add_middleware(CorsMiddleware, origins=settings.cors_origins)
    app.add_middleware(PathGuardMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, always_hsts=settings.public_base_url.scheme == "https")
