"""Issue 14 §2 defects of the Ninja collector, each against the simulator behaving like the real API."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from collector_ninja.client import NinjaClient
from collector_ninja.service import collect_snapshot
from collector_ninja.settings import NinjaCollectorSettings
from hub_shared.collection import IncompleteSync


def settings_for(url: str, **overrides) -> NinjaCollectorSettings:
    values = {"ninja_client_id": "sim-client", "ninja_client_secret": "sim-secret", **overrides}
    return NinjaCollectorSettings(ninja_base_url=url, ninja_retry_base_seconds=0.01, **values)


async def test_custom_fields_follow_up_pages_keep_the_page_size_and_the_fields(vendor_sim) -> None:
    # A follow-up page asked with only the cursor gets the API's default 1,000 rows: with a larger page
    # size, "a short page is the last page" stopped after the second page and lost every device after it.
    # (The default query page is 5,000: 6,500 devices came back as 5,000 + 1,000.)
    with vendor_sim(devices=6500, seed=4) as sim:
        async with NinjaClient(settings_for(sim.ninja_url)) as client:
            values = await client.custom_field_values(["hastpm", "tpmversion"])
        requests = sim.stats()["requests"]["ninja.custom_fields_query"]
    assert len(values) == 6500
    assert all(set(record) == {"hastpm", "tpmversion"} for record in values.values())
    assert requests == 3  # 5,000 + 1,500, then the empty page that ends it


async def test_the_after_cursor_is_the_largest_id_of_the_page(vendor_sim) -> None:
    with vendor_sim(devices=700, seed=4) as sim:
        sim.faults({"kind": "unsorted_page", "target": "ninja.devices_detailed"})
        async with NinjaClient(settings_for(sim.ninja_url, ninja_page_size=250)) as client:
            ids = [int(device["id"]) async for page in client.device_pages() for device in page]
        requests = sim.stats()["requests"]["ninja.devices_detailed"]
    assert len(ids) == len(set(ids)) == 700
    assert requests == 3  # the last row's id (the page's smallest) would have fetched most rows again


async def test_a_first_sync_with_no_devices_is_refused(vendor_sim, database) -> None:
    with vendor_sim(devices=60, seed=4) as sim:
        sim.faults({"kind": "truncate", "target": "ninja.devices_detailed", "drop": 10_000})
        settings = settings_for(sim.ninja_url)
        async with database.transaction() as session, NinjaClient(settings) as client:
            with pytest.raises(IncompleteSync, match="returned no devices and reports no total"):
                await collect_snapshot(session, client, settings, date(2026, 11, 20))
    async with database.transaction() as session:
        assert (await session.execute(text("SELECT count(*) FROM ninja.snapshots"))).scalar_one() == 0


def test_no_simulator_credentials_against_the_real_ninjaone(monkeypatch, capsys) -> None:
    from hub_shared.settings import ConfigurationError, load_settings

    monkeypatch.chdir("/")  # no .env
    for name in ("NINJA_CLIENT_ID", "NINJA_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NINJA_BASE_URL", "https://app.ninjarmm.com")
    monkeypatch.setenv("NINJA_CLIENT_ID", "")  # empty, as the Kubernetes ConfigMap ships it
    with pytest.raises(ConfigurationError):
        load_settings(NinjaCollectorSettings)
    line = capsys.readouterr().err
    assert "NINJA_CLIENT_ID: must be set" in line and "NINJA_CLIENT_SECRET: must be set" in line

    monkeypatch.setenv("NINJA_CLIENT_ID", "real-id")
    monkeypatch.setenv("NINJA_CLIENT_SECRET", "real-secret")
    settings = load_settings(NinjaCollectorSettings)
    assert (settings.ninja_client_id, settings.ninja_client_secret) == ("real-id", "real-secret")

    # Under `make dev` (the simulator's address) unset credentials are the simulator's.
    for name in ("NINJA_BASE_URL", "NINJA_CLIENT_ID", "NINJA_CLIENT_SECRET"):
        monkeypatch.delenv(name)
    assert load_settings(NinjaCollectorSettings).ninja_client_id == "sim-client"
