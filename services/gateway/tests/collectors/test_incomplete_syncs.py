"""A sync that looks incomplete is refused and the previous snapshot kept (README: ``*_MAX_DROP_RATIO``).

Three rules, each at its boundary: a Ninja sync that shrinks past the configured ratio; a sync with no
devices where the previous snapshot had some; and a short Ninja page, which ends the paging (Ninja gives no
total, so what arrived is what is stored, as long as the drop rule lets it through).
"""

from __future__ import annotations

from .test_collector_runs import snapshot_rows


async def ninja_job(hub, batch: dict) -> dict:
    return {job["job_name"]: job for job in batch["collectors"]}["ninja-collector"]


async def test_drop_ratio_zero_devices_and_a_short_last_page(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=1000, seed=12) as sim:
        hub = await hub_factory(
            sim, collectors={"collector_ninja": {"ninja_max_drop_ratio": 0.3, "ninja_page_size": 300}}
        )
        day = sim.truth()["date"]
        ninja_only = {"collector": "ninja", "run_cross_vendor": False}
        assert (await hub.run_and_wait(ninja_only))["status"] == "completed"
        assert await snapshot_rows(hub.database, "ninja") == {day: 1000}

        # 699 devices is more than a 30 % drop from 1,000: refused, the 1,000 rows stay.
        sim.faults({"kind": "truncate", "target": "ninja.devices_detailed", "drop": 301})
        job = await ninja_job(hub, await hub.run_and_wait(ninja_only))
        assert job["status"] == "failed"
        assert job["error"] == (
            "Ninja returned 699 devices, 301 fewer than the previous snapshot's 1000 (more than 30% drop)"
        )
        assert await snapshot_rows(hub.database, "ninja") == {day: 1000}

        # 700 is exactly the limit: accepted. Pages of 300 give 300, 300, then a short page of 100 that ends the
        # paging: three device requests, no fourth asking past the end.
        sim.faults({"kind": "truncate", "target": "ninja.devices_detailed", "drop": 300})
        before = sim.stats()["requests"].get("ninja.devices_detailed", 0)
        job = await ninja_job(hub, await hub.run_and_wait(ninja_only))
        assert job["status"] == "completed", job
        assert await snapshot_rows(hub.database, "ninja") == {day: 700}
        assert sim.stats()["requests"]["ninja.devices_detailed"] - before == 3

        # No devices at all while the previous snapshot had 700: the zero rule speaks, and 700 rows stay.
        sim.faults({"kind": "truncate", "target": "ninja.devices_detailed", "drop": 1000})
        job = await ninja_job(hub, await hub.run_and_wait(ninja_only))
        assert job["status"] == "failed"
        assert job["error"] == "Ninja returned no devices, but the previous snapshot had 700"
        assert await snapshot_rows(hub.database, "ninja") == {day: 700}
