"""Rendered report bodies, kept in memory per (route, date, variant, revision, today).

A report's revision is bumped in the same transaction as every change to it (computation or exception
update), so a cached body is never stale: the key changes instead. Bodies are stored raw and gzipped;
browsers get the gzipped bytes as they are, so a 10k-exception report costs one small query per
request. Concurrent misses of one key build it once (single flight).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from hub_shared.runtime import ServiceRuntime
from variance.settings import VarianceSettings

# Small bodies are not worth a gzip round trip.
GZIP_MIN_BYTES = 1024


@dataclass(frozen=True)
class Rendered:
    raw: bytes
    gzipped: bytes | None
    etag: str

    @classmethod
    def of(cls, raw: bytes) -> Rendered:
        gzipped = gzip.compress(raw, compresslevel=6, mtime=0) if len(raw) >= GZIP_MIN_BYTES else None
        return cls(raw=raw, gzipped=gzipped, etag='"' + hashlib.blake2b(raw, digest_size=12).hexdigest() + '"')


class BodyCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._building: dict[Hashable, asyncio.Future[Rendered]] = {}

    async def get_or_build(self, key: Hashable, build: Callable[[], Awaitable[bytes]]) -> Rendered:
        while True:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            pending = self._building.get(key)
            if pending is None:
                break
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not pending.cancelled() or (task is not None and task.cancelling()):
                    raise  # this request itself is being cancelled
                # The request building it was cancelled, not this one: look again (and build it).
        future: asyncio.Future[Rendered] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        try:
            raw = await build()
            rendered = await asyncio.to_thread(Rendered.of, raw)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # marked retrieved: waiters re-raise it, nobody else needs to
            raise
        finally:
            self._building.pop(key, None)
        future.set_result(rendered)
        if self.capacity > 0:
            self._entries[key] = rendered
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return rendered


def cache_of(runtime: ServiceRuntime) -> BodyCache:
    state = runtime.state
    cache = state.get("report_cache")
    if cache is None:
        settings = runtime.settings
        assert isinstance(settings, VarianceSettings)
        cache = state["report_cache"] = BodyCache(settings.variance_report_cache_entries)
    assert isinstance(cache, BodyCache)
    return cache


def json_response(request: Request, rendered: Rendered, status_code: int = 200) -> Response:
    """The body gzipped when the client accepts it, with an ETag (304 on a match)."""
    headers = {"etag": rendered.etag, "vary": "accept-encoding", "cache-control": "no-cache"}
    if request.headers.get("if-none-match") == rendered.etag:
        return Response(status_code=304, headers=headers)
    accepts_gzip = "gzip" in request.headers.get("accept-encoding", "").lower()
    if accepts_gzip and rendered.gzipped is not None:
        headers["content-encoding"] = "gzip"
        return Response(rendered.gzipped, status_code=status_code, media_type="application/json", headers=headers)
    return Response(rendered.raw, status_code=status_code, media_type="application/json", headers=headers)
