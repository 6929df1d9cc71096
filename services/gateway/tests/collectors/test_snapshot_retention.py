"""``SNAPSHOT_RETENTION_DAYS``: a collection drops device rows older than the window, keeps the boundary day,
and keeps every day's aggregate (``<vendor>.snapshots``) forever."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import text

from .test_collector_runs import snapshot_rows


async def aggregate_dates(hub, schema: str) -> list[str]:
    async with hub.database.transaction() as session:
        rows = await session.execute(text(f"SELECT snapshot_date::text FROM {schema}.snapshots ORDER BY 1"))
        return list(rows.scalars())


async def test_collections_prune_device_rows_past_the_window_and_keep_the_boundary_day(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=120, seed=8) as sim:
        keep = {"snapshot_retention_days": 10}
        hub = await hub_factory(sim, collectors={"collector_ninja": keep, "collector_threatlocker": keep})
        today: date = datetime.now(hub.runtimes["gateway"].settings.timezone).date()
        days = [today - timedelta(days=11), today - timedelta(days=10), today]
        for day in days:
            batch = await hub.run_and_wait({"run_cross_vendor": False, "snapshot_date": day.isoformat()})
            assert batch["status"] == "completed", batch
        ninja = sim.truth()["ninja"]["device_count"]
        tl = sim.truth()["threatlocker"]["computer_count"]
        boundary, kept_today = days[1].isoformat(), today.isoformat()
        assert await snapshot_rows(hub.database, "ninja") == {boundary: ninja, kept_today: ninja}
        assert await snapshot_rows(hub.database, "threatlocker") == {boundary: tl, kept_today: tl}
        for schema in ("ninja", "threatlocker"):
            assert await aggregate_dates(hub, schema) == [day.isoformat() for day in days]
