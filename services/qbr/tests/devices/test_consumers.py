"""Ninja ``snapshot.completed`` through the real broker and inbox: counted once, the month's latest
snapshot wins, ThreatLocker ignored, internal organisations a setting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from sqlalchemy import text

from hub_shared.events import Event, SnapshotCompleted, dump_event, new_event
from hub_shared.metrics import BUS_CONSUMED
from hub_shared.runtime import ServiceRuntime
from qbr.devices.service import collect_snapshot

from ..conftest import (
    EXPECTED_CLIENTS,
    INTERNAL,
    QbrApp,
    error_of,
    eventually,
    hand_made_fleet,
    ninja_device,
    write_snapshot,
)

NOV_15, NOV_30 = date(2025, 11, 15), date(2025, 11, 30)


def snapshot_event(day: date, vendor: str = "ninja") -> Event:
    return new_event(
        SnapshotCompleted(vendor=vendor, snapshot_date=day, device_count=1), producer=f"collector_{vendor}"
    )


async def publish(runtime: ServiceRuntime, event: Event) -> None:
    assert runtime.bus is not None
    await runtime.bus.publish(
        dump_event(event), routing_key=event.type, message_id=str(event.event_id), event_type=event.type
    )


def consumed(runtime: ServiceRuntime, outcome: str) -> float:
    queue = f"{runtime.settings.amqp_queue_prefix}qbr.snapshots"
    return float(BUS_CONSUMED.labels("qbr", queue, "snapshot.completed", outcome)._value.get())


async def month(qbr: QbrApp, period: str) -> dict:
    response = await qbr.http.get("/api/qbr/metrics/devices-by-client", params={"period": period})  # public
    assert response.status_code == 200, response.text
    data: dict = response.json()["data"]
    return data


async def test_snapshot_events_are_counted_once_and_the_latest_snapshot_of_the_month_wins(
    qbr: QbrApp, bus_runtime: Callable[..., Awaitable[ServiceRuntime]]
) -> None:
    await write_snapshot(qbr.database, NOV_30, hand_made_fleet())
    await write_snapshot(qbr.database, NOV_15, hand_made_fleet()[:6])  # ChillCo's 3 Windows workstations only
    runtime = await bus_runtime()

    async def inbox() -> int:
        rows = await qbr.rows("SELECT count(*) AS n FROM qbr.inbox")
        return int(rows[0]["n"])

    latest = snapshot_event(NOV_30)
    await publish(runtime, latest)
    await eventually(lambda: _at_least(inbox, 1))
    counted = await month(qbr, "2025-11")
    assert counted == {
        "period": "2025-11",
        "data_source": "live",
        "snapshot_date": "2025-11-30",
        "clients": EXPECTED_CLIENTS,
        "total_seats": 6,
        "total_endpoints": 9,
        "organization_id": 1,
    }

    # An older snapshot of the month, announced later, changes nothing.
    await publish(runtime, snapshot_event(NOV_15))
    await eventually(lambda: _at_least(inbox, 2))
    assert await month(qbr, "2025-11") == counted

    # The same event delivered again is a duplicate, even though the snapshot changed meanwhile.
    await write_snapshot(qbr.database, NOV_30, [*hand_made_fleet(), ninja_device(60, 3, "WINDOWS_WORKSTATION")])
    duplicates = consumed(runtime, "duplicate")
    await publish(runtime, latest)
    await eventually(lambda: _true(consumed(runtime, "duplicate") > duplicates))
    assert await month(qbr, "2025-11") == counted and await inbox() == 2

    # A new event for the re-collected date counts it again.
    await publish(runtime, snapshot_event(NOV_30))
    await eventually(lambda: _at_least(inbox, 3))
    recounted = await month(qbr, "2025-11")
    assert recounted["clients"] == [EXPECTED_CLIENTS[0], {"client_name": "NNW Oil", "seats": 3, "endpoints": 4}]
    assert (recounted["total_seats"], recounted["total_endpoints"]) == (7, 10)
    metrics = await qbr.rows(
        "SELECT metric_name, metric_value, vendor_id, data_source FROM qbr.monthly_metrics ORDER BY metric_name"
    )
    assert [(m["metric_name"], int(m["metric_value"]), m["vendor_id"], m["data_source"]) for m in metrics] == [
        ("endpoints_managed", 10, 2, "collected"),
        ("seats_managed", 7, 2, "collected"),
    ]

    # ThreatLocker snapshots are not counted.
    await write_snapshot(qbr.database, date(2025, 12, 31), hand_made_fleet())
    await publish(runtime, snapshot_event(date(2025, 12, 31), vendor="threatlocker"))
    await eventually(lambda: _at_least(inbox, 4))
    error_of(await qbr.http.get("/api/qbr/metrics/devices-by-client", params={"period": "2025-12"}), 404, "NO_DATA")


async def _at_least(counter: Callable[[], Awaitable[int]], expected: int) -> bool:
    return await counter() >= expected


async def _true(value: bool) -> bool:
    return value


async def test_internal_organisations_are_a_setting(qbr: QbrApp, qbr_settings: Callable[..., object]) -> None:
    await write_snapshot(qbr.database, NOV_30, hand_made_fleet())
    for internal, expected in (
        ([], [EXPECTED_CLIENTS[0], EXPECTED_CLIENTS[1], {"client_name": INTERNAL, "seats": 2, "endpoints": 3}]),
        ([f"  {INTERNAL.upper()} ", "NNW Oil"], [EXPECTED_CLIENTS[0]]),  # trimmed, any case
    ):
        settings = qbr_settings(hub_internal_organizations=internal)
        async with qbr.database.transaction() as session:
            result = await collect_snapshot(session, settings, NOV_30)  # type: ignore[arg-type]
        assert result.applied
        assert (await month(qbr, "2025-11"))["clients"] == expected

    # A snapshot whose device rows were pruned is not counted as zero devices.
    async with qbr.database.transaction() as session:
        await session.execute(text("DELETE FROM ninja.snapshot_devices WHERE snapshot_date = :day"), {"day": NOV_30})
        result = await collect_snapshot(session, qbr.settings, NOV_30)
    assert not result.applied and "pruned" in result.reason
    assert (await month(qbr, "2025-11"))["clients"] == [EXPECTED_CLIENTS[0]]
