"""Retention: device-level variance data older than ``VARIANCE_RETENTION_DAYS`` is pruned by a worker.

Pruned: the per-date occurrence rows, and exception identities that are not in the latest report and
were last seen before the cutoff (their history goes with them). Kept forever: ``reports`` and
``report_counts`` (trends and available dates). One replica prunes at a time (advisory lock).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.logging import get_logger
from hub_shared.runtime import ServiceRuntime
from variance.settings import VarianceSettings

log = get_logger(__name__)


@dataclass(frozen=True)
class Pruned:
    occurrences: int
    exceptions: int


async def prune(session: AsyncSession, today: date, keep_days: int) -> Pruned | None:
    """Delete device-level rows older than the window; None when another replica is pruning."""
    locked = (
        await session.execute(text("SELECT pg_try_advisory_xact_lock(hashtext('variance.retention'))"))
    ).scalar_one()
    if not locked:
        return None
    cutoff = today - timedelta(days=keep_days)
    occurrences = await session.execute(
        text("DELETE FROM variance.occurrences WHERE report_date < :cutoff"), {"cutoff": cutoff}
    )
    identities = await session.execute(
        text("DELETE FROM variance.exceptions WHERE NOT present AND last_seen < :cutoff"), {"cutoff": cutoff}
    )
    return Pruned(int(occurrences.rowcount or 0), int(identities.rowcount or 0))  # type: ignore[attr-defined]


async def retention_worker(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    assert isinstance(settings, VarianceSettings)
    while True:
        try:
            async with runtime.database.transaction() as session:
                today = datetime.now(settings.timezone).date()
                result = await prune(session, today, settings.variance_retention_days)
            if result is not None and (result.occurrences or result.exceptions):
                log.info("variance data pruned", occurrences=result.occurrences, exceptions=result.exceptions)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database may be away; try again next round
            log.warning("variance retention failed", error=str(exc))
        await asyncio.sleep(settings.variance_retention_interval_seconds)
