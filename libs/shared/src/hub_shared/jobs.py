"""Reporting batch work as ``job.updated`` events (start, progress, heartbeat, finish, fail).

Progress and heartbeats are written in their own short transactions so the gateway sees them while the
job's main transaction is still open; the final ``completed`` update can instead be enqueued in the
job's own transaction (``finish(session=...)``), so "completed" is announced exactly when the work
commits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.db import Database
from hub_shared.events import JobStatus, JobUpdated, new_event
from hub_shared.logging import get_logger
from hub_shared.messaging import MessagingTables, enqueue
from hub_shared.progress import ConsoleProgress

log = get_logger(__name__)


class JobReporter:
    def __init__(
        self,
        database: Database,
        tables: MessagingTables,
        *,
        producer: str,
        job_id: str,
        job_name: str,
        batch_id: str | None = None,
        console: ConsoleProgress | None = None,
    ) -> None:
        self.database = database
        # A one-shot command's terminal: every update is shown there too (heartbeats change nothing).
        self.console = console
        self.tables = tables
        self.producer = producer
        self.job_id = job_id
        self.job_name = job_name
        self.batch_id = batch_id
        self.progress_percent: int | None = None
        self.message: str | None = None

    async def _emit(
        self,
        status: JobStatus,
        *,
        message: str | None = None,
        error: str | None = None,
        session: AsyncSession | None = None,
    ) -> None:
        if message is not None:
            self.message = message
        if self.console is not None:
            self.console.update(self.progress_percent, f"{message}: {error}" if error else message)
        event = new_event(
            JobUpdated(
                batch_id=self.batch_id,
                job_id=self.job_id,
                job_name=self.job_name,
                status=status,
                progress_percent=self.progress_percent,
                message=self.message,
                error=error,
            ),
            producer=self.producer,
        )
        if session is not None:
            await enqueue(session, self.tables, event)
            return
        async with self.database.transaction() as own_session:
            await enqueue(own_session, self.tables, event)

    async def start(self, message: str = "started") -> None:
        self.progress_percent = 0
        await self._emit("running", message=message)

    async def progress(self, percent: int, message: str | None = None) -> None:
        self.progress_percent = max(0, min(100, int(percent)))
        await self._emit("running", message=message)

    async def heartbeat(self) -> None:
        await self._emit("running")

    async def finish(self, message: str = "completed", *, session: AsyncSession | None = None) -> None:
        self.progress_percent = 100
        await self._emit("completed", message=message, session=session)

    async def fail(self, error: str, message: str | None = None) -> None:
        await self._emit("failed", message=message or "failed", error=error)

    @asynccontextmanager
    async def heartbeats(self, every_seconds: float = 30.0) -> AsyncIterator[None]:
        """Send heartbeats in the background for the duration of a block of work."""

        async def beat() -> None:
            while True:
                await asyncio.sleep(every_seconds)
                try:
                    await self.heartbeat()
                except Exception as exc:  # a missed heartbeat must not kill the job itself
                    log.warning("heartbeat failed", job_id=self.job_id, error=str(exc))

        task = asyncio.create_task(beat(), name=f"heartbeat-{self.job_id}")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
