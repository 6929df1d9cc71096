"""The ConnectWise collector against the simulated PSA: the three figures equal the simulator's truth
(DST boundaries, child tickets, other boards, time charged elsewhere), retries, and failed months."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from collector_connectwise.client import ConnectWiseClient
from collector_connectwise.definition import SPEC
from collector_connectwise.mapping import Month, months_between
from collector_connectwise.service import RunResult, collect_months
from collector_connectwise.settings import ConnectWiseCollectorSettings
from hub_shared.db import Database
from hub_shared.runtime import ServiceRuntime
from vendor_sim.connectwise import Definition, collector_settings, help_desk_of, is_reactive, month_window, parse_iso

REFERENCE = date(2025, 12, 15)
ZONE = "America/Chicago"


@pytest.fixture
def cw_settings(service_settings: Callable[..., Any]) -> Callable[..., ConnectWiseCollectorSettings]:
    def build(sim: Any, **overrides: Any) -> ConnectWiseCollectorSettings:
        settings = service_settings(SPEC, **{**collector_settings(sim.url, sim.sim.config), **overrides})
        assert isinstance(settings, ConnectWiseCollectorSettings)
        return settings

    return build


def truth(sim: Any, *months: str, **definition: str) -> dict[str, dict[str, Any]]:
    body = httpx.get(f"{sim.url}/_sim/truth/connectwise", params={"month": list(months), **definition}).json()
    return {item["month"]: item for item in body["months"]}


async def collect(database: Database, settings: ConnectWiseCollectorSettings, months: list[Month]) -> RunResult:
    runtime = ServiceRuntime(SPEC, settings, run_worker=False)
    try:
        async with ConnectWiseClient(settings) as client:
            return await collect_months(
                runtime.database.transaction,
                runtime.tables,
                client,
                settings,
                months,
                None,
                job_id="cw_test",
                batch_id=None,
            )
    finally:
        await runtime.stop()


async def stored(database: Database) -> dict[str, tuple[int, int, Decimal]]:
    async with database.transaction() as session:
        rows = await session.execute(
            text(
                "SELECT to_char(period, 'YYYY-MM') AS month, reactive_tickets_created, reactive_tickets_closed, "
                "reactive_time_spent FROM connectwise.monthly_snapshots_v1 ORDER BY period"
            )
        )
        return {row[0]: (row[1], row[2], row[3]) for row in rows}


def expected(item: dict[str, Any]) -> tuple[int, int, Decimal]:
    return (
        item["reactive_tickets_created"],
        item["reactive_tickets_closed"],
        Decimal(str(item["reactive_time_spent"])).quantize(Decimal("0.01")),
    )


async def test_figures_equal_the_simulators_truth_across_dst_boundaries(vendor_sim, database, cw_settings) -> None:
    months = ["2025-02", "2025-03", "2025-04", "2025-10", "2025-11"]  # DST starts 9 March, ends 2 November
    with vendor_sim(devices=60, seed=11, reference_date=REFERENCE) as sim:
        settings = cw_settings(sim, connectwise_id_batch_size=40, connectwise_page_size=200)
        result = await collect(database, settings, [Month.parse(m) for m in months])
        assert result.ok, result.failed
        want = truth(sim, *months)
        # The boundaries matter: a fixed UTC-6 offset (no DST) puts planted tickets in other months.
        fixed = truth(sim, "2025-04", "2025-11", timezone="Etc/GMT+6")
        requests = sim.stats()["requests"]
        desk = help_desk_of(sim.sim)
    got = await stored(database)
    assert got == {month: expected(want[month]) for month in months}
    assert any(expected(fixed[m]) != expected(want[m]) for m in ("2025-04", "2025-11"))
    assert requests["cw.tickets_count"] == 2 * len(months)  # counts come from /count, never from listing
    assert requests["cw.companyinfo"] == 1  # the codebase, looked up once

    # The months hold what must not count: child tickets, other boards, and time charged to project
    # tickets whose ids are reactive ticket ids.
    start, end = month_window("2025-03", __import__("zoneinfo").ZoneInfo(ZONE))
    march = [t for t in desk.tickets if start <= parse_iso(t["dateEntered"]) < end]
    definition = Definition()
    assert any(t["parentTicketId"] is not None and t["board"]["name"] == "Help Desk" for t in march)
    assert any(t["board"]["name"] != "Help Desk" for t in march)
    reactive_ids = {t["id"] for t in desk.tickets if is_reactive(t, definition)}
    assert any(e["chargeToType"] == "ProjectTicket" and e["chargeToId"] in reactive_ids for e in desk.time_entries)
    assert want["2025-03"]["reactive_tickets_created"] < len(march)


async def test_the_definition_is_configurable(vendor_sim, database, cw_settings) -> None:
    with vendor_sim(devices=60, seed=11, reference_date=REFERENCE) as sim:
        settings = cw_settings(
            sim,
            connectwise_boards="Help Desk, Alerts",
            connectwise_parent_only=False,
            connectwise_closed_statuses=">Closed,Resolved",
            connectwise_time_entry_date="dateEntered",
        )
        assert (await collect(database, settings, [Month.parse("2025-06")])).ok
        want = truth(
            sim,
            "2025-06",
            boards="Help Desk,Alerts",
            parent_only="false",
            closed_statuses=">Closed,Resolved",
            time_entry_date="dateEntered",
        )
        default = truth(sim, "2025-06")
    assert (await stored(database))["2025-06"] == expected(want["2025-06"]) != expected(default["2025-06"])
    async with database.transaction() as session:
        definition = (await session.execute(text("SELECT definition FROM connectwise.monthly_snapshots"))).scalar_one()
    assert definition == {
        "boards": ["Help Desk", "Alerts"],
        "parent_only": False,
        "closed_statuses": [">Closed", "Resolved"],
        "time_entry_date": "dateEntered",
    }


async def test_a_429_storm_and_a_5xx_mid_paging_are_survived(vendor_sim, database, cw_settings) -> None:
    months = ["2025-01", "2025-02"]
    with vendor_sim(devices=60, seed=12, reference_date=REFERENCE) as sim:
        # Retry-After: 0 is honoured; the exponential back-off (60 s base) would outlast the test's timeout.
        sim.faults({"kind": "rate_limit", "target": "cw", "count": 8, "retry_after": 0})
        storm = cw_settings(
            sim, connectwise_retry_attempts=10, connectwise_retry_base_seconds=60, connectwise_retry_max_seconds=600
        )
        stormy = await collect(database, storm, [Month.parse(m) for m in months])
        limited = sim.stats()["faults_fired"]
        # Page 2 of the time entries fails twice with 503, then answers.
        sim.faults({"kind": "server_error", "target": "cw.time_entries", "page": 2, "count": 2, "status": 503})
        paging = cw_settings(sim, connectwise_page_size=40, connectwise_retry_attempts=4)
        failing = await collect(database, paging, [Month.parse(m) for m in months])
        stats = sim.stats()
        want = truth(sim, *months)
    assert stormy.ok and failing.ok, (stormy.failed, failing.failed)
    assert limited == {"rate_limit": 8}
    assert stats["responses"]["cw.time_entries"]["503"] == 2
    assert await stored(database) == {m: expected(want[m]) for m in months}


async def test_other_4xx_are_not_retried(vendor_sim, database, cw_settings) -> None:
    with vendor_sim(devices=60, seed=12, reference_date=REFERENCE) as sim:
        settings = cw_settings(sim, connectwise_private_key="wrong", connectwise_codebase="v4_6_release")
        result = await collect(database, settings, [Month.parse("2025-01")])
        stats = sim.stats()
    assert "refused (HTTP 401" in result.failed["2025-01"] and "x-cw-request-id" in result.failed["2025-01"]
    assert stats["responses"]["cw.tickets_count"] == {"401": 1}


async def test_a_failed_month_keeps_its_previous_figures(vendor_sim, database, cw_settings) -> None:
    with vendor_sim(devices=60, seed=13, reference_date=REFERENCE) as sim:
        settings = cw_settings(sim, connectwise_retry_attempts=2)
        months = [Month.parse("2025-05"), Month.parse("2025-06")]
        assert (await collect(database, settings, months)).ok
        before = await stored(database)
        async with database.transaction() as session:
            events = (await session.execute(text("SELECT count(*) FROM connectwise.outbox"))).scalar_one()
        # June's time entries fail on every attempt: June keeps its figures, May is collected again.
        sim.faults({"kind": "server_error", "target": "cw.time_entries", "status": 502})
        result = await collect(database, settings, months)
        assert not result.ok and list(result.failed) == ["2025-05", "2025-06"]
        sim.faults({"kind": "server_error", "target": "cw.time_entries", "status": 502, "count": 2})
        partial = await collect(database, settings, months)
    assert list(partial.failed) == ["2025-05"] and [f.month.label for f in partial.collected] == ["2025-06"]
    assert await stored(database) == before
    async with database.transaction() as session:
        after = (await session.execute(text("SELECT count(*) FROM connectwise.outbox"))).scalar_one()
    assert after == events + 1  # only June's second collection was announced


def test_month_windows_are_half_open_in_the_hub_zone() -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(ZONE)
    march, april = Month.parse("2025-03").window(zone), Month.parse("2025-04").window(zone)
    assert [moment.isoformat() for moment in (*march, *april)] == [
        "2025-03-01T06:00:00+00:00",
        "2025-04-01T05:00:00+00:00",
        "2025-04-01T05:00:00+00:00",
        "2025-05-01T05:00:00+00:00",
    ]
    assert [m.label for m in months_between(Month.parse("2024-11"), Month.parse("2025-02"))] == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
