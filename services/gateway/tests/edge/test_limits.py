"""Rate limits (429 with Retry-After and X-RateLimit-*) and the request body limit (413, even chunked)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from gateway.auth.service import utcnow
from gateway.edge.security import RateLimiter


async def test_login_is_limited_to_ten_a_minute_per_ip(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        for attempt in range(10):
            started = await browser.get("/api/auth/microsoft/login")
            assert started.status_code == 302
            assert started.headers["x-ratelimit-limit"] == "10"
            assert started.headers["x-ratelimit-remaining"] == str(9 - attempt)
        refused = await browser.get("/api/auth/microsoft/login")
        assert refused.status_code == 429
        assert refused.json() == {"error": f"Too many requests; retry in {refused.headers['retry-after']} seconds"}
        assert 1 <= int(refused.headers["retry-after"]) <= 6  # one login back every six seconds
        assert refused.headers["x-ratelimit-limit"] == "10"
        assert refused.headers["x-ratelimit-remaining"] == "0"
        reset = int(refused.headers["x-ratelimit-reset"])
        assert time.time() + 50 <= reset <= time.time() + 61
        # Other routes have their own bucket.
        assert (await browser.get("/api/auth/status")).status_code == 401


async def test_api_calls_are_limited_per_caller(make_edge) -> None:
    async with make_edge(rate_limit_api_per_minute=3) as edge:
        async with edge.client() as anonymous:
            for _ in range(3):
                assert (await anonymous.get("/api/qbr/metrics/devices-by-client")).status_code == 200
            refused = await anonymous.get("/api/qbr/metrics/devices-by-client")
            assert refused.status_code == 429
            assert refused.json() == {
                "success": False,
                "error": {
                    "code": "RATE_LIMITED",
                    "message": f"Too many requests; retry in {refused.headers['retry-after']} seconds",
                    "status": 429,
                },
            }
            assert int(refused.headers["retry-after"]) == 20  # 3 a minute: one every 20 s
            assert (refused.headers["x-ratelimit-limit"], refused.headers["x-ratelimit-remaining"]) == (
                "3",
                "0",
            )
        assert len(edge.upstreams.seen) == 3
        # A signed-in person has a bucket of their own, not the (exhausted) one of their IP.
        async with edge.client() as browser:
            assert (await edge.sign_in(browser, "rmmiller@enersystems.com")).status_code == 302
            own = await browser.get("/api/qbr/thresholds")
            assert own.status_code == 200 and own.headers["x-ratelimit-remaining"] == "2"


async def test_probes_are_never_limited(make_edge) -> None:
    async with make_edge(rate_limit_api_per_minute=1) as edge, edge.client() as probe:
        for _ in range(5):
            answer = await probe.get("/health")
            assert answer.status_code == 200 and "x-ratelimit-limit" not in answer.headers


def test_token_bucket_refills_evenly() -> None:
    now = [1000.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.hit("k").allowed for _ in range(60))
    refused = limiter.hit("k")
    assert (refused.allowed, refused.remaining, refused.retry_after) == (False, 0, 1)
    assert limiter.hit("other").allowed  # keys are independent
    now[0] += 1.0
    assert limiter.hit("k").allowed and not limiter.hit("k").allowed
    now[0] += 60.0
    full = limiter.hit("k")
    assert full.allowed and full.remaining == 59 and full.reset_after == pytest.approx(1.0)


def test_idle_buckets_are_forgotten() -> None:
    now = [0.0]
    limiter = RateLimiter(10, clock=lambda: now[0])
    for index in range(RateLimiter.PRUNE_EVERY - 1):
        limiter.hit(f"ip:{index}")
    now[0] += 120.0
    limiter.hit("fresh")  # the 1000th hit prunes every bucket that has refilled
    assert set(limiter._buckets) == {"fresh"}


async def test_a_body_over_the_limit_is_refused_with_413(make_edge) -> None:
    json = {"content-type": "application/json"}  # writes are JSON (else 415, test_cors_csrf.py)
    async with make_edge(max_request_body_bytes=4096) as edge, edge.client(headers=json) as client:
        small = await client.post("/api/exceptions/1/resolve", content=b"x" * 4096)
        assert small.status_code == 200 and edge.upstreams.seen[-1]["body_bytes"] == 4096
        declared = await client.post("/api/exceptions/1/resolve", content=b"x" * 6000)
        assert declared.status_code == 413
        assert declared.json() == {"error": "Request body too large (limit 4096 bytes)"}

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(6):
                yield b"y" * 1000

        # No Content-Length: the body is counted while it streams to the service, and cut off.
        streamed = await client.post("/api/exceptions/2/resolve", content=chunks())
        assert streamed.status_code == 413
        assert streamed.json() == {"error": "Request body too large (limit 4096 bytes)"}
        assert len(edge.upstreams.seen) == 1

        # In the success/data family on QBR and TenantSweep paths.
        async with edge.runtime.database.transaction() as db:
            token, _ = await edge.auth.create_token(
                db, name="big", scopes=["tenantsweep:write"], expires_at=utcnow() + timedelta(days=1)
            )
        bulk = await client.post(
            "/api/tenantsweep/audits/1/findings/bulk",
            content=chunks(),
            headers={"authorization": f"Bearer {token}"},
        )
        assert bulk.status_code == 413
        assert bulk.json() == {
            "success": False,
            "error": {
                "code": "PAYLOAD_TOO_LARGE",
                "message": "Request body too large (limit 4096 bytes)",
                "status": 413,
            },
        }
        assert len(edge.upstreams.seen) == 1
