"""Exports parse back (csv module, openpyxl, pypdf) to the rows of the report; their errors are JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl
from pypdf import PdfReader

from variance.catalog import BY_CODE, TYPE_CODES, VARIANCE_TYPES

from .conftest import UNKNOWN_TYPE, VarianceHub, add_aliases, days_ago


async def report_rows(vhub: VarianceHub, include_resolved: bool) -> list[dict[str, Any]]:
    report = (
        await vhub.client.get("/api/variance-report/latest", params={"include_resolved": str(include_resolved).lower()})
    ).json()
    rows = [item for code in TYPE_CODES for item in report["exceptions_by_type"].get(code, [])]
    return sorted(rows, key=lambda item: (TYPE_CODES.index(item["type"]), item["hostname"]))


async def test_exports_parse_back_to_the_report_rows(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=700, seed=31) as sim:
        vhub = await variance_hub(sim)
        await add_aliases(vhub, sim.truth()["organization_aliases"])
        await vhub.collect(days_ago(0))
        everything = await report_rows(vhub, include_resolved=True)
        first = everything[0]
        await vhub.client.post(f"/api/exceptions/{first['id']}/resolve", json={"resolved_by": "dora"})
        everything = await report_rows(vhub, include_resolved=True)
        unresolved = await report_rows(vhub, include_resolved=False)
        assert len(unresolved) == len(everything) - 1
        day = days_ago(0).isoformat()

        # CSV: every column, rows in type then hostname order, CRLF line ends.
        response = await vhub.client.get("/api/variances/export/csv", params={"include_resolved": "true"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == f"attachment; filename=variances-{day}.csv"
        assert b"\r\n" in response.content
        parsed = list(csv.DictReader(io.StringIO(response.text)))
        assert [(int(r["ID"]), r["Type"], r["Hostname"]) for r in parsed] == [
            (item["id"], item["type"], item["hostname"]) for item in everything
        ]
        by_id = {item["id"]: item for item in everything}
        for row in parsed:
            item = by_id[int(row["ID"])]
            assert json.loads(row["Details"]) == item["details"]
            assert row["Organization"] == item["organization"]
            assert row["ThreatLocker Hostname"] == item["threatlocker_hostname"]
            assert row["Ninja Display Name"] == item["ninja_display_name"]
            assert row["Resolved"] == ("Yes" if item["resolved"] else "No")
            assert row["Report Key"] == BY_CODE[item["type"]].report_key
        resolved_row = next(r for r in parsed if int(r["ID"]) == first["id"])
        assert (resolved_row["Variance Status"], resolved_row["Resolved By"]) == ("resolved", "dora")

        # The spec's variance_type values (and the type codes) filter; the default hides resolved rows.
        kind = BY_CODE[first["type"]]
        for value in (kind.report_key, kind.code, kind.code.lower()):
            filtered = await vhub.client.get(
                "/api/variances/export/csv", params={"variance_type": value, "date": "latest"}
            )
            rows = list(csv.DictReader(io.StringIO(filtered.text)))
            assert [int(r["ID"]) for r in rows] == [i["id"] for i in unresolved if i["type"] == kind.code]
            assert filtered.headers["content-disposition"].endswith(f"variances-{kind.code.lower()}-{day}.csv")
        everything_by_all = await vhub.client.get(
            "/api/variances/export/csv", params={"variance_type": "all", "date": day}
        )
        assert len(list(csv.DictReader(io.StringIO(everything_by_all.text)))) == len(unresolved)

        # Excel: Summary, Exceptions (every row), one sheet per variance type.
        response = await vhub.client.get("/api/variances/export/excel", params={"include_resolved": "true"})
        assert response.status_code == 200
        assert response.headers["content-disposition"] == f"attachment; filename=variances-{day}.xlsx"
        workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        assert workbook.sheetnames == ["Summary", "Exceptions", *(kind.label for kind in VARIANCE_TYPES)]
        summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True) if row and row[0]}
        assert summary["Variance Report Summary"] is None
        assert summary["Report Date"] == day
        assert (summary["Total Exceptions"], summary["Unresolved"], summary["Resolved"]) == (
            len(everything),
            len(unresolved),
            1,
        )
        for code in TYPE_CODES:
            count = sum(1 for item in everything if item["type"] == code)
            assert summary.get(code) == (count or None)
        sheet_rows = list(workbook["Exceptions"].iter_rows(values_only=True))
        header = sheet_rows[0]
        assert "Details" not in header and header[:4] == ("ID", "Date Found", "Type", "Hostname")
        csv_without_details = [[value for key, value in row.items() if key != "Details"] for row in parsed]
        assert [[("" if v is None else str(v)) for v in row] for row in sheet_rows[1:]] == csv_without_details
        for kind in VARIANCE_TYPES:
            typed = list(workbook[kind.label].iter_rows(values_only=True))[1:]
            assert [row[0] for row in typed] == [i["id"] for i in everything if i["type"] == kind.code]

        # PDF: executive summary, charts, and every exception in the detail tables.
        response = await vhub.client.get("/api/variances/export/pdf", params={"include_resolved": "true"})
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.content))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert f"Variance Report - {day}" in text and "Executive Summary" in text and "Exception Details" in text
        assert "Exceptions by type" in text and "organisations by exceptions" in text
        tokens = set(text.split())
        for item in everything:
            assert str(item["id"]) in tokens and item["hostname"] in text
        only_type = await vhub.client.get("/api/variances/export/pdf", params={"variance_type": "site_mismatches"})
        assert only_type.status_code == 200
        assert only_type.headers["content-disposition"].endswith(f"variances-site_mismatch-{day}.pdf")

        # Errors are JSON in the bare family, before any file.
        errors = [
            ({"date": "2025-02-30"}, 400, {"error": "Invalid date format. Use YYYY-MM-DD"}),
            ({"variance_type": "missing"}, 400, {"error": UNKNOWN_TYPE.format("missing")}),
            (
                {"include_resolved": "sometimes"},
                400,
                {"error": "Invalid value for include_resolved: use true or false"},
            ),
            (
                {"date": days_ago(30).isoformat()},
                400,
                {
                    "error": f"Insufficient data for {days_ago(30).isoformat()}. Found 0 vendors, need 2.",
                    "status": "insufficient_data",
                },
            ),
        ]
        for fmt in ("csv", "excel", "pdf"):
            for params, status, body in errors:
                response = await vhub.client.get(f"/api/variances/export/{fmt}", params=params)
                assert response.status_code == status, (fmt, params)
                assert response.json() == body
