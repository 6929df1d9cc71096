"""``GET /api/qbr/smartnumbers``: the hand-computed quarter through the routes, with threshold statuses."""

from __future__ import annotations

from typing import Any

from ..conftest import QbrApp, error_of
from .test_formulas import DECEMBER, EXPECTED, NOVEMBER, OCTOBER

THRESHOLDS = [
    # value 24.73: below the 40–80 tolerable range → red
    {"metric_name": "tickets_per_tech_per_month", "green_min": 50, "green_max": 70, "yellow_min": 40,
     "yellow_max": 80, "red_threshold": 90, "notes": "Target range based on industry standards"},
    {"metric_name": "total_close_pct", "green_min": 0.95, "yellow_min": 0.9},  # 0.9577 → green
    {"metric_name": "rhem", "green_max": 0.1, "yellow_max": 0.2},  # 0.1372, lower is better → yellow
    {"metric_name": "net_profit_pct", "green_min": 0.15, "red_threshold": 0.05},  # 0.0984 → yellow
    {"metric_name": "dials_per_appointment", "green_max": 50, "red_threshold": 70},  # 75 → red
    {"metric_name": "avg_aisp", "green_min": 200},  # 212.11 → green
]  # fmt: skip


async def seed_quarter(qbr: QbrApp) -> None:
    for period, month in (("2025-10", OCTOBER), ("2025-11", NOVEMBER), ("2025-12", DECEMBER)):
        response = await qbr.manual(period, {name: float(value) for name, value in month.items()})
        assert response.status_code == 200, response.text


async def test_smartnumbers_of_a_quarter_with_statuses(qbr: QbrApp) -> None:
    error_of(await qbr.get("/api/qbr/smartnumbers"), 400, "MISSING_PERIOD")
    error_of(await qbr.get("/api/qbr/smartnumbers", period=""), 400, "MISSING_PERIOD")
    for bad in ("2025-11", "2025-Q0", "2025-Q4x"):
        error_of(await qbr.get("/api/qbr/smartnumbers", period=bad), 400, "INVALID_PERIOD")
    error_of(await qbr.get("/api/qbr/smartnumbers", period="2025-Q4"), 404, "NO_DATA")

    await seed_quarter(qbr)
    saved = await qbr.post("/api/qbr/thresholds", {"thresholds": THRESHOLDS})
    assert saved.json() == {"success": True, "data": {"organization_id": 1, "updated_count": 6}}

    body = (await qbr.get("/api/qbr/smartnumbers", period="2025-Q4")).json()
    assert body["success"] is True
    data = body["data"]
    assert (data["period"], data["organization_id"]) == ("2025-Q4", 1)
    assert data["monthly_periods"] == ["2025-10", "2025-11", "2025-12"]
    assert data["smartnumbers"] == {name: float(value) for name, value in EXPECTED.items()}
    assert list(data["smartnumbers"]) == list(EXPECTED)  # the spec's order
    assert data["smart_numbers"] == data["smartnumbers"]  # the inventory spec's spelling, same values
    expected_status: dict[str, Any] = dict.fromkeys(EXPECTED)
    expected_status.update(
        tickets_per_tech_per_month="red",
        total_close_pct="green",
        rhem="yellow",
        net_profit_pct="yellow",
        dials_per_appointment="red",
        avg_aisp="green",
    )
    assert data["statuses"] == expected_status
    assert data["thresholds"]["rhem"] == {
        "green_min": None,
        "green_max": 0.1,
        "yellow_min": None,
        "yellow_max": 0.2,
        "red_threshold": None,
        "status": "yellow",
    }
    assert set(data["thresholds"]) == {item["metric_name"] for item in THRESHOLDS}

    # Another organisation has neither these metrics nor these thresholds.
    error_of(await qbr.get("/api/qbr/smartnumbers", period="2025-Q4", organization_id="2"), 404, "NO_DATA")


async def test_a_partial_quarter_gives_nulls_where_inputs_are_missing(qbr: QbrApp) -> None:
    # Only tickets and hours in one month: the rest of the SmartNumbers cannot be computed.
    answer = await qbr.manual("2026-02", {"reactive_tickets_created": 10, "reactive_tickets_closed": 8,
                                          "reactive_time_spent": 6, "technical_employees": 0})  # fmt: skip
    assert answer.status_code == 200
    data = (await qbr.get("/api/qbr/smartnumbers", period="2026-Q1")).json()["data"]
    assert data["months_with_data"] == ["2026-02"]
    computed = {name: value for name, value in data["smartnumbers"].items() if value is not None}
    assert computed == {"total_close_pct": 0.8, "avg_resolution_time": 0.75}  # 8 / 10, 6 / 8
    assert len(data["smartnumbers"]) == 18 and data["thresholds"] == {}
