"""Quiet hours hold a non-critical alert and send one catch-up when they end; a critical alert passes
through; snoozing a rule or one item keeps it quiet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hub_shared.events import CollectionRefused, JobUpdated, new_event
from notifier.scheduler import tick

from .conftest import NotifierHandle
from .hubs import HUB_ZONE


def refused(vendor: str = "threatlocker") -> object:
    return new_event(
        CollectionRefused(vendor=vendor, snapshot_date=date(2026, 11, 30), reason="returned 3 devices, 97 fewer"),
        producer=f"collector_{vendor}",
    )


def failed(job_name: str = "ninja-collector") -> object:
    return new_event(JobUpdated(job_id="ni_00000001", job_name=job_name, status="failed", error="boom"), producer="x")


async def test_quiet_hours_hold_then_catch_up_and_critical_passes(notifier_factory, receiver) -> None:
    notifier: NotifierHandle = await notifier_factory()
    hook = await notifier.channel(name="hook", kind="webhook", url=f"{receiver.url}/hook")
    local = datetime.now(HUB_ZONE)
    quiet = {
        "quiet_start": (local - timedelta(hours=1)).strftime("%H:%M"),
        "quiet_end": (local + timedelta(hours=1)).strftime("%H:%M"),
    }
    await notifier.rule(name="refused", condition="sync_refused", channel_ids=[hook["id"]], **quiet)
    await notifier.rule(name="failures", condition="collection_failed", channel_ids=[hook["id"]], **quiet)
    await notifier.publish(refused())
    await notifier.publish(failed())
    await notifier.signals_evaluated(2)
    deliveries = await notifier.settled()
    # The critical failure passed; the refused sync (a warning) waits for the end of quiet hours.
    assert [(d["kind"], d["severity"]) for d in deliveries] == [("alert", "critical")]
    rules = (await notifier.api.get("/api/notifications/rules")).json()["data"]["rules"]
    assert [r["held_for_quiet_hours"] for r in rules] == [1, 0]

    still_quiet = await tick(notifier.runtime, now=datetime.now(UTC) + timedelta(minutes=10))
    assert still_quiet["catchups"] == 0
    after = await tick(notifier.runtime, now=datetime.now(UTC) + timedelta(hours=1, minutes=5))
    assert after["catchups"] == 1
    deliveries = await notifier.settled()
    catchup = next(d for d in deliveries if d["kind"] == "catchup")
    assert catchup["status"] == "delivered" and catchup["item_count"] == 1
    body = receiver.requests[-1].json()
    assert body["type"] == "notification.catchup"
    assert body["data"]["items"][0]["condition"] == "sync_refused"
    assert (await tick(notifier.runtime, now=datetime.now(UTC) + timedelta(hours=2)))["catchups"] == 0


async def test_snoozed_rule_and_snoozed_item_send_nothing(notifier_factory, receiver) -> None:
    notifier: NotifierHandle = await notifier_factory()
    hook = await notifier.channel(name="hook", kind="webhook", url=f"{receiver.url}/hook")
    rule = await notifier.rule(name="refused", condition="sync_refused", channel_ids=[hook["id"]])
    snoozed = await notifier.api.post(
        f"/api/notifications/rules/{rule['id']}/snooze", json={"minutes": 60, "reason": "vendor maintenance"}
    )
    assert snoozed.status_code == 200 and snoozed.json()["data"]["snooze_reason"] == "vendor maintenance"
    await notifier.publish(refused("ninja"))
    await notifier.signals_evaluated(1)
    assert await notifier.settled() == []
    assert (await notifier.api.delete(f"/api/notifications/rules/{rule['id']}/snooze")).status_code == 200

    item = await notifier.api.post(
        f"/api/notifications/rules/{rule['id']}/item-snoozes",
        json={"item_key": "refused:threatlocker", "minutes": 60, "reason": "known partial tenant"},
    )
    assert item.status_code == 201, item.text
    await notifier.publish(refused("threatlocker"))
    await notifier.signals_evaluated(2)
    assert await notifier.settled() == []
    active = (await notifier.api.get("/api/notifications/active-conditions")).json()["data"]
    assert {i["item_key"] for i in active["items"]} == {"refused:ninja", "refused:threatlocker"}
