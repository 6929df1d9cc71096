"""Issue 17 findings 6, 7 and 12 (headers): what the gateway passes upstream is exactly what it routed
and authorised, to the host it meant, with its own forwarding headers only."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI, Request

from gateway.auth.service import utcnow
from gateway.edge.proxy import upstream_request_url
from hub_shared.testing.servers import running_server

INVALID_PATH = "Invalid path: dot segments, encoded dots and backslashes are not allowed"


async def raw_request(base: str, target: str, extra: str = "") -> tuple[int, bytes]:
    """One HTTP/1.1 request with the request-target exactly as given (httpx would normalise it)."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n".encode("latin-1"))
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


async def test_dot_segments_encoded_dots_slashes_and_backslashes_are_400(make_edge) -> None:
    """Finding 6: routing and the policy read the raw path, an upstream normalises it."""
    async with make_edge(auth_require_all=True) as edge:
        async with edge.runtime.database.transaction() as db:
            token, _ = await edge.auth.create_token(
                db, name="ninja-only", scopes=["ninja:read"], expires_at=utcnow() + timedelta(days=1)
            )
        bearer = f"Authorization: Bearer {token}\r\n"
        for target in (
            "/api/ninja/../variances/export/excel",  # a ninja:read token reaching variance
            "/api/ninja/%2e%2e/variances/export/excel",
            "/api/ninja/%2E./variances/export/excel",
            "/api/variances/../../ready",  # upstream internals
            "/api/variances/./latest",
            "/api/ninja/..%2fvariances",  # decoded: /api/ninja/../variances
            "/api/ninja/%2F..%2Fvariances",
            "/api/ninja\\..\\variances",
            "/api/ninja/%5c..%5cvariances",
        ):
            status, body = await raw_request(edge.base, target, bearer)
            assert status == 400, (target, status, body)
            assert INVALID_PATH.encode() in body, (target, body)
        assert edge.upstreams.seen == []
        # A dot inside a segment is just a character; an encoded slash alone is a name's (a TenantSweep
        # tenant "A / B"): routing, the policy and the service read the same decoded path.
        status, _ = await raw_request(edge.base, "/api/ninja/usage-changes.v2", bearer)
        assert status == 200 and edge.upstreams.seen[-1]["path"] == "/api/ninja/usage-changes.v2"
        status, _ = await raw_request(edge.base, "/api/ninja/A%20%2F%20B", bearer)
        assert status == 200 and edge.upstreams.seen[-1]["raw_path"] == b"/api/ninja/A%20%2F%20B"


async def test_the_upstream_url_is_built_from_parts_and_never_names_another_host(make_edge) -> None:
    """Finding 7: a raw path glued to the base (``http://svc:5403`` + ``@evil:1234/api/...``) named another
    host, which then received the caller's signed identity."""
    evil_seen: list[dict[str, Any]] = []
    evil = FastAPI()

    @evil.api_route("/{path:path}", methods=["GET", "POST"])
    async def steal(path: str, request: Request) -> dict[str, str]:
        evil_seen.append({"path": path, "identity": request.headers.get("x-hub-identity")})
        return {"stolen": "yes"}

    async with running_server(evil) as evil_url, make_edge() as edge:
        evil_authority = evil_url.removeprefix("http://")
        async with edge.runtime.database.transaction() as db:
            token, _ = await edge.auth.create_token(
                db, name="tl", scopes=["*"], expires_at=utcnow() + timedelta(days=1)
            )
        status, body = await raw_request(
            edge.base, f"@{evil_authority}/api/qbr/thresholds", f"Authorization: Bearer {token}\r\n"
        )
        assert evil_seen == [], evil_seen
        assert b"stolen" not in body and status in (400, 404), (status, body)

    assert upstream_request_url("http://127.0.0.1:5403", b"@evil.example/api/x", b"") is None
    assert upstream_request_url("http://127.0.0.1:5403", b"api/x", b"") is None
    built = upstream_request_url("http://variance:5403", b"//evil.example/api/x", b"a=1&a=%2541")
    assert built is not None and (built.host, built.port) == ("variance", 5403)
    assert built.raw_path == b"//evil.example/api/x?a=1&a=%2541"
    prefixed = upstream_request_url("http://variance:5403/base/", b"/api/x", b"")
    assert prefixed is not None and prefixed.raw_path == b"/base/api/x"


async def test_client_forwarding_headers_and_connection_named_headers_are_dropped(make_edge) -> None:
    """Finding 12: the client's own X-Forwarded-* (spoofed client IP, proto, host) stop at the edge, as do
    the headers its Connection header names."""
    async with make_edge() as edge, edge.client() as client:
        answer = await client.get(
            "/api/variances/available-dates",
            headers={
                "x-forwarded-for": "10.9.9.9",
                "x-forwarded-host": "admin.internal",
                "x-forwarded-proto": "https",
                "forwarded": "for=10.9.9.9;proto=https",
                "x-real-ip": "10.9.9.9",
                "connection": "keep-alive, x-secret-hop",
                "x-secret-hop": "only-for-the-next-hop",
                "x-kept": "yes",
            },
        )
        assert answer.status_code == 200
        headers = edge.upstreams.seen[-1]["headers"]
        names = [name for name, _ in headers]
        values = dict(headers)
        # The harness's uvicorn trusts loopback as a proxy (FORWARDED_ALLOW_IPS' default), so uvicorn made
        # 10.9.9.9 the client; the gateway forwards that one address, not the client's chain next to it.
        assert values["x-forwarded-for"] == "10.9.9.9"
        assert values["x-forwarded-host"] == edge.base.removeprefix("http://")
        assert names.count("x-forwarded-for") == 1 and names.count("x-forwarded-host") == 1
        assert "forwarded" not in values and "x-real-ip" not in values
        assert "x-secret-hop" not in values and values["x-kept"] == "yes"


async def test_connection_named_response_headers_are_dropped() -> None:
    """Finding 12, the other way: a service's Connection header names hop-by-hop response headers."""
    import gateway.edge.proxy as proxy_module

    upstream = httpx.Response(200, headers={"connection": "x-internal-hop", "x-internal-hop": "1", "x-ok": "1"})
    dropped = proxy_module.connection_named(upstream.headers.get_list("connection"))
    assert dropped == {"x-internal-hop"}
