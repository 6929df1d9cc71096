"""Collecting one ThreatLocker snapshot: page through every computer, COPY page by page, check totals."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from collector_threatlocker.client import ThreatLockerClient
from collector_threatlocker.mapping import map_computer
from collector_threatlocker.repository import store
from collector_threatlocker.settings import ThreatLockerCollectorSettings
from hub_shared.collection import check_complete
from hub_shared.jobs import JobReporter


async def collect_snapshot(
    session: AsyncSession,
    client: ThreatLockerClient,
    settings: ThreatLockerCollectorSettings,
    snapshot_date: date,
    reporter: JobReporter | None = None,
    *,
    job_id: str | None = None,
    batch_id: str | None = None,
) -> int:
    await store.lock(session)
    previous = await store.previous_count(session, snapshot_date)
    await store.clear_day(session, snapshot_date)
    seen: set[str] = set()
    count = 0
    vendor_total: int | None = None
    async with store.pipeline(session) as copier:
        async for page in client.computer_pages():
            vendor_total = page.total_items if page.total_items is not None else vendor_total
            rows = []
            for raw in page.rows:
                computer_id = str(raw.get("computerId"))
                if computer_id in seen:  # rows shifting between pages must not duplicate a computer
                    continue
                seen.add(computer_id)
                rows.append(map_computer(raw, snapshot_date=snapshot_date))
            await copier.submit(rows)
            count += len(rows)
            if reporter is not None:
                pages_total = page.total_pages or page.number
                percent = min(95, int(95 * page.number / pages_total)) if pages_total else 0
                total_text = f" of {vendor_total:,}" if vendor_total is not None else ""
                await reporter.progress(
                    percent, f"ThreatLocker: {count:,}{total_text} devices collected (page {page.number})"
                )

    check_complete("threatlocker", count, previous, settings.threatlocker_max_drop_ratio, vendor_total)
    await store.record_snapshot(session, snapshot_date, count, job_id, batch_id)
    await store.track_identities(session, snapshot_date)
    await store.prune(session, snapshot_date, settings.snapshot_retention_days)
    return count
