"""What both collectors do the same way with a day's snapshot: COPY rows, record it, keep identities.

A collector writes a day's snapshot inside one transaction: delete that date's rows, COPY the new ones
page by page, record the snapshot, and only then commit — readers see the old snapshot or the whole new
one, never a mix, and a crash leaves the old one in place.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Table, delete, func, literal, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.db import copy_rows


class SnapshotStore:
    """SQL for one vendor's snapshot tables (``snapshots``, ``snapshot_devices``, ``device_identities``)."""

    def __init__(self, snapshots: Table, devices: Table, identities: Table, *, identity_column: str) -> None:
        self.snapshots = snapshots
        self.devices = devices
        self.identities = identities
        self.identity_column = identity_column
        self.columns = [column.name for column in devices.columns]
        assert devices.schema is not None
        self.schema: str = devices.schema

    async def lock(self, session: AsyncSession) -> None:
        """One writer per vendor at a time (held until the transaction ends)."""
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"{self.schema}.collect"})

    async def previous_count(self, session: AsyncSession, before_or_on: date) -> int | None:
        """Device count of the latest snapshot on or before the date (the day being replaced included)."""
        row = await session.execute(
            select(self.snapshots.c.device_count)
            .where(self.snapshots.c.snapshot_date <= before_or_on)
            .order_by(self.snapshots.c.snapshot_date.desc())
            .limit(1)
        )
        return row.scalar_one_or_none()

    async def clear_day(self, session: AsyncSession, snapshot_date: date) -> None:
        await session.execute(delete(self.devices).where(self.devices.c.snapshot_date == snapshot_date))

    async def copy_rows(self, session: AsyncSession, rows: Sequence[tuple[Any, ...]]) -> None:
        await copy_rows(session, self.devices.name, rows, self.columns, schema=self.schema)

    @asynccontextmanager
    async def pipeline(self, session: AsyncSession) -> AsyncIterator[CopyPipeline]:
        """COPY one page while the next is fetched and mapped; waits for the last COPY on exit."""
        pipeline = CopyPipeline(self, session)
        try:
            yield pipeline
            await pipeline.flush()
        finally:
            await pipeline.cancel()

    async def record_snapshot(
        self,
        session: AsyncSession,
        snapshot_date: date,
        device_count: int,
        job_id: str | None,
        batch_id: str | None,
    ) -> None:
        statement = insert(self.snapshots).values(
            snapshot_date=snapshot_date, device_count=device_count, job_id=job_id, batch_id=batch_id
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["snapshot_date"],
                set_={
                    "device_count": statement.excluded.device_count,
                    "collected_at": func.now(),
                    "job_id": statement.excluded.job_id,
                    "batch_id": statement.excluded.batch_id,
                },
            )
        )

    async def track_identities(self, session: AsyncSession, snapshot_date: date, extra: Sequence[str] = ()) -> None:
        """First and last seen per vendor device, widened by this snapshot."""
        key = self.identity_column
        columns = [key, *extra]
        day = literal(snapshot_date, Date)
        chosen = select(*(self.devices.c[name] for name in columns), day, day).where(
            self.devices.c.snapshot_date == snapshot_date
        )
        statement = insert(self.identities).from_select([*columns, "first_seen", "last_seen"], chosen)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[key],
                set_={
                    "first_seen": func.least(self.identities.c.first_seen, statement.excluded.first_seen),
                    "last_seen": func.greatest(self.identities.c.last_seen, statement.excluded.last_seen),
                    **{name: statement.excluded[name] for name in extra},
                },
            )
        )

    async def prune(self, session: AsyncSession, today: date, keep_days: int) -> int:
        """Drop device-level rows past retention; the ``snapshots`` aggregates stay forever."""
        result = await session.execute(
            delete(self.devices).where(self.devices.c.snapshot_date < today - timedelta(days=keep_days))
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class CopyPipeline:
    """Batches pages into COPYs of a few thousand rows, with at most one COPY in flight.

    Fewer, larger COPYs save a round trip per page; PostgreSQL ingests one batch on its own core while
    this process fetches and maps the next pages. Memory stays bounded by one batch plus one page.
    """

    batch_rows = 5000

    def __init__(self, store: SnapshotStore, session: AsyncSession) -> None:
        self.store = store
        self.session = session
        self._pending: asyncio.Task[None] | None = None
        self._buffer: list[tuple[Any, ...]] = []

    async def submit(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._buffer.extend(rows)
        if len(self._buffer) >= self.batch_rows:
            await self._send()

    async def _send(self) -> None:
        await self._wait()
        batch, self._buffer = self._buffer, []
        if batch:
            self._pending = asyncio.create_task(self.store.copy_rows(self.session, batch))

    async def flush(self) -> None:
        await self._send()
        await self._wait()

    async def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending

    async def cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            with contextlib.suppress(BaseException):  # the transaction is being abandoned anyway
                await self._pending
            self._pending = None


async def latest_common_snapshot_date(session: AsyncSession, since: date) -> date | None:
    """The newest date, on or after ``since``, with a snapshot from both vendors (their published views):
    the date a variance report is computed for and the status page reports on."""
    value = await session.execute(
        text(
            "SELECT max(n.snapshot_date) FROM ninja.snapshots_v1 n "
            "JOIN threatlocker.snapshots_v1 t USING (snapshot_date) WHERE n.snapshot_date >= :since"
        ),
        {"since": since},
    )
    result: date | None = value.scalar_one_or_none()
    return result
