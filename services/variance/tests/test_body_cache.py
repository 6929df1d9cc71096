"""The report body cache: a builder that is cancelled does not take the requests waiting on it down too."""

from __future__ import annotations

import asyncio

from variance.reports.cache import BodyCache


async def test_waiter_builds_the_body_itself_when_the_builder_is_cancelled() -> None:
    cache = BodyCache(4)
    started = asyncio.Event()

    async def slow() -> bytes:
        started.set()
        await asyncio.sleep(30)
        return b"never"

    async def quick() -> bytes:
        return b'{"report_date":"2026-11-30"}'

    builder = asyncio.create_task(cache.get_or_build("latest", slow))
    await started.wait()
    waiter = asyncio.create_task(cache.get_or_build("latest", quick))
    await asyncio.sleep(0)
    builder.cancel()  # e.g. the first request's task cancelled at shutdown or by a timeout
    rendered = await asyncio.wait_for(waiter, 5)
    assert rendered.raw == b'{"report_date":"2026-11-30"}'
    assert builder.cancelled()
    # The waiter's own cancellation still propagates.
    blocked = asyncio.create_task(cache.get_or_build("other", slow))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(cache.get_or_build("other", quick))
    await asyncio.sleep(0.01)
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)
    assert second.cancelled()
    blocked.cancel()
    await asyncio.gather(blocked, return_exceptions=True)
