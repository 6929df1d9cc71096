"""SQL behind ``/api/status``: other services' data, read only through their published views."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

VENDOR_VIEWS = {"Ninja": "ninja.snapshots_v1", "ThreatLocker": "threatlocker.snapshots_v1"}


async def latest_snapshot(session: AsyncSession, view: str) -> tuple[date, int] | None:
    row = (
        await session.execute(
            text(f"SELECT snapshot_date, device_count FROM {view} ORDER BY snapshot_date DESC LIMIT 1")
        )
    ).first()
    return (row[0], int(row[1])) if row else None


async def ninja_counted_devices(session: AsyncSession, snapshot_date: date) -> int:
    """VM guests are not billed devices and stay out of the hub's device counts."""
    value = await session.execute(
        text("SELECT count(*) FROM ninja.snapshot_devices_v1 WHERE snapshot_date = :day AND device_type <> 'vm_guest'"),
        {"day": snapshot_date},
    )
    return int(value.scalar_one())


async def open_exception_counts(session: AsyncSession) -> dict[str, int] | None:
    """Unresolved exceptions of the current report, once the variance service publishes them."""
    exists = (await session.execute(text("SELECT to_regclass('variance.open_exception_counts_v1')"))).scalar_one()
    if exists is None:
        return None
    rows = await session.execute(text("SELECT type, count FROM variance.open_exception_counts_v1 ORDER BY type"))
    return {str(row[0]): int(row[1]) for row in rows}
