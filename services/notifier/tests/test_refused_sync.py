"""A real collection refused as incomplete (the collector's ``collection.refused`` event) alerts once; a
repeat of the refusal says nothing new; after a good sync, the next refusal alerts again."""

from __future__ import annotations

from .conftest import NotifierHandle


async def test_a_refused_sync_alerts_when_it_starts(vendor_sim, hub_factory, notifier_factory, receiver) -> None:
    with vendor_sim(devices=300, seed=12) as sim:
        hub = await hub_factory(sim, collectors={"collector_ninja": {"ninja_max_drop_ratio": 0.3}})
        notifier: NotifierHandle = await notifier_factory()
        hook = await notifier.channel(name="hook", kind="webhook", url=f"{receiver.url}/refused")
        await notifier.rule(name="refused", condition="sync_refused", channel_ids=[hook["id"]])
        ninja_only = {"collector": "ninja", "run_cross_vendor": False}
        assert (await hub.run_and_wait(ninja_only))["status"] == "completed"

        sim.faults({"kind": "truncate", "target": "ninja.devices_detailed", "drop": 200})
        for _ in range(2):  # refused twice in a row: one alert
            assert (await hub.run_and_wait(ninja_only))["status"] == "failed"
        sim.faults()
        assert (await hub.run_and_wait(ninja_only))["status"] == "completed"
        sim.faults({"kind": "truncate", "target": "ninja.devices_detailed", "drop": 200})
        assert (await hub.run_and_wait(ninja_only))["status"] == "failed"
        # 3 refusals + 2 good snapshots, plus the collector's job updates, all evaluated.
        await notifier.signals_evaluated(5 + 5)
        deliveries = await notifier.settled()
    assert [d["status"] for d in deliveries] == ["delivered", "delivered"]
    bodies = [r.json()["data"] for r in receiver.requests]
    assert len(bodies) == 2
    for body in bodies:
        [entry] = body["items"]
        assert entry["condition"] == "sync_refused" and entry["key"] == "refused:ninja"
        assert "100 devices, 200 fewer than the previous snapshot's 300" in entry["details"]["reason"]
