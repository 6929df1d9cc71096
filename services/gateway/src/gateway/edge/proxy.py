"""Reverse proxy from the gateway to the owning service, streaming both ways.

Bodies are streamed, never buffered, so large exports pass through with flat memory. An unreachable
service answers 502 and a slow one 504, in the route's own error envelope — never a hang.
"""

from __future__ import annotations

import httpx
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from gateway.edge.route_table import owner_of
from gateway.settings import GatewaySettings
from hub_shared.errors import error_response
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
# The signed identity header is the gateway's to set; a client-sent one is dropped.
IDENTITY_HEADER = "x-hub-identity"
_EDGE_ONLY = {IDENTITY_HEADER, "authorization", "cookie"}


def build_client(settings: GatewaySettings) -> httpx.AsyncClient:
    timeout = httpx.Timeout(settings.upstream_timeout_seconds, connect=settings.upstream_connect_timeout_seconds)
    return httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=200, max_keepalive_connections=50))


def forwarded_request_headers(request: Request) -> list[tuple[str, str]]:
    # Credentials stay at the edge: a service gets the gateway-signed identity, not the cookie or token.
    headers = [
        (name, value)
        for name, value in request.headers.items()
        if name.lower() not in _HOP_BY_HOP and name.lower() not in _EDGE_ONLY
    ]
    signed_identity = getattr(request.state, "signed_identity", None)
    if signed_identity:
        headers.append((IDENTITY_HEADER, signed_identity))
    client_host = request.client.host if request.client else ""
    prior = request.headers.get("x-forwarded-for")
    headers.append(("x-forwarded-for", f"{prior}, {client_host}" if prior else client_host))
    headers.append(("x-forwarded-proto", request.url.scheme))
    headers.append(("x-forwarded-host", request.headers.get("host", "")))
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        headers = [(n, v) for n, v in headers if n.lower() != "x-request-id"]
        headers.append(("x-request-id", request_id))
    return headers


async def proxy(request: Request, client: httpx.AsyncClient, settings: GatewaySettings) -> Response:
    path = request.url.path
    upstream = owner_of(path)
    if upstream is None:
        return error_response(path, 404, "Not found")
    url = settings.upstream_url(upstream.service) + path
    if request.url.query:
        url += "?" + request.url.query  # forwarded byte for byte, repeated keys and encoding intact
    has_body = request.method not in ("GET", "HEAD", "OPTIONS", "DELETE")
    outgoing = client.build_request(
        request.method,
        url,
        headers=forwarded_request_headers(request),
        content=request.stream() if has_body else None,
    )
    try:
        upstream_response = await client.send(outgoing, stream=True)
    except httpx.TimeoutException:
        log.warning("upstream timed out", service=upstream.service, path=path)
        return error_response(path, 504, f"The {upstream.service} service did not answer in time")
    except httpx.TransportError as exc:
        log.warning("upstream unreachable", service=upstream.service, path=path, error=str(exc))
        return error_response(path, 502, f"The {upstream.service} service is unavailable")
    response_headers = [
        (name, value)
        for name, value in upstream_response.headers.multi_items()
        if name.lower() not in _HOP_BY_HOP and name.lower() != "x-request-id"
    ]
    response = StreamingResponse(
        upstream_response.aiter_raw(),
        status_code=upstream_response.status_code,
        background=BackgroundTask(upstream_response.aclose),
    )
    response.raw_headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in response_headers]
    return response
