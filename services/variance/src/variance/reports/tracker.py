"""Which report is the latest, known without a query per request.

``/api/variance-report/latest`` and ``/filtered`` need the latest common snapshot date and that date's
report revision before they can serve a cached body. Every change to a report sends
``NOTIFY variance_reports`` in its own transaction (delivered at commit); each process listens and
forgets what it knew on every notification, and on every (re)connection of its listener. While the
listener is down, or after ``MAX_AGE_SECONDS``, the answer is looked up again, so a missed notification
(or a new snapshot date arriving before its report) is never served for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from hub_shared.logging import get_logger
from hub_shared.runtime import ServiceRuntime
from variance.queries import REPORT_CHANGES_CHANNEL

log = get_logger(__name__)

CHANNEL = REPORT_CHANGES_CHANNEL
MAX_AGE_SECONDS = 30.0
RECONNECT_SECONDS = 2.0


class LatestTracker:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.epoch = 0
        self.listening = False
        self._known: tuple[int, Any, Any, float] | None = None  # (epoch, key, value, fetched at)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="variance-report-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    def _forget(self, *_args: Any) -> None:
        self.epoch += 1
        self._known = None

    async def get(self, key: Any, load: Callable[[], Awaitable[Any]]) -> Any:
        """The value for ``key`` (e.g. today's date), from memory while nothing has changed."""
        known = self._known
        if (
            self.listening
            and known is not None
            and known[0] == self.epoch
            and known[1] == key
            and time.monotonic() - known[3] < MAX_AGE_SECONDS
        ):
            return known[2]
        epoch = self.epoch  # a notification arriving during the load makes the result stale at once
        value = await load()
        self._known = (epoch, key, value, time.monotonic())
        return value

    async def _listen(self) -> None:
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(self.dsn, timeout=5)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._forget)
                self._forget()  # anything may have changed while nobody listened
                self.listening = True
                await lost.wait()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("report change listener unavailable", error=str(exc))
            finally:
                self.listening = False
                self._forget()
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=1)
            await asyncio.sleep(RECONNECT_SECONDS)


def forget_latest(state: dict[str, Any]) -> None:
    """This process changed a report: stop trusting what it knew at once (its NOTIFY follows at commit)."""
    tracker = state.get("latest_tracker")
    if isinstance(tracker, LatestTracker):
        tracker._forget()


def tracker_of(runtime: ServiceRuntime) -> LatestTracker:
    tracker = runtime.state.get("latest_tracker")
    if tracker is None:
        dsn = runtime.database.url.replace("postgresql+asyncpg://", "postgresql://", 1)
        tracker = runtime.state["latest_tracker"] = LatestTracker(dsn)
        tracker.start()
        runtime.on_stop(tracker.stop)
    assert isinstance(tracker, LatestTracker)
    return tracker
