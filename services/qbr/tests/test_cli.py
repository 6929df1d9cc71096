"""``python -m qbr collect`` (count the Ninja snapshots still held) and ``python -m qbr audit``."""

from __future__ import annotations

from datetime import date

import pytest

from .conftest import QbrApp, hand_made_fleet, ninja_device, run_cli, write_snapshot


async def test_collect_counts_each_months_newest_snapshot_and_audit_lists_changes(
    qbr: QbrApp, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = await run_cli(qbr.settings, capsys, "collect")
    assert (code, out) == (0, "No Ninja snapshot to count.\n")
    await write_snapshot(qbr.database, date(2025, 10, 31), hand_made_fleet()[:6])  # ChillCo: 3 seats, 3 endpoints
    await write_snapshot(qbr.database, date(2025, 11, 2), hand_made_fleet())
    await write_snapshot(qbr.database, date(2025, 11, 20), [*hand_made_fleet(), ninja_device(60, 3, "MAC")])

    code, out, _ = await run_cli(qbr.settings, capsys, "collect")
    assert code == 0
    assert out.splitlines() == [
        "2025-10: snapshot 2025-10-31, 1 clients, 3 seats, 3 endpoints",
        "2025-11: snapshot 2025-11-20, 2 clients, 7 seats, 10 endpoints",
    ]
    code, out, _ = await run_cli(qbr.settings, capsys, "collect", "--snapshot-date", "2025-11-02")
    assert out.startswith("2025-11: snapshot 2025-11-02 not counted: 2025-11 is already counted from the later")

    code, out, _ = await run_cli(qbr.settings, capsys, "audit")
    assert (code, out) == (0, "No changes recorded.\n")
    assert (await qbr.manual("2025-11", {"employees": 8})).status_code == 200
    assert (await qbr.manual("2025-11", {"employees": 8.5})).status_code == 200
    code, out, _ = await run_cli(qbr.settings, capsys, "audit", "--action", "metric.manual", "--limit", "5")
    lines = out.splitlines()
    assert len(lines) == 2
    assert all("alice@example.com (identity)  metric.manual  2025-11  employees" in line for line in lines)
    eight = '{"data_source": "manual", "metric_value": 8.0, "notes": null, "vendor_id": null}'
    assert lines[0].endswith(f"{eight} → {eight.replace('8.0', '8.5')}")  # newest first: old → new
    assert lines[1].endswith(f"null → {eight}")
