"""Collecting one NinjaOne snapshot: fetch, map, COPY page by page, check completeness.

Only the current page is held in memory (plus one small custom-field record per device), so memory
stays flat as the fleet grows. Each page is COPYed while the next one is fetched and mapped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from collector_ninja.client import NinjaClient
from collector_ninja.mapping import map_device
from collector_ninja.repository import store
from collector_ninja.settings import NinjaCollectorSettings
from hub_shared.collection import check_complete
from hub_shared.jobs import JobReporter


@dataclass
class PageMapper:
    """Maps raw device pages to snapshot rows, skipping a device already seen (a page served twice)."""

    snapshot_date: date
    organizations: Mapping[int, str | None]
    locations: Mapping[int, str | None]
    custom_fields: Mapping[int, dict[str, Any]]
    tpm_fields: list[str]
    seen: set[int] = field(default_factory=set)

    def rows(self, page: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        rows = []
        for raw in page:
            device_id = int(raw["id"])
            if device_id in self.seen:
                continue
            self.seen.add(device_id)
            rows.append(
                map_device(
                    raw,
                    snapshot_date=self.snapshot_date,
                    organizations=self.organizations,
                    locations=self.locations,
                    custom_fields=self.custom_fields.get(device_id),
                    tpm_fields=self.tpm_fields,
                )
            )
        return rows


async def prepare_mapper(client: NinjaClient, settings: NinjaCollectorSettings, snapshot_date: date) -> PageMapper:
    tpm_fields = list(settings.ninja_tpm_fields)
    return PageMapper(
        snapshot_date=snapshot_date,
        organizations={int(org["id"]): org.get("name") for org in await client.organizations()},
        locations={int(loc["id"]): loc.get("name") for loc in await client.locations()},
        custom_fields=await client.custom_field_values(tpm_fields),
        tpm_fields=tpm_fields,
    )


async def collect_snapshot(
    session: AsyncSession,
    client: NinjaClient,
    settings: NinjaCollectorSettings,
    snapshot_date: date,
    reporter: JobReporter | None = None,
    *,
    job_id: str | None = None,
    batch_id: str | None = None,
) -> int:
    await store.lock(session)
    previous = await store.previous_count(session, snapshot_date)
    mapper = await prepare_mapper(client, settings, snapshot_date)
    if reporter is not None:
        await reporter.progress(
            5, f"Ninja: {len(mapper.organizations)} organisations, {len(mapper.locations)} locations"
        )

    await store.clear_day(session, snapshot_date)
    count = pages = 0
    async with store.pipeline(session) as copier:
        async for page in client.device_pages():
            rows = mapper.rows(page)
            await copier.submit(rows)
            count += len(rows)
            pages += 1
            if reporter is not None:
                estimate = 5 + int(90 * count / previous) if previous else 5 + pages
                await reporter.progress(min(95, estimate), f"Ninja: {count:,} devices collected (page {pages})")

    check_complete("ninja", count, previous, settings.ninja_max_drop_ratio)
    await store.record_snapshot(session, snapshot_date, count, job_id, batch_id)
    await store.track_identities(session, snapshot_date, extra=("device_uid",))
    await store.prune(session, snapshot_date, settings.snapshot_retention_days)
    return count
