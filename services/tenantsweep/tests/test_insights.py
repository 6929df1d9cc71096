"""Compare (two audits with overlapping check ids give the right sets; the default baseline is the
tenant's previous completed audit) and the per-tenant overview with its trend."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import BASE, assert_error, audit_with, finding, finish

BEFORE = [
    finding("A", "Critical", "fail"),
    finding("B", "High", "fail"),
    finding("C", "Medium", "pass"),
    finding("D", "Low", "warning"),
    finding("E", "Medium", "fail"),
    finding("F", "High", "fail"),  # gone from the later audit
    finding("G", "Low", "fail"),  # could not run in the later audit
    finding("J", "Info", "pass"),  # gone, but it passed: nothing to say
]
AFTER = [
    finding("A", "Critical", "fail"),  # still failing
    finding("B", "High", "pass"),  # fixed
    finding("C", "Medium", "fail"),  # new failure
    finding("D", "High", "fail"),  # still failing, severity Low → High
    finding("E", "Critical", "warning"),  # still failing, severity Medium → Critical
    finding("G", "Low", "error"),  # not rechecked
    finding("H", "Info", "fail"),  # new check, failing
    finding("I", "Low", "pass"),  # new check, passing: nothing to say
]


def ids(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["check_id"] for entry in entries]


async def test_compare_gives_the_right_sets_for_overlapping_check_ids(client: httpx.AsyncClient) -> None:
    before = await audit_with(client, BEFORE, tenant_id="ACME-1")
    after = await audit_with(client, AFTER, tenant_id="acme-1")  # the same tenant, in any case
    response = await client.get(f"{BASE}/audits/{after}/compare")
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["audit"]["id"], data["against"]["id"], data["baseline"]) == (after, before, "previous_completed")
    assert ids(data["new_failures"]) == ["C", "H"]
    assert ids(data["fixed"]) == ["B"]
    assert ids(data["still_failing"]) == ["A", "E", "D"]  # severity rank now, then check id
    assert ids(data["not_rechecked"]) == ["F", "G"]
    assert ids(data["changed_severity"]) == ["E", "D"]
    assert data["counts"] == {
        "new_failures": 2,
        "fixed": 1,
        "still_failing": 3,
        "not_rechecked": 2,
        "changed_severity": 2,
    }
    stored = {f["check_id"]: f["id"] for f in (await client.get(f"{BASE}/audits/{after}")).json()["data"]["findings"]}
    old = {f["check_id"]: f["id"] for f in (await client.get(f"{BASE}/audits/{before}")).json()["data"]["findings"]}
    d = next(entry for entry in data["changed_severity"] if entry["check_id"] == "D")
    assert d == {
        "check_id": "D",
        "check_name": "D",
        "severity": "High",
        "status": "fail",
        "previous_severity": "Low",
        "previous_status": "warning",
        "finding_id": stored["D"],
        "previous_finding_id": old["D"],
    }
    f = data["not_rechecked"][0]
    assert (f["severity"], f["status"], f["finding_id"]) == (None, None, None)
    assert (f["previous_severity"], f["previous_status"], f["previous_finding_id"]) == ("High", "fail", old["F"])
    h = data["new_failures"][1]
    assert (h["previous_status"], h["previous_finding_id"], h["status"]) == (None, None, "fail")

    # Reversed (explicit against): what was fixed is a new failure, and so on.
    reverse = (await client.get(f"{BASE}/audits/{before}/compare", params={"against": after})).json()["data"]
    assert reverse["baseline"] == "requested"
    assert ids(reverse["new_failures"]) == ["B", "F", "G"]
    assert ids(reverse["fixed"]) == ["C"]
    assert ids(reverse["not_rechecked"]) == ["H"]
    assert ids(reverse["still_failing"]) == ["A", "E", "D"]


async def test_the_default_baseline_is_the_tenants_previous_completed_audit(client: httpx.AsyncClient) -> None:
    first = await audit_with(client, [finding("A")])
    assert_error(await client.get(f"{BASE}/audits/{first}/compare"), 404, "NO_PREVIOUS_AUDIT")
    await audit_with(client, [finding("A")], status="failed")  # failed: never a baseline
    await audit_with(client, [finding("A")], tenant_name="Globex", tenant_id="globex-1")  # another tenant
    running = await audit_with(client, [finding("A", status="pass")], status=None)
    data = (await client.get(f"{BASE}/audits/{running}/compare")).json()["data"]
    assert data["against"]["id"] == first and ids(data["fixed"]) == ["A"]  # a running audit can be previewed
    later = await audit_with(client, [])
    await finish(client, running)
    assert (await client.get(f"{BASE}/audits/{later}/compare")).json()["data"]["against"]["id"] == running

    # Against itself: a valid id like any other (the document cannot say "another one"), and nothing changed.
    itself = (await client.get(f"{BASE}/audits/{first}/compare", params={"against": first})).json()["data"]
    assert (itself["baseline"], itself["new_failures"], itself["fixed"], itself["not_rechecked"]) == (
        "requested",
        [],
        [],
        [],
    )
    assert_error(await client.get(f"{BASE}/audits/{first}/compare", params={"against": "x"}), 400, "INVALID_ID")
    assert_error(await client.get(f"{BASE}/audits/{first}/compare", params={"against": 9999}), 404, "NOT_FOUND")
    assert_error(await client.get(f"{BASE}/audits/9999/compare"), 404, "NOT_FOUND")


async def test_overview_has_one_row_per_tenant_with_its_trend(client: httpx.AsyncClient) -> None:
    # ACME: three completed audits (the oldest no longer matters), then a run still going.
    await audit_with(client, [finding("A", "Critical"), finding("B", "Critical")], tenant_name="ACME Corp")
    previous = await audit_with(
        client,
        [finding("A", "Critical"), finding("B", "High"), finding("C", "High", "warning"), finding("D", "Low", "pass")],
        tenant_name="ACME Corp",
    )
    latest = await audit_with(
        client,
        [finding("A", "High"), finding("B", "High"), finding("C", "High"), finding("D", "Low", "fail")],
        tenant_name="ACME Corp",
    )
    running = await audit_with(client, [], tenant_name="ACME Corporation", tenant_id="ACME-1", status=None)
    # Globex: one completed audit. Initech: only a failed run. Umbrella: worse than before. Hooli: the same.
    globex = await audit_with(client, [finding("A", "Medium")], tenant_name="Globex", tenant_id="globex-1")
    initech = await audit_with(client, [], tenant_name="Initech", tenant_id="initech-1", status="failed")
    for findings in ([finding("A", "Low")], [finding("A", "Low"), finding("B", "Info", "warning")]):
        await audit_with(client, findings, tenant_name="Umbrella", tenant_id="umbrella-1")
    for _ in range(2):
        await audit_with(client, [finding("A", "Info", "pass")], tenant_name="hooli", tenant_id="hooli-1")

    response = await client.get(f"{BASE}/overview")
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    rows = {row["tenant_id"]: row for row in data["tenants"]}
    assert data["total_count"] == 5
    assert [row["tenant_name"] for row in data["tenants"]] == [
        "ACME Corporation",
        "Globex",
        "hooli",
        "Initech",
        "Umbrella",
    ]

    acme = rows["ACME-1"]  # the newest run's spelling of the tenant
    assert (acme["audits_count"], acme["completed_audits_count"]) == (4, 3)
    assert (acme["latest_run"]["id"], acme["latest_run"]["status"]) == (running, "running")
    assert acme["latest_audit"]["id"] == latest and acme["previous_audit"]["id"] == previous
    assert acme["latest_audit"]["severity_counts"] == {"Critical": 0, "High": 3, "Medium": 0, "Low": 1, "Info": 0}
    assert acme["latest_audit"]["failing_counts"] == {"Critical": 0, "High": 3, "Medium": 0, "Low": 1, "Info": 0}
    assert acme["previous_audit"]["failing_counts"] == {"Critical": 1, "High": 2, "Medium": 0, "Low": 0, "Info": 0}
    assert (acme["latest_audit"]["findings_count"], acme["latest_audit"]["failing_count"]) == (4, 4)
    # One Critical fewer outweighs more High and Low failures.
    assert acme["trend"] == {
        "direction": "improving",
        "failing_change": 1,
        "failing_change_by_severity": {"Critical": -1, "High": 1, "Medium": 0, "Low": 1, "Info": 0},
    }
    assert rows["globex-1"]["latest_audit"]["id"] == globex and rows["globex-1"]["previous_audit"] is None
    assert rows["globex-1"]["trend"] == {"direction": "new", "failing_change": None, "failing_change_by_severity": None}
    assert rows["initech-1"]["latest_audit"] is None and rows["initech-1"]["latest_run"]["id"] == initech
    assert rows["initech-1"]["trend"]["direction"] == "none"
    assert rows["umbrella-1"]["trend"]["direction"] == "worsening"
    assert rows["umbrella-1"]["trend"]["failing_change_by_severity"]["Info"] == 1
    assert rows["hooli-1"]["trend"]["direction"] == "unchanged"
    assert rows["hooli-1"]["latest_audit"]["failing_count"] == 0

    filtered = (await client.get(f"{BASE}/overview", params={"tenant_name": "corp"})).json()["data"]
    assert [row["tenant_id"] for row in filtered["tenants"]] == ["ACME-1"]
    assert_error(await client.get(f"{BASE}/overview", params={"tenant_name": "x" * 300}), 400, "INVALID_PARAMETER")


async def test_overview_with_no_audits_is_empty(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{BASE}/overview")).json() == {"success": True, "data": {"tenants": [], "total_count": 0}}
