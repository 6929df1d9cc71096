"""Conditional GETs for what the console polls: weak ETags on JSON answers, 304 when unchanged."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse

from gateway.edge.etag import ETagMiddleware, matches, weak_etag


async def test_polled_gateway_routes_and_proxied_json_answer_304_when_unchanged(make_edge) -> None:
    async with make_edge() as edge, edge.client() as client:
        for path in ("/api/collectors/history", "/api/collectors/runs/latest", "/api/status", "/api/variances/x"):
            first = await client.get(path)
            etag = first.headers.get("etag")
            assert etag and etag.startswith('W/"'), (path, first.status_code, first.headers)
            assert first.headers["cache-control"] == "private, no-cache"
            again = await client.get(path, headers={"if-none-match": etag})
            assert again.status_code == 304 and again.content == b"", path
            assert again.headers["etag"] == etag and "content-type" not in again.headers
            assert again.headers["x-content-type-options"] == "nosniff"  # the edge's headers still apply
            changed = await client.get(path, headers={"if-none-match": 'W/"something-else"'})
            assert changed.status_code == 200 and changed.headers["etag"] == etag


def test_the_time_an_answer_was_made_is_not_part_of_its_tag() -> None:
    one = b'{"status":"running","generated_at":"2026-12-01T20:00:00Z"}'
    two = b'{"status":"running","generated_at":"2026-12-01T20:00:02Z"}'
    assert weak_etag(one) == weak_etag(two) != weak_etag(b'{"status":"done","generated_at":"x"}')
    nested = b'{"jobs":[{"timestamp":"a"}]}'
    assert weak_etag(nested) != weak_etag(b'{"jobs":[{"timestamp":"b"}]}')  # only the top level is volatile


def app_with(body: bytes | None = None, **headers: str) -> httpx.AsyncClient:
    app = FastAPI()

    @app.get("/api/json")
    async def json_answer() -> JSONResponse:
        return JSONResponse({"status": "running", "progress": 40})

    @app.get("/api/large")
    async def large() -> StreamingResponse:
        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(3):
                yield b"x" * 200_000

        return StreamingResponse(chunks(), media_type="application/json")

    @app.get("/api/tagged")
    async def tagged() -> JSONResponse:
        return JSONResponse({"a": 1}, headers={"etag": '"upstream"', "cache-control": "no-cache"})

    @app.get("/api/text")
    async def text() -> PlainTextResponse:
        return PlainTextResponse("a,b\n")

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=ETagMiddleware(app)), base_url="http://t")


async def test_large_tagged_and_non_json_answers_pass_through_untouched() -> None:
    async with app_with() as client:
        small = await client.get("/api/json")
        assert small.headers["etag"] == weak_etag(small.content)
        large = await client.get("/api/large")
        assert len(large.content) == 600_000 and "etag" not in large.headers
        tagged = await client.get("/api/tagged", headers={"if-none-match": '"upstream"'})
        assert tagged.status_code == 200 and tagged.headers["etag"] == '"upstream"'  # the service's to answer
        assert "etag" not in (await client.get("/api/text")).headers


def test_if_none_match_uses_weak_comparison() -> None:
    assert matches('W/"abc"', 'W/"abc"') and matches('"abc"', 'W/"abc"') and matches('"x", W/"abc"', 'W/"abc"')
    assert matches("*", 'W/"abc"') and not matches('W/"abd"', 'W/"abc"')
