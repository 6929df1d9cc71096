"""Reverse proxy from the gateway to the owning service, streaming both ways.

Bodies are streamed, never buffered, so large exports pass through with flat memory. An unreachable
service answers 502 and a slow one 504, in the route's own error envelope — never a hang.

The upstream URL is built from parts (the service's scheme, host and port, then the client's raw path),
never by string concatenation, and a raw path that does not start with ``/`` is refused: glued to the
base, ``@other-host/...`` would have named another host. The client's own ``X-Forwarded-*`` /
``Forwarded`` headers are dropped (the gateway writes its own), as are the headers a ``Connection``
header names (hop-by-hop, RFC 9110 §7.6.1), both ways.
"""

from __future__ import annotations

from urllib.parse import quote, quote_from_bytes

import httpcore
import httpx
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from gateway.edge.route_table import LONG_RUNNING, owner_of
from gateway.settings import GatewaySettings
from hub_shared.errors import error_response
from hub_shared.identity import Identity, sign_identity
from hub_shared.logging import get_logger

log = get_logger(__name__)

# Hop-by-hop headers (RFC 9110 §7.6.1) and ones the proxy recomputes.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
}
# The gateway's own server (uvicorn) and request-id middleware write these; the upstream's would repeat them.
_SET_BY_GATEWAY = {"x-request-id", "date", "server"}
# The gateway says who the client is; a client's own claims about it are not passed on.
_CLIENT_FORWARDING = {"forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
                      "x-forwarded-prefix", "x-real-ip"}  # fmt: skip
# The signed identity header is the gateway's to set; a client-sent one is dropped.
IDENTITY_HEADER = "x-hub-identity"
_EDGE_ONLY = {IDENTITY_HEADER, "authorization", "cookie"}


# httpcore checks every pooled connection (a socket poll each) on every request, so one big pool costs
# more per request as concurrency grows (encode/httpcore#928). Several small pools bound that scan.
LANES = 8
CONNECTIONS_PER_LANE = 25
# httpcore reads a response 64 KiB at a time; each read then passes through the whole middleware stack
# and uvicorn's send. Larger reads cut the gateway's CPU per large report by about a third (bench/).
READ_BYTES = 256 * 1024


def upstream_timeout(settings: GatewaySettings, *, long_running: bool = False) -> httpx.Timeout:
    seconds = settings.upstream_long_timeout_seconds if long_running else settings.upstream_timeout_seconds
    return httpx.Timeout(seconds, connect=settings.upstream_connect_timeout_seconds)


def build_client(settings: GatewaySettings, max_connections: int = 200) -> httpx.AsyncClient:
    timeout = upstream_timeout(settings)
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections // 4 or 1)
    return httpx.AsyncClient(timeout=timeout, limits=limits)


class UpstreamLanes:
    """Small upstream clients; each proxied request takes the one with the fewest requests in flight."""

    def __init__(self, settings: GatewaySettings, lanes: int = LANES) -> None:
        httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = READ_BYTES
        self.clients = [build_client(settings, CONNECTIONS_PER_LANE) for _ in range(lanes)]
        self.in_flight = [0] * lanes
        # Built once, not per request.
        self.timeout = upstream_timeout(settings)
        self.long_timeout = upstream_timeout(settings, long_running=True)

    def acquire(self) -> int:
        lane = min(range(len(self.clients)), key=self.in_flight.__getitem__)
        self.in_flight[lane] += 1
        return lane

    def release(self, lane: int) -> None:
        self.in_flight[lane] -= 1

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


def signed_identity_for(request: Request, service: str, key: str) -> str | None:
    """The identity header for ``service`` (its name is the audience), or None for an anonymous caller:
    to a service, "no identity" and "anonymous" are the same."""
    identity = getattr(request.state, "identity", None)
    if not isinstance(identity, Identity) or not identity.authenticated:
        return None
    return sign_identity(identity, key, audience=service)


def connection_named(values: list[str]) -> set[str]:
    """The header names a ``Connection`` header lists (hop-by-hop for this connection only)."""
    return {token.strip().lower() for value in values for token in value.split(",") if token.strip()}


