"""ConnectWise ``ticket_metrics.collected`` through the real broker and inbox: the three metrics stored as
``collected`` with vendor 3, protected from manual overwrite unless forced, and the SmartNumbers that use
them computed from them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from hub_shared.events import Event, TicketMetricsCollected, dump_event, new_event
from hub_shared.runtime import ServiceRuntime

from ..conftest import QbrApp, eventually
from ..smartnumbers.test_formulas import DECEMBER, EXPECTED, NOVEMBER, OCTOBER

TICKET_METRICS = ("reactive_tickets_created", "reactive_tickets_closed", "reactive_time_spent")
USING_TICKETS = (
    "tickets_per_tech_per_month",
    "total_close_pct",
    "tickets_per_endpoint_per_month",
    "rhem",
    "avg_resolution_time",
    "reactive_service_pct",
)
DEFINITION = {
    "boards": ["Help Desk"],
    "parent_only": True,
    "closed_statuses": [">Closed", ">Closed - No response", "Closed"],
    "time_entry_date": "timeStart",
}
QUARTER = {date(2025, 10, 1): OCTOBER, date(2025, 11, 1): NOVEMBER, date(2025, 12, 1): DECEMBER}


def ticket_event(period: date, created: int, closed: int, hours: Decimal) -> Event:
    return new_event(
        TicketMetricsCollected(
            period=period,
            reactive_tickets_created=created,
            reactive_tickets_closed=closed,
            reactive_time_spent=hours,
            window_start=datetime(period.year, period.month, 1, 5, tzinfo=UTC),
            window_end=datetime(period.year, period.month, 28, 5, tzinfo=UTC),
            definition=DEFINITION,
            job_id="cw_12345678",
        ),
        producer="collector_connectwise",
    )


def month_event(period: date) -> Event:
    month = QUARTER[period]
    return ticket_event(
        period,
        int(month["reactive_tickets_created"]),
        int(month["reactive_tickets_closed"]),
        month["reactive_time_spent"],
    )


async def publish(runtime: ServiceRuntime, event: Event) -> None:
    assert runtime.bus is not None
    await runtime.bus.publish(
        dump_event(event), routing_key=event.type, message_id=str(event.event_id), event_type=event.type
    )


async def inbox(qbr: QbrApp) -> int:
    return int((await qbr.rows("SELECT count(*) AS n FROM qbr.inbox"))[0]["n"])


async def wait_inbox(qbr: QbrApp, count: int) -> None:
    async def reached() -> bool:
        return await inbox(qbr) >= count

    await eventually(reached)


async def smartnumbers(qbr: QbrApp) -> dict[str, float | None]:
    body = (await qbr.get("/api/qbr/smartnumbers", period="2025-Q4")).json()
    numbers: dict[str, float | None] = body["data"]["smartnumbers"]
    return numbers


async def test_collected_ticket_metrics_feed_the_smartnumbers_and_are_protected(
    qbr: QbrApp, bus_runtime: Callable[..., Awaitable[ServiceRuntime]]
) -> None:
    # Everything of the quarter but the ConnectWise figures, entered by hand.
    for period, month in QUARTER.items():
        manual = {name: float(value) for name, value in month.items() if name not in TICKET_METRICS}
        assert (await qbr.manual(period.strftime("%Y-%m"), manual)).status_code == 200
    before = await smartnumbers(qbr)
    assert all(before[name] is None for name in USING_TICKETS)

    runtime = await bus_runtime()
    events = [month_event(period) for period in QUARTER]
    for event in events:
        await publish(runtime, event)
    await wait_inbox(qbr, 3)

    monthly = (await qbr.get("/api/qbr/metrics/monthly", period="2025-11", vendor_id=3)).json()["data"]["metrics"]
    assert sorted((m["metric_name"], m["metric_value"], m["vendor_id"], m["data_source"]) for m in monthly) == [
        ("reactive_tickets_closed", 145.0, 3, "collected"),
        ("reactive_tickets_created", 150.0, 3, "collected"),
        ("reactive_time_spent", 75.25, 3, "collected"),
    ]
    created = next(m for m in monthly if m["metric_name"] == "reactive_tickets_created")
    assert created["notes"].startswith("Help Desk board, parent tickets only (ConnectWise, ")
    after = await smartnumbers(qbr)
    assert after == {name: float(value) for name, value in EXPECTED.items()}  # the hand-computed quarter
    assert all(after[name] != before[name] for name in USING_TICKETS)

    # A manual value does not replace a collected one unless forced.
    protected = await qbr.manual("2025-11", {"reactive_tickets_created": 1})
    assert protected.status_code == 409 and protected.json()["protected_metrics"] == ["reactive_tickets_created"]
    assert await smartnumbers(qbr) == after
    forced = await qbr.manual("2025-11", {"reactive_tickets_created": 300}, force_update=True)
    assert forced.json()["data"]["updated_count"] == 1
    # Collected again (a new event): the forced value stays, the other two follow the collector.
    await publish(runtime, ticket_event(date(2025, 11, 1), 151, 146, Decimal("76.00")))
    await wait_inbox(qbr, 4)
    rows = await qbr.rows(
        "SELECT metric_name, metric_value, data_source, vendor_id FROM qbr.monthly_metrics "
        "WHERE period = '2025-11-01' AND metric_name LIKE 'reactive%' ORDER BY metric_name"
    )
    assert [(r["metric_name"], Decimal(r["metric_value"]), r["data_source"], r["vendor_id"]) for r in rows] == [
        ("reactive_tickets_closed", Decimal(146), "collected", 3),
        ("reactive_tickets_created", Decimal(300), "manual", 3),
        ("reactive_time_spent", Decimal("76.00"), "collected", 3),
    ]

    # The same event delivered again changes nothing.
    await publish(runtime, events[0])
    await publish(runtime, ticket_event(date(2025, 12, 1), 1, 1, Decimal(1)))
    await wait_inbox(qbr, 5)
    assert await inbox(qbr) == 5
    october = (await qbr.get("/api/qbr/metrics/monthly", period="2025-10", vendor_id=3)).json()["data"]["metrics"]
    assert {m["metric_name"]: m["metric_value"] for m in october} == {
        "reactive_time_spent": 80.5,
        "reactive_tickets_closed": 130.0,
        "reactive_tickets_created": 140.0,
    }
