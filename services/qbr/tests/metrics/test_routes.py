"""Monthly and quarterly metrics and manual entry through the routes: envelopes, filters, scoping,
validation codes, protection of collected values, who entered what, and the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..conftest import ALICE, QbrApp, collect, error_of, hand_made_fleet, ninja_device, signed, write_snapshot

NOV_30 = date(2025, 11, 30)


async def test_monthly_latest_month_filters_and_errors(qbr: QbrApp) -> None:
    error_of(await qbr.get("/api/qbr/metrics/monthly"), 404, "NO_DATA")
    assert (await qbr.manual("2025-10", {"employees": 8, "mrr": 109000})).status_code == 200
    answer = await qbr.manual("2025-11", {"employees": 8.5, "mrr": 110250.5, "reactive_tickets_created": 142})
    assert answer.json() == {"success": True, "data": {"period": "2025-11", "organization_id": 1, "updated_count": 3}}
    await write_snapshot(qbr.database, NOV_30, hand_made_fleet())
    await collect(qbr, NOV_30)

    body = (await qbr.get("/api/qbr/metrics/monthly")).json()
    assert body["success"] is True
    data = body["data"]
    assert (data["period"], data["organization_id"]) == ("2025-11", 1)
    # Vendor 2 (NinjaOne) first, then 3 (ConnectWise), company-wide last; by name within a vendor.
    assert [(m["metric_name"], m["metric_value"], m["vendor_id"], m["data_source"]) for m in data["metrics"]] == [
        ("endpoints_managed", 9.0, 2, "collected"),
        ("seats_managed", 6.0, 2, "collected"),
        ("reactive_tickets_created", 142.0, 3, "manual"),
        ("employees", 8.5, None, "manual"),
        ("mrr", 110250.5, None, "manual"),
    ]
    by_name = {m["metric_name"]: m for m in data["metrics"]}
    assert by_name["employees"]["updated_by"] == ALICE and by_name["seats_managed"]["updated_by"] == "collector:ninja"
    assert by_name["seats_managed"]["notes"].endswith("(Ninja 2025-11-30)")
    assert all(m["updated_at"].endswith("Z") for m in data["metrics"])

    async def names(**params: Any) -> list[str]:
        response = await qbr.get("/api/qbr/metrics/monthly", **params)
        assert response.status_code == 200, response.text
        return [m["metric_name"] for m in response.json()["data"]["metrics"]]

    assert await names(period="2025-11", vendor_id="2") == ["endpoints_managed", "seats_managed"]
    assert await names(period="2025-11", vendor_id="0") == await names(period="2025-11")  # 0 = any vendor
    assert await names(period="2025-11", metric_name="employees") == ["employees"]
    assert await names(period="2025-11", data_source="collected") == ["endpoints_managed", "seats_managed"]
    # The replaced system's other two values: best = one row per metric (every month is), quickbooks = none.
    assert await names(period="2025-11", data_source="best") == await names(period="2025-11")
    assert await names(period="2025-11", data_source="QuickBooks") == []
    best = (await qbr.get("/api/qbr/metrics/monthly", period="2025-11", data_source="best")).json()["data"]
    assert best["data_source_filter"] == "best"
    assert await names(period="2025-11", vendor_id="3", metric_name="employees") == []  # a filter may empty it
    assert await names(period="2025-10") == ["employees", "mrr"]

    error_of(await qbr.get("/api/qbr/metrics/monthly", period="2025-09"), 404, "NO_DATA")
    for bad in ("2025-13", "2025-1", "2025-Q4", "November"):
        error_of(await qbr.get("/api/qbr/metrics/monthly", period=bad), 400, "INVALID_PERIOD")
    for name, value in (("organization_id", "abc"), ("organization_id", "0"), ("vendor_id", "-2")):
        error_of(await qbr.get("/api/qbr/metrics/monthly", **{name: value}), 400, "INVALID_PARAMETER")
    error_of(await qbr.get("/api/qbr/metrics/monthly", metric_name="bogus"), 400, "INVALID_METRIC")
    refused = error_of(await qbr.get("/api/qbr/metrics/monthly", data_source="csv"), 400, "INVALID_DATA_SOURCE")
    assert refused["error"]["message"] == "data_source must be one of: quickbooks, manual, collected, best"
    # organization_id scopes everything: organisation 2 has nothing.
    error_of(await qbr.get("/api/qbr/metrics/monthly", organization_id="2"), 404, "NO_DATA")
    error_of(await qbr.get("/api/qbr/metrics/monthly", period="2025-11", organization_id="2"), 404, "NO_DATA")

    # Protected: no gateway-signed caller → 401; a token without the QBR scope → 403; a forged header → 401.
    error_of(await qbr.http.get("/api/qbr/metrics/monthly"), 401, "UNAUTHORIZED")
    narrow = signed(qbr.settings, "token:scanner", scopes=("tenantsweep:read",))
    error_of(await qbr.http.get("/api/qbr/metrics/monthly", headers=narrow), 403, "FORBIDDEN")
    forged = {"x-hub-identity": signed(qbr.settings)["x-hub-identity"][:-2] + "xx"}
    error_of(await qbr.http.get("/api/qbr/metrics/monthly", headers=forged), 401, "UNAUTHORIZED")


async def test_quarterly_sums_and_averages_exactly(qbr: QbrApp) -> None:
    error_of(await qbr.get("/api/qbr/metrics/quarterly"), 404, "NO_DATA")
    october = {"reactive_tickets_created": 140, "reactive_time_spent": 80.5, "employees": 8, "mrr": 109000.25}
    november = {"reactive_tickets_created": 150, "reactive_time_spent": 75.25, "mrr": 110250.5, "agreements": 37}
    december = {"reactive_tickets_created": 136, "reactive_time_spent": 80.5, "employees": 9, "mrr": 111000,
                "agreements": 38, "technical_employees": 5.5}  # fmt: skip
    for period, values in (("2025-10", october), ("2025-11", november), ("2025-12", december)):
        assert (await qbr.manual(period, values)).status_code == 200
    # Another organisation's figures and another quarter's must not leak in.
    assert (await qbr.manual("2025-11", {"employees": 99}, organization_id=2)).status_code == 200
    assert (await qbr.manual("2025-09", {"employees": 50, "mrr": 1})).status_code == 200

    body = (await qbr.get("/api/qbr/metrics/quarterly", period="2025-Q4")).json()
    data = body["data"]
    assert body["success"] is True
    assert data["period"] == "2025-Q4" and data["organization_id"] == 1
    assert data["monthly_periods"] == ["2025-10", "2025-11", "2025-12"]
    assert data["metrics"] == {
        "reactive_tickets_created": 426.0,  # 140 + 150 + 136
        "reactive_time_spent": 236.25,  # 80.5 + 75.25 + 80.5
        "employees": 8.5,  # (8 + 9) / 2: November has no value, so it does not count
        "technical_employees": 5.5,  # December only
        "agreements": 37.5,  # (37 + 38) / 2
        "mrr": 330250.75,  # 109,000.25 + 110,250.50 + 111,000
    }
    details = {item["metric_name"]: item for item in data["metric_details"]}
    assert (details["employees"]["aggregation"], details["employees"]["months_with_data"]) == ("average", 2)
    assert (details["mrr"]["aggregation"], details["mrr"]["months_with_data"]) == ("sum", 3)

    # No period: the quarter of the latest month; a repeating average is shown to 4 places.
    assert (await qbr.manual("2026-01", {"employees": 8})).status_code == 200
    assert (await qbr.manual("2026-02", {"employees": 8})).status_code == 200
    assert (await qbr.manual("2026-03", {"employees": 9})).status_code == 200
    latest = (await qbr.get("/api/qbr/metrics/quarterly")).json()["data"]
    assert latest["period"] == "2026-Q1" and latest["metrics"] == {"employees": 8.3333}  # 25 / 3

    q2 = (await qbr.get("/api/qbr/metrics/quarterly", period="2025-Q4", organization_id="2")).json()["data"]
    assert q2["metrics"] == {"employees": 99.0} and q2["months_with_data"] == ["2025-11"]
    error_of(await qbr.get("/api/qbr/metrics/quarterly", period="2025-Q2"), 404, "NO_DATA")
    for bad in ("2025-11", "2025-Q5", "2025-q4", "Q4-2025"):
        error_of(await qbr.get("/api/qbr/metrics/quarterly", period=bad), 400, "INVALID_PERIOD")


async def test_manual_entry_validation_writes_nothing(qbr: QbrApp) -> None:
    url = "/api/qbr/metrics/manual"
    good = {"metric_name": "employees", "metric_value": 8}
    cases: list[tuple[Any, int, str]] = [
        ({}, 400, "MISSING_DATA"),
        ({"metrics": [good]}, 400, "MISSING_DATA"),
        ({"period": "2025-11"}, 400, "MISSING_DATA"),
        ({"period": "", "metrics": [good]}, 400, "MISSING_DATA"),
        ({"period": "2025-11", "metrics": []}, 400, "MISSING_DATA"),
        ({"period": "2025-11", "metrics": [{"metric_value": 8}]}, 400, "MISSING_DATA"),
        ({"period": "2025-11", "metrics": [{"metric_name": "employees"}]}, 400, "MISSING_DATA"),
        ({"period": "2025-13", "metrics": [good]}, 400, "INVALID_PERIOD"),
        ({"period": "2025-Q4", "metrics": [good]}, 400, "INVALID_PERIOD"),
        ({"period": 202511, "metrics": [good]}, 400, "INVALID_PERIOD"),
        ({"period": "2025-11", "metrics": good}, 400, "INVALID_DATA"),
        ({"period": "2025-11", "metrics": [{"metric_name": "employees", "metric_value": "8"}]}, 400, "INVALID_DATA"),
        ({"period": "2025-11", "metrics": [{"metric_name": "employees", "metric_value": True}]}, 400, "INVALID_DATA"),
        ({"period": "2025-11", "metrics": [{"metric_name": "employees", "metric_value": -1}]}, 400, "INVALID_DATA"),
        ({"period": "2025-11", "metrics": [good, good]}, 400, "INVALID_DATA"),
        ({"period": "2025-11", "metrics": [good], "force_update": "yes"}, 400, "INVALID_DATA"),
        ({"period": "2025-11", "metrics": [good], "organization_id": "one"}, 400, "INVALID_DATA"),
        ({"period": "2025-11", "metrics": [{**good, "vendor_id": 0}]}, 400, "INVALID_DATA"),
        ({"period": "2025-11", "metrics": [{"metric_name": "employes", "metric_value": 8}]}, 400, "INVALID_METRIC"),
        ([good], 400, "MISSING_DATA"),
    ]
    for body, status, code in cases:
        error_of(await qbr.post(url, body), status, code)
    error_of(await qbr.http.post(url, content=b"{not json", headers=qbr.alice), 400, "INVALID_DATA")
    error_of(await qbr.http.post(url, content=b"", headers=qbr.alice), 400, "MISSING_DATA")
    error_of(await qbr.http.post(url, json={"period": "2025-11", "metrics": [good]}), 401, "UNAUTHORIZED")
    read_only = signed(qbr.settings, "token:dashboard", scopes=("qbr:read",))
    error_of(await qbr.post(url, {"period": "2025-11", "metrics": [good]}, headers=read_only), 403, "FORBIDDEN")
    assert await qbr.rows("SELECT * FROM qbr.monthly_metrics") == []
    assert await qbr.rows("SELECT * FROM qbr.audit_log") == []
    # Money may be negative (a loss), and an explicit null vendor stays null.
    loss = {"metric_name": "net_profit", "metric_value": -1250.5, "vendor_id": None, "notes": " Q4 loss "}
    fine = await qbr.post(url, {"period": "2025-11", "metrics": [loss]})
    assert fine.status_code == 200, fine.text
    [row] = await qbr.rows("SELECT metric_value, vendor_id, notes FROM qbr.monthly_metrics")
    assert (str(row["metric_value"]), row["vendor_id"], row["notes"]) == ("-1250.5", None, "Q4 loss")


async def test_manual_entry_does_not_overwrite_collected_metrics_without_force(qbr: QbrApp) -> None:
    await write_snapshot(qbr.database, NOV_30, hand_made_fleet())
    await collect(qbr, NOV_30)

    refused = await qbr.manual("2025-11", {"endpoints_managed": 600, "employees": 9})
    body = error_of(refused, 409, "PROTECTED_METRIC")
    assert body["protected_metrics"] == ["endpoints_managed"] and "force_update" in body["error"]["message"]
    stored = await qbr.rows("SELECT metric_name, metric_value, data_source FROM qbr.monthly_metrics ORDER BY 1")
    assert [(r["metric_name"], int(r["metric_value"]), r["data_source"]) for r in stored] == [
        ("endpoints_managed", 9, "collected"),
        ("seats_managed", 6, "collected"),
    ]  # nothing of the refused request was written, not even employees

    forced = await qbr.manual("2025-11", {"endpoints_managed": 600, "employees": 9}, force_update=True)
    assert forced.json()["data"]["updated_count"] == 2
    monthly = (await qbr.get("/api/qbr/metrics/monthly", period="2025-11")).json()["data"]["metrics"]
    by_name = {m["metric_name"]: m for m in monthly}
    assert len(monthly) == 3  # one row per metric: the manual value replaced the collected one
    assert (by_name["endpoints_managed"]["metric_value"], by_name["endpoints_managed"]["data_source"]) == (
        600.0,
        "manual",
    )
    assert by_name["endpoints_managed"]["vendor_id"] == 2 and by_name["endpoints_managed"]["updated_by"] == ALICE

    audit = await qbr.rows("SELECT * FROM qbr.audit_log ORDER BY subject")
    assert [(a["action"], a["actor"], a["actor_source"], a["subject"]) for a in audit] == [
        ("metric.manual", ALICE, "identity", "employees"),
        ("metric.manual", ALICE, "identity", "endpoints_managed"),
    ]
    assert audit[1]["old_value"]["data_source"] == "collected" and audit[1]["old_value"]["metric_value"] == 9
    assert audit[1]["new_value"] == {"metric_value": 600, "vendor_id": 2, "data_source": "manual", "notes": None}
    assert audit[1]["details"] == {"force_update": True, "forced": True} and audit[0]["old_value"] is None
    assert audit[1]["period"] == date(2025, 11, 1)

    # A later snapshot of the month updates what was collected, but keeps the deliberate override.
    await write_snapshot(qbr.database, NOV_30, [*hand_made_fleet(), ninja_device(60, 3, "WINDOWS_WORKSTATION")])
    await collect(qbr, NOV_30)
    monthly = (await qbr.get("/api/qbr/metrics/monthly", period="2025-11")).json()["data"]["metrics"]
    values = {m["metric_name"]: (m["metric_value"], m["data_source"]) for m in monthly}
    assert values == {
        "endpoints_managed": (600.0, "manual"),
        "seats_managed": (7.0, "collected"),
        "employees": (9.0, "manual"),
    }
    # Updating a manual value changes that row (no duplicate) and audits old → new.
    assert (await qbr.manual("2025-11", {"employees": 9.5})).status_code == 200
    rows = await qbr.rows("SELECT metric_value FROM qbr.monthly_metrics WHERE metric_name = 'employees'")
    assert [float(r["metric_value"]) for r in rows] == [9.5]
    [last] = await qbr.rows("SELECT * FROM qbr.audit_log WHERE subject = 'employees' ORDER BY id DESC LIMIT 1")
    assert (last["old_value"]["metric_value"], last["new_value"]["metric_value"]) == (9, 9.5)

    # A month not collected yet takes a manual value; its collection later replaces it (not forced).
    assert (await qbr.manual("2025-12", {"seats_managed": 5})).status_code == 200
    await write_snapshot(qbr.database, date(2025, 12, 31), hand_made_fleet())
    await collect(qbr, date(2025, 12, 31))
    december = (await qbr.get("/api/qbr/metrics/monthly", period="2025-12")).json()["data"]["metrics"]
    assert {m["metric_name"]: (m["metric_value"], m["data_source"]) for m in december} == {
        "endpoints_managed": (9.0, "collected"),
        "seats_managed": (6.0, "collected"),
    }


async def test_quarterly_reproduces_the_spec_example(qbr: QbrApp) -> None:
    """``spec/qbr-api.md`` §2's example response, from three months whose sums and means are its figures."""
    months = {
        "2025-10": {"reactive_tickets_created": 140, "reactive_tickets_closed": 130, "reactive_time_spent": 80.5,
                    "endpoints_managed": 570, "seats_managed": 515, "employees": 8, "technical_employees": 5},
        "2025-11": {"reactive_tickets_created": 150, "reactive_tickets_closed": 145, "reactive_time_spent": 75.25,
                    "endpoints_managed": 574, "seats_managed": 519, "employees": 9, "technical_employees": 6},
        "2025-12": {"reactive_tickets_created": 136, "reactive_tickets_closed": 133, "reactive_time_spent": 80.5,
                    "endpoints_managed": 578, "seats_managed": 523, "employees": 8.5, "technical_employees": 5.5},
    }  # fmt: skip
    for period, values in months.items():
        assert (await qbr.manual(period, values)).status_code == 200
    response = await qbr.get("/api/qbr/metrics/quarterly", period="2025-Q4", organization_id="1")
    data = response.json()["data"]
    assert response.json()["success"] is True
    assert {key: data[key] for key in ("period", "organization_id", "monthly_periods", "metrics")} == {
        "period": "2025-Q4",
        "organization_id": 1,
        "monthly_periods": ["2025-10", "2025-11", "2025-12"],
        "metrics": {
            "reactive_tickets_created": 426.0,
            "reactive_tickets_closed": 408.0,
            "reactive_time_spent": 236.25,
            "endpoints_managed": 574.0,
            "seats_managed": 519.0,
            "employees": 8.5,
            "technical_employees": 5.5,
        },
    }
    assert all(isinstance(value, float) for value in data["metrics"].values())  # 574.0, not 574
