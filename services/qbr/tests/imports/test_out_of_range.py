"""Imports refuse, line by line, what the database or the views cannot hold — the same bounds as the API —
instead of storing a value that later breaks the quarterly view or crashing with a database error."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from ..conftest import QbrApp, error_of, run_cli


async def test_metric_values_the_api_refuses_are_rejected_rows(
    qbr: QbrApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "metrics.csv"
    path.write_text(
        "period,metric_name,metric_value,vendor_id\n"
        "2025-10,mrr,1000000000000000000000000000000,\n"  # 10^30: the quarterly view could not round it
        "2025-10,nrr,0.0000000000000000000001,\n"  # 22 decimal places
        "2025-10,employees,8,3000000000\n"  # vendor_id beyond a PostgreSQL integer
        '2025-11,mrr,"$1,500.00",\n',
        encoding="utf-8",
    )
    code, out, err = await run_cli(qbr.settings, capsys, "import-metrics", str(path))
    assert code == 1, (out, err)
    assert "  line 2: metric_value is too large (got '1000000000000000000000000000000')" in out
    assert "  line 3: metric_value must have at most 20 decimal places (got '0.0000000000000000000001')" in out
    assert "  line 4: vendor_id must be at most 2147483647 (got '3000000000')" in out
    assert "Nothing was written" in out
    assert await qbr.rows("SELECT * FROM qbr.monthly_metrics") == []
    error_of(await qbr.get("/api/qbr/metrics/quarterly", period="2025-Q4"), 404, "NO_DATA")


async def test_counts_beyond_an_integer_and_unstorable_text_are_rejected_rows(
    qbr: QbrApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(
        "period,client_name,seats,endpoints\n"
        "2025-10,ChillCo Inc.,1,3000000000\n"
        f"2025-10,NNW Oil,1,{'9' * 5000}\n"  # int() itself refuses this many digits
        "2025-10,Null\x00Corp,1,1\n"
        "2025-10,Blue Ridge Law,2,2\n",
        encoding="utf-8",
    )
    code, out, err = await run_cli(qbr.settings, capsys, "import-clients", str(path))
    assert code == 1, (out, err)
    lines = out.splitlines()
    assert "  line 2: endpoints must be at most 2147483647 (got '3000000000')" in lines
    assert any(line.startswith("  line 3: endpoints must be at most 2147483647 (got '999") for line in lines)
    assert "  line 4: 'Null\\x00Corp' contains a NUL character" in lines
    assert await qbr.rows("SELECT * FROM qbr.client_device_counts") == []


async def test_an_xlsx_date_outside_the_period_years_is_a_rejected_row(
    qbr: QbrApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Period", "Client Name", "Seats", "Endpoints"])
    sheet.append([date(1999, 12, 1), "ChillCo Inc.", 1, 1])
    sheet.append([date(2025, 10, 1), "NNW Oil", 2, 3])
    path = tmp_path / "history.xlsx"
    workbook.save(path)
    code, out, err = await run_cli(qbr.settings, capsys, "import-clients", str(path))
    assert code == 1, (out, err)
    assert "  line 2: period must be a month from 2000 to 2100 (got 1999-12)" in out.splitlines()
    assert await qbr.rows("SELECT * FROM qbr.client_device_counts") == []


async def test_audit_refuses_an_organization_id_outside_an_integer(
    qbr: QbrApp, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await run_cli(qbr.settings, capsys, "audit", "--organization-id", "3000000000")
    assert code == 2, (out, err)
    assert err == "error: --organization-id must be a positive integer\n"
