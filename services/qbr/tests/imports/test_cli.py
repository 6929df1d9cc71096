"""``python -m qbr import-clients`` and ``import-metrics``: CSV and XLSX, line-numbered rejects, dry runs,
the imported history served by ``devices-by-client``, protection of collected metrics, the audit trail."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from ..conftest import QbrApp, collect, error_of, hand_made_fleet, run_cli, write_snapshot

CLIENTS_WITH_ERRORS = """Period,Client Name,Seats,Endpoints
2025-09,ChillCo Inc.,92,101
2025-09,NNW Oil,45,45
2025-10,ChillCo Inc.,95,104
2025-10,"New Orleans Culinary & Hospitality Instit",54,54

2025-10,NNW Oil,abc,45
2025-13,Foo Corp,1,1
2025-10,chillco inc.,1,2
2025-10,Big Seats,10,5
2025-10,,3,3
"""
EXPECTED_REJECTS = [
    "  line 7: seats must be a whole number ≥ 0 (got 'abc')",
    "  line 8: period must be YYYY-MM (got '2025-13')",
    "  line 9: 2025-10 'chillco inc.' is already on line 4",
    "  line 10: seats (10) cannot exceed endpoints (5): seats are billable workstations, a subset of the billable "
    "endpoints",
    "  line 11: client_name is required",
]


async def devices(qbr: QbrApp, **params: str) -> dict[str, Any]:
    response = await qbr.http.get("/api/qbr/metrics/devices-by-client", params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_import_clients_csv_rejects_bad_rows_dry_runs_then_serves_the_history(
    qbr: QbrApp, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "enercare.csv"
    bad.write_text(CLIENTS_WITH_ERRORS, encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    for flags in (["--dry-run"], []):
        # The real entry point, as an operator runs it: rejected rows → exit 1 and nothing written.
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "qbr", "import-clients", str(bad), *flags],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1, result.stderr
        lines = result.stdout.splitlines()
        assert lines[-6:-1] == EXPECTED_REJECTS
        assert lines[-7] == "Rejected rows:"
        assert "Summary: 4 new, 0 updated, 0 unchanged, 0 removed, 5 rejected" in lines
        assert lines[-1] == ("Dry run: nothing was written." if flags else "Nothing was written: fix the rejected "
                             "rows and run again.")  # fmt: skip
    assert await qbr.rows("SELECT * FROM qbr.client_device_counts") == []
    error_of(await qbr.http.get("/api/qbr/metrics/devices-by-client", params={"period": "2025-09"}), 404, "NO_DATA")

    good = tmp_path / "enercare-fixed.csv"
    good.write_text("\n".join(CLIENTS_WITH_ERRORS.splitlines()[:5]) + "\n", encoding="utf-8")
    code, out, _ = await run_cli(qbr.settings, capsys, "import-clients", str(good), "--dry-run")
    assert code == 0 and "Summary: 4 new, 0 updated, 0 unchanged, 0 removed, 0 rejected" in out
    assert "line 2      2025-09  ChillCo Inc.                             new: 92 seats, 101 endpoints" in out
    assert out.rstrip().endswith("Dry run: nothing was written.")
    assert await qbr.rows("SELECT * FROM qbr.client_device_counts") == []

    code, out, _ = await run_cli(qbr.settings, capsys, "import-clients", str(good), "--actor", "ops@example.com")
    assert code == 0 and out.rstrip().endswith("Written.")
    assert await devices(qbr, period="2025-09") == {
        "period": "2025-09",
        "data_source": "historical",
        "clients": [
            {"client_name": "ChillCo Inc.", "seats": 92, "endpoints": 101},
            {"client_name": "NNW Oil", "seats": 45, "endpoints": 45},
        ],
        "total_seats": 137,
        "total_endpoints": 146,
        "organization_id": 1,
    }
    audit = await qbr.rows("SELECT actor, actor_source, action, subject, details FROM qbr.audit_log ORDER BY id")
    assert len(audit) == 4 and {(a["actor"], a["actor_source"], a["action"]) for a in audit} == {
        ("ops@example.com", "cli", "clients.import")
    }
    assert audit[0]["details"] == {"file": "enercare-fixed.csv", "line": 2, "change": "insert"}

    # A corrected September: ChillCo changes, NNW Oil is gone (--replace removes it), the rest is unchanged.
    corrected = tmp_path / "september.csv"
    corrected.write_text("period,client_name,seats,endpoints\n2025-09,ChillCo Inc.,93,101\n", encoding="utf-8")
    code, out, _ = await run_cli(qbr.settings, capsys, "import-clients", str(corrected), "--replace", "--dry-run")
    assert code == 0
    assert "update: seats 92 → 93, endpoints 101 → 101" in out and "NNW Oil" in out
    assert "remove: 45 seats, 45 endpoints" in out
    assert "Summary: 0 new, 1 updated, 0 unchanged, 1 removed, 0 rejected" in out
    code, out, _ = await run_cli(qbr.settings, capsys, "import-clients", str(corrected), "--replace")
    assert (await devices(qbr, period="2025-09"))["clients"] == [
        {"client_name": "ChillCo Inc.", "seats": 93, "endpoints": 101}
    ]

    # October is imported and also collected from Ninja: the live counts win.
    await write_snapshot(qbr.database, date(2025, 10, 31), hand_made_fleet())
    await collect(qbr, date(2025, 10, 31))
    october = await devices(qbr, period="2025-10")
    assert (october["data_source"], october["snapshot_date"], october["total_endpoints"]) == ("live", "2025-10-31", 9)

    # Range mode: the months that have data, each from its best source.
    ranged = await devices(qbr, start_period="2025-08", end_period="2025-11")
    assert (ranged["periods_requested"], ranged["periods_returned"]) == (4, 2)
    assert [(p["period"], p["data_source"]) for p in ranged["periods"]] == [
        ("2025-09", "historical"),
        ("2025-10", "live"),
    ]
    url = "/api/qbr/metrics/devices-by-client"
    for params, status, code_name in (
        ({}, 400, "MISSING_PERIOD"),
        ({"period": "2025-9"}, 400, "INVALID_PERIOD"),
        ({"start_period": "2025-08"}, 400, "INVALID_PARAMETERS"),
        ({"start_period": "2025-10", "end_period": "2025-08"}, 400, "INVALID_PERIOD_RANGE"),
        ({"start_period": "2023-01", "end_period": "2025-01"}, 400, "RANGE_TOO_LARGE"),
        ({"start_period": "2024-01", "end_period": "2024-12"}, 404, "NO_DATA"),
        ({"period": "2025-09", "organization_id": "2"}, 404, "NO_DATA"),
        ({"period": "2025-09", "organization_id": "-1"}, 400, "INVALID_PARAMETER"),
    ):
        error_of(await qbr.http.get(url, params=params), status, code_name)


async def test_import_clients_xlsx_reads_dates_numbers_and_named_sheets(
    qbr: QbrApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["exported from EnerCare"])
    sheet = workbook.create_sheet("Clients")
    sheet.append(["Period", "Client_Name", "Seats", "Endpoints"])
    sheet.append([datetime(2024, 10, 1), "ChillCo Inc.", 92.0, 101])  # an Excel date cell and a float count
    sheet.append(["2024-10", "NNW Oil", 45, 45])
    sheet.append([None, None, None, None])
    sheet.append(["2024-11", "NNW Oil", 44.5, 45])  # line 5: not a whole number
    path = tmp_path / "history.xlsx"
    workbook.save(path)

    code, _, err = await run_cli(qbr.settings, capsys, "import-clients", str(path))
    assert code == 2 and "missing columns: period, client_name, seats, endpoints" in err  # the first sheet
    code, out, _ = await run_cli(qbr.settings, capsys, "import-clients", str(path), "--sheet", "Clients")
    assert code == 1 and "  line 5: seats must be a whole number ≥ 0 (got 44.5)" in out
    sheet.delete_rows(5)
    workbook.save(path)
    code, out, _ = await run_cli(qbr.settings, capsys, "import-clients", str(path), "--sheet", "Clients")
    assert code == 0, out
    assert await devices(qbr, period="2024-10") == {
        "period": "2024-10",
        "data_source": "historical",
        "clients": [
            {"client_name": "ChillCo Inc.", "seats": 92, "endpoints": 101},
            {"client_name": "NNW Oil", "seats": 45, "endpoints": 45},
        ],
        "total_seats": 137,
        "total_endpoints": 146,
        "organization_id": 1,
    }
    for argv, message in (
        (["import-clients", str(tmp_path / "missing.csv")], "no such file"),
        (["import-clients", str(path), "--sheet", "Nope"], "no sheet named 'Nope'"),
    ):
        code, _, err = await run_cli(qbr.settings, capsys, *argv)
        assert code == 2 and message in err
    text_file = tmp_path / "clients.json"
    text_file.write_text("{}", encoding="utf-8")
    code, _, err = await run_cli(qbr.settings, capsys, "import-clients", str(text_file))
    assert code == 2 and "unsupported file type '.json'" in err


async def test_import_metrics_long_csv_and_wide_xlsx_respect_collected_values(
    qbr: QbrApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await write_snapshot(qbr.database, date(2025, 10, 31), hand_made_fleet())
    await collect(qbr, date(2025, 10, 31))  # endpoints_managed for October is collected: 9
    long_file = tmp_path / "metrics.csv"
    rows = [
        "period,metric_name,metric_value,vendor_id,notes",
        "2025-10,employees,8,,",
        '2025-10,mrr,"$109,000.25",,"From QuickBooks',
        'November close"',  # a quoted note on two lines: the next rows' line numbers follow the file
        "2025-10,endpoints_managed,570,,",
        "2025-10,reactive_tickets_created,140,,",
        "2025-10,bogus,1,,",
        "2025-10,technical_employees,-1,,",
        "2025-10,employees,9,,",
    ]
    long_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = await run_cli(qbr.settings, capsys, "import-metrics", str(long_file), "--dry-run")
    assert code == 1
    assert "  line 7: unknown metric 'bogus'" in out
    assert "  line 8: metric_value must not be negative for technical_employees (got -1)" in out
    assert "  line 9: 2025-10 employees is already on line 2" in out
    assert "  line 5      2025-10  endpoints_managed" in out
    assert "endpoints_managed          skipped: collected value 9 is kept (use --force)" in out
    assert "Summary: 3 new, 0 updated, 0 unchanged, 1 protected, 3 rejected" in out

    long_file.write_text("\n".join(rows[:6]) + "\n", encoding="utf-8")
    code, out, _ = await run_cli(qbr.settings, capsys, "import-metrics", str(long_file))
    assert code == 0 and "Summary: 3 new, 0 updated, 0 unchanged, 1 protected, 0 rejected" in out
    stored = {
        row["metric_name"]: row
        for row in await qbr.rows("SELECT * FROM qbr.monthly_metrics WHERE period = '2025-10-01'")
    }
    assert (str(stored["mrr"]["metric_value"]), stored["mrr"]["notes"]) == (
        "109000.25",
        "From QuickBooks\nNovember close",
    )
    assert stored["employees"]["notes"] == "Imported from metrics.csv" and stored["employees"]["vendor_id"] is None
    assert stored["reactive_tickets_created"]["vendor_id"] == 3  # the metric's own vendor
    assert (int(stored["endpoints_managed"]["metric_value"]), stored["endpoints_managed"]["data_source"]) == (
        9,
        "collected",
    )

    code, out, _ = await run_cli(qbr.settings, capsys, "import-metrics", str(long_file), "--force")
    assert code == 0 and "Summary: 0 new, 1 updated, 3 unchanged, 0 protected, 0 rejected" in out
    [endpoints] = await qbr.rows(
        "SELECT metric_value, data_source, forced FROM qbr.monthly_metrics WHERE metric_name = 'endpoints_managed'"
    )
    assert (int(endpoints["metric_value"]), endpoints["data_source"], endpoints["forced"]) == (570, "manual", True)

    # Wide: one row per month, one column per metric; a bad cell names its column.
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Period", "employees", "Technical Employees", "mrr", "notes"])
    sheet.append(["2025-11", 9, 5.5, 110250.5, "Board pack"])
    sheet.append(["2025-12", 8.5, None, "n/a", None])
    path = tmp_path / "board.xlsx"
    workbook.save(path)
    code, out, _ = await run_cli(qbr.settings, capsys, "import-metrics", str(path))
    assert code == 1 and "  line 3: mrr must be a number (got 'n/a')" in out
    sheet["D3"] = 111000
    workbook.save(path)
    code, out, _ = await run_cli(qbr.settings, capsys, "import-metrics", str(path))
    assert code == 0 and "Summary: 5 new, 0 updated, 0 unchanged, 0 protected, 0 rejected" in out

    quarter = (await qbr.get("/api/qbr/metrics/quarterly", period="2025-Q4")).json()["data"]["metrics"]
    assert quarter["employees"] == 8.5  # (8 + 9 + 8.5) / 3
    assert quarter["technical_employees"] == 5.5  # November only
    assert quarter["mrr"] == 330250.75  # 109,000.25 + 110,250.5 + 111,000
    assert quarter["endpoints_managed"] == 570.0
    audit = await qbr.rows("SELECT actor_source, action FROM qbr.audit_log")
    assert len(audit) == 9 and {(a["actor_source"], a["action"]) for a in audit} == {("cli", "metric.import")}

    unknown = tmp_path / "odd.csv"
    unknown.write_text("period,employees,headcount\n2025-11,9,9\n", encoding="utf-8")
    code, _, err = await run_cli(qbr.settings, capsys, "import-metrics", str(unknown))
    assert code == 2 and "unknown columns: headcount" in err
