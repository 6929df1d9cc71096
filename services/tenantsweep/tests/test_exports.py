"""The CSV export parses back (csv module) to the stored findings — awkward text included — streams in
batches, filters by severity, names the file after the tenant (any name), and answers errors as JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tenantsweep.exports import service as export_service

from .conftest import BASE, assert_error, audit_with, create_audit, finding

HEADER = [
    "Check ID",
    "Check Name",
    "Severity",
    "Status",
    "Current Value",
    "Expected Value",
    "Recommendation",
    "Details",
    "Created At",
]


def as_csv_row(stored: dict[str, Any]) -> list[str]:
    """What the export must contain for a finding the API returned."""
    return [
        stored["check_id"],
        stored["check_name"],
        stored["severity"],
        stored["status"],
        stored["current_value"] or "",
        stored["expected_value"] or "",
        stored["recommendation"] or "",
        "",  # details are compared parsed (JSON text)
        stored["created_at"],
    ]


AWKWARD = [
    finding(
        "COMMA_QUOTE",
        "Critical",
        current_value='3 admins, "break-glass" included',
        expected_value="≤ 2, named",
        details={"admins": ["Zoë Ållan", "李雷"], "note": 'say "hi",\r\nthen leave'},
        recommendation="Line one\nLine two\r\nLine three",
    ),
    finding("LEADING_EQUALS", "High", current_value="=SUM(A1:A2)", expected_value="  padded  "),
    finding("EMPTY_VALUES", "Medium", "pass", current_value="", details={}),
    finding("NULL_VALUES", "Low", "error"),
    finding("EMOJI", "Info", "warning", current_value="🔒 locked", details={"nested": {"deep": [1, 2.5, None, True]}}),
]


async def test_export_parses_back_to_the_stored_findings(client: httpx.AsyncClient) -> None:
    audit_id = await audit_with(client, AWKWARD)
    stored = (await client.get(f"{BASE}/audits/{audit_id}")).json()["data"]["findings"]
    response = await client.get(f"{BASE}/audits/{audit_id}/export/csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.count(b"\r\n") >= len(stored) + 1  # csv's own line ends
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert rows[0] == HEADER
    assert len(rows) == len(stored) + 1
    for row, item in zip(rows[1:], stored, strict=True):
        details_text = row[7]
        assert [*row[:7], "", row[8]] == as_csv_row(item)
        assert (json.loads(details_text) if details_text else None) == item["details"]
    assert [row[0] for row in rows[1:]] == ["COMMA_QUOTE", "LEADING_EQUALS", "EMPTY_VALUES", "NULL_VALUES", "EMOJI"]


async def test_export_filters_by_severity(client: httpx.AsyncClient) -> None:
    audit_id = await audit_with(client, AWKWARD)
    high = await client.get(f"{BASE}/audits/{audit_id}/export/csv", params={"severity": "high"})
    assert [row["Check ID"] for row in csv.DictReader(io.StringIO(high.text))] == ["LEADING_EQUALS"]
    two = await client.get(f"{BASE}/audits/{audit_id}/export/csv", params={"severity": "Info,Critical"})
    assert [row["Check ID"] for row in csv.DictReader(io.StringIO(two.text))] == ["COMMA_QUOTE", "EMOJI"]
    low = await client.get(f"{BASE}/audits/{audit_id}/export/csv", params={"severity": "Low"})
    assert [row["Severity"] for row in csv.DictReader(io.StringIO(low.text))] == ["Low"]


async def test_export_streams_in_batches(
    client: httpx.AsyncClient, app_runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 10 rows: 35 findings must arrive as four chunks after the header, in order.
    app_runtime.settings.tenantsweep_export_batch_rows = 10
    chunk_sizes: list[int] = []
    render = export_service.csv_chunk

    def counting(rows: Sequence[Sequence[Any]]) -> bytes:
        chunk_sizes.append(len(rows))
        return render(rows)

    monkeypatch.setattr(export_service, "csv_chunk", counting)
    audit_id = await audit_with(client, [finding(f"CHECK_{i:02d}", "Low") for i in range(35)])
    async with client.stream("GET", f"{BASE}/audits/{audit_id}/export/csv") as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers
        text = (await response.aread()).decode("utf-8")
    assert chunk_sizes == [10, 10, 10, 5]
    assert [row["Check ID"] for row in csv.DictReader(io.StringIO(text))] == [f"CHECK_{i:02d}" for i in range(35)]


async def test_export_file_names(client: httpx.AsyncClient) -> None:
    plain = await create_audit(client, "ACME Corp/East", "acme-1")
    started = (await client.get(f"{BASE}/audits/{plain}")).json()["data"]["started_at"]
    day = started[:10].replace("-", "")
    response = await client.get(f"{BASE}/audits/{plain}/export/csv")
    assert response.headers["content-disposition"] == f'attachment; filename="tenantsweep_ACME_Corp-East_{day}.csv"'
    assert response.text.splitlines() == [",".join(HEADER)]  # no findings: the header alone

    unicode_name = await create_audit(client, 'Zoë "Ünïcode" Ltd', "zoe-1")
    disposition = (await client.get(f"{BASE}/audits/{unicode_name}/export/csv")).headers["content-disposition"]
    real = f"tenantsweep_Zoë_Ünïcode_Ltd_{day}.csv"
    assert disposition == (
        f"attachment; filename=\"tenantsweep_Zoe_Unicode_Ltd_{day}.csv\"; filename*=UTF-8''{quote(real, safe='')}"
    )


async def test_export_errors_are_json(client: httpx.AsyncClient) -> None:
    audit_id = await create_audit(client)
    assert_error(await client.get(f"{BASE}/audits/{audit_id + 50}/export/csv"), 404, "NOT_FOUND")
    assert_error(
        await client.get(f"{BASE}/audits/{audit_id}/export/csv", params={"severity": "Severe"}), 400, "INVALID_SEVERITY"
    )
    assert_error(await client.get(f"{BASE}/audits/abc/export/csv"), 400, "INVALID_ID")
