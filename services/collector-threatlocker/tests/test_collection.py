"""ThreatLocker collection against the simulator: completeness checks keep the previous snapshot."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from collector_threatlocker.client import ThreatLockerClient
from collector_threatlocker.mapping import map_computer
from collector_threatlocker.service import collect_snapshot
from collector_threatlocker.settings import ThreatLockerCollectorSettings
from hub_shared.collection import IncompleteSync
from hub_shared.vendor_http import VendorUnavailable

DAY = date(2026, 11, 20)


def settings_for(sim, **overrides) -> ThreatLockerCollectorSettings:
    values = {
        "threatlocker_base_url": sim.threatlocker_url,
        "threatlocker_org_id": sim.sim.config.tl_parent_org_id,
        "threatlocker_api_key": sim.sim.config.tl_api_key,
        "threatlocker_retry_base_seconds": 0.01,
        "threatlocker_retry_attempts": 2,
        **overrides,
    }
    return ThreatLockerCollectorSettings(**values)


async def collect(database, settings) -> int:
    async with database.transaction() as session, ThreatLockerClient(settings) as client:
        return await collect_snapshot(session, client, settings, DAY)


async def stored(database) -> int:
    async with database.transaction() as session:
        return int((await session.execute(text("SELECT count(*) FROM threatlocker.snapshot_devices"))).scalar_one())


async def test_truncated_last_page_is_refused_and_previous_snapshot_stays(vendor_sim, database) -> None:
    with vendor_sim(devices=1500, seed=8) as sim:
        settings = settings_for(sim)
        total = await collect(database, settings)
        assert total == sim.truth()["threatlocker"]["computer_count"]
        sim.faults({"kind": "truncate", "target": "tl.computers", "drop": 7})
        with pytest.raises(IncompleteSync, match=f"reported {total} devices but only {total - 7} were received"):
            await collect(database, settings)
        assert await stored(database) == total


async def test_repeated_page_is_refused(vendor_sim, database) -> None:
    with vendor_sim(devices=1500, seed=8) as sim:
        sim.faults({"kind": "repeat_page", "target": "tl.computers", "page": 2})
        with pytest.raises(VendorUnavailable, match="page 2 twice"):
            await collect(database, settings_for(sim))
        assert await stored(database) == 0


async def test_wrong_api_key_is_a_clear_failure(vendor_sim, database) -> None:
    with vendor_sim(devices=60, seed=8) as sim, pytest.raises(VendorUnavailable, match="refused the API key"):
        await collect(database, settings_for(sim, threatlocker_api_key="nope"))


def test_map_computer_cleans_names() -> None:
    values = map_computer(
        {
            "computerId": "c1",
            "computerName": "Acme-WS01 | Dana Smith",
            "hostname": "ACME-WS01.corp.local",
            "organization": "Acme Corporation",
            "lastCheckin": "2026-11-23T10:00:00",
            "denyCountOneDay": 3,
        },
        snapshot_date=DAY,
    )
    assert values[1:7] == (
        "c1",
        "Acme-WS01 | Dana Smith",
        "ACME-WS01.corp.local",
        "ACME-WS01",
        "acme-ws01",
        None,
    )
    assert values[7] == "Acme Corporation"
    assert values[14].isoformat() == "2026-11-23T10:00:00+00:00"
