"""Conditional GETs for the JSON the console polls: a weak ETag on every 200 JSON answer, 304 on a match.

The console polls ``/api/collectors/runs/batch/{id}``, the runs list and ``/api/status`` every second or two;
most answers are unchanged, and a 304 carries no body. The gateway hashes the body of a ``GET``
answer that is ``application/json``, not already tagged by the service behind it (the variance report is
pre-rendered with its own strong ETag and answers 304 itself), not compressed, and at most
:data:`MAX_TAGGED_BYTES` (256 KiB) long; anything longer streams through untouched.
Answers without their own ``Cache-Control`` get ``private, no-cache``: a browser may keep them, but must
revalidate each time (which is what sends ``If-None-Match``).

The time an answer was made (a top-level ``generated_at`` or ``timestamp``, as in ``/api/status`` and the
runs lists) is left out of the tag of a body up to 64 KiB: otherwise no two answers would ever match. A
304 then means "nothing changed since the copy you hold", which keeps that copy's time.
"""

from __future__ import annotations

import hashlib
import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Measured on the 2-core dev machine: hashing 256 KiB takes ~3 ms; parsing JSON to drop its time ~30 ms
# per 100 KiB, so that is done only for small bodies (the polled routes are a few KiB).
MAX_TAGGED_BYTES = 256 * 1024
MAX_PARSED_BYTES = 64 * 1024
# Kept on a 304 (RFC 9110 §15.4.5); the body's own headers are not.
NOT_MODIFIED_HEADERS = frozenset({"content-length", "content-type", "content-encoding", "transfer-encoding"})


VOLATILE_KEYS = ("generated_at", "timestamp")


def weak_etag(body: bytes) -> str:
    """A tag of the body's content, leaving out when it was generated (top-level keys only)."""
    if len(body) <= MAX_PARSED_BYTES and any(f'"{key}"'.encode() in body for key in VOLATILE_KEYS):
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if isinstance(document, dict) and any(key in document for key in VOLATILE_KEYS):
            for key in VOLATILE_KEYS:
                document.pop(key, None)
            body = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``W/"x"`` matches ``"x"``; a list or ``*`` too."""
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == opaque for candidate in if_none_match.split(","))


class ETagMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_TAGGED_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # streaming through untouched

        async def tagging_send(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = Headers(raw=message.get("headers", []))
                taggable = (
                    message["status"] == 200
                    and headers.get("content-type", "").startswith("application/json")
                    and "etag" not in headers
                    and "content-encoding" not in headers
                )
                if not taggable:
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            assert start is not None
            body = message.get("body", b"")
            chunks.append(body)
            size += len(body)
            if size > self.max_bytes:
                passing = True
                await send(start)
                await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": True})
                if not message.get("more_body"):
                    await send({"type": "http.response.body", "body": b""})
                return
            if message.get("more_body"):
                return
            whole = b"".join(chunks)
            etag = weak_etag(whole)
            headers_out = MutableHeaders(scope=start)
            headers_out["etag"] = etag
            if "cache-control" not in headers_out:
                headers_out["cache-control"] = "private, no-cache"
            if if_none_match is not None and matches(if_none_match, etag):
                kept = [(k, v) for k, v in start["headers"] if k.decode("latin-1").lower() not in NOT_MODIFIED_HEADERS]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send(start)
            await send({"type": "http.response.body", "body": whole})

        await self.app(scope, receive, tagging_send)