def forwarded_request_headers(request: Request, signed_identity: str | None = None) -> list[tuple[str, str]]:
    # Credentials stay at the edge: a service gets the gateway-signed identity, not the cookie or token.
    dropped = _HOP_BY_HOP | _EDGE_ONLY | _CLIENT_FORWARDING | connection_named(request.headers.getlist("connection"))
    headers = [(name, value) for name, value in request.headers.items() if name.lower() not in dropped]
    if "accept-encoding" not in request.headers:
        # Without this httpx would add its own default (gzip), and the service's gzip body would reach a
        # client that never asked for it (curl, scripts).
        headers.append(("accept-encoding", "identity"))
    if signed_identity:
        headers.append((IDENTITY_HEADER, signed_identity))
    # The client as uvicorn established it (through FORWARDED_ALLOW_IPS' proxies only).
    client_host = request.client.host if request.client else ""
    headers.append(("x-forwarded-for", client_host))
    headers.append(("x-forwarded-proto", request.url.scheme))
    headers.append(("x-forwarded-host", request.headers.get("host", "")))
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        headers = [(n, v) for n, v in headers if n.lower() != "x-request-id"]
        headers.append(("x-request-id", request_id))
    return headers


def upstream_request_url(base: str, raw_path: bytes, query: bytes) -> httpx.URL | None:
    """``base`` (scheme, host, port[, path prefix]) with the client's raw path and query, byte for byte;
    None when the path does not start with ``/`` (it could otherwise change the host)."""
    if not raw_path.startswith(b"/"):
        return None
    base_url = httpx.URL(base)
    target = base_url.raw_path.split(b"?", 1)[0].rstrip(b"/") + raw_path
    if query:
        target += b"?" + query  # forwarded byte for byte, repeated keys and encoding intact
    try:
        return base_url.copy_with(raw_path=target)
    except httpx.InvalidURL:
        return None


async def proxy(request: Request, lanes: UpstreamLanes, settings: GatewaySettings) -> Response:
    path = request.url.path
    upstream = owner_of(path)
    if upstream is None:
        return error_response(path, 404, "Not found")
    service = upstream.service
    # The path as the client encoded it: re-encoding the decoded one would turn "%2541" into "%41" ("A").
    raw_path = request.scope.get("raw_path")
    if not isinstance(raw_path, bytes):
        raw_path = quote(path).encode("ascii")
    elif not raw_path.isascii():
        raw_path = quote_from_bytes(raw_path, safe="/%!$&'()*+,;=:@-._~").encode("ascii")
    query = request.scope.get("query_string", b"")
    url = upstream_request_url(settings.upstream_url(service), raw_path, query if isinstance(query, bytes) else b"")
    if url is None:
        return error_response(path, 400, "Invalid request target: the path must start with /", "INVALID_PATH")
    # A request that declares a body passes it on whatever its method: its Content-Length is forwarded, so
    # leaving the body behind would break the upstream request (an OPTIONS with a body was a 500).
    declares_body = "transfer-encoding" in request.headers or request.headers.get("content-length", "0") != "0"
    has_body = request.method not in ("GET", "HEAD", "OPTIONS", "DELETE") or declares_body
    lane = lanes.acquire()
    client = lanes.clients[lane]
    outgoing = client.build_request(
        request.method,
        url,
        headers=forwarded_request_headers(
            request, signed_identity_for(request, service, settings.hub_internal_signing_key)
        ),
        content=request.stream() if has_body else None,
        timeout=lanes.long_timeout if (request.method, path) in LONG_RUNNING else lanes.timeout,
    )
    # The lane is released exactly once: here when no response comes, else when the response is closed.
    try:
        upstream_response = await client.send(outgoing, stream=True)
    except httpx.TimeoutException:
        lanes.release(lane)
        log.warning("upstream timed out", service=service, path=path)
        return error_response(path, 504, f"The {service} service did not answer in time")
    except httpx.TransportError as exc:
        lanes.release(lane)
        log.warning("upstream unreachable", service=service, path=path, error=str(exc))
        return error_response(path, 502, f"The {service} service is unavailable")
    except BaseException:
        lanes.release(lane)
        raise
    dropped = _HOP_BY_HOP | _SET_BY_GATEWAY | connection_named(upstream_response.headers.get_list("connection"))
    response_headers = [
        (name, value) for name, value in upstream_response.headers.multi_items() if name.lower() not in dropped
    ]
    response = StreamingResponse(
        upstream_response.aiter_raw(),
        status_code=upstream_response.status_code,
        background=BackgroundTask(_close, upstream_response, lanes, lane),
    )
    response.raw_headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in response_headers]
    return response


async def _close(upstream_response: httpx.Response, lanes: UpstreamLanes, lane: int) -> None:
    try:
        await upstream_response.aclose()
    finally:
        lanes.release(lane)
