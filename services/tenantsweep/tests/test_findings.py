"""Finding routes: one finding stored exactly; bulk requests all or nothing with every problem reported by
index; findings refused for finished or unknown audits and for check ids the audit already has."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gateway.auth.settings import DEFAULT_MAX_BODY_BYTES
from hub_shared.app import create_app
from hub_shared.db import Database
from hub_shared.runtime import ServiceRuntime
from tenantsweep.definition import SPEC
from tenantsweep.settings import TenantSweepSettings

from .conftest import BASE, assert_error, audit_with, count_rows, create_audit, finding, finish, identity_header

SEVERITY_MESSAGE = "Severity must be one of: Critical, High, Medium, Low, Info"
STATUS_MESSAGE = "Status must be one of: pass, fail, warning, error"
REQUIRED_MESSAGE = "check_id, check_name, severity, and status are required"


async def test_one_finding_is_stored_as_sent_with_canonical_severity_and_status(client: httpx.AsyncClient) -> None:
    audit_id = await create_audit(client)
    sent = {
        "check_id": "MFA_ENFORCEMENT",
        "check_name": "MFA Enforcement",
        "severity": "cRiTiCaL",
        "status": "Fail",
        "current_value": "  MFA not enforced for 45 users  ",
        "expected_value": "MFA required for all users",
        "details": {"users_without_mfa": 45, "ratio": 0.45, "nested": {"ok": False, "names": ["Zoë", "李"]}},
        "recommendation": "Enable MFA via Conditional Access policy",
        "scanner_version": "2.4.1",  # unknown fields are ignored
    }
    response = await client.post(f"{BASE}/audits/{audit_id}/findings", json=sent)
    assert response.status_code == 201
    stored = response.json()["data"]
    assert {k: v for k, v in stored.items() if k not in ("id", "created_at")} == {
        "audit_id": audit_id,
        "check_id": "MFA_ENFORCEMENT",
        "check_name": "MFA Enforcement",
        "severity": "Critical",
        "status": "fail",
        "current_value": "  MFA not enforced for 45 users  ",  # free text is kept exactly
        "expected_value": "MFA required for all users",
        "details": sent["details"],
        "recommendation": "Enable MFA via Conditional Access policy",
    }
    assert stored["created_at"].endswith("Z")
    fetched = (await client.get(f"{BASE}/audits/{audit_id}")).json()["data"]["findings"]
    assert fetched == [stored]

    duplicate = assert_error(
        await client.post(f"{BASE}/audits/{audit_id}/findings", json={**sent, "severity": "Low"}),
        409,
        "DUPLICATE_CHECK",
    )
    assert duplicate["finding_id"] == stored["id"]


async def test_number_and_boolean_values_are_stored_as_their_json_text(client: httpx.AsyncClient) -> None:
    """Scanners send counts and switches as JSON scalars; the replaced system stored them as text, so a scan
    carrying one must not be refused (a bulk request is all or nothing: one refusal would drop the scan)."""
    audit_id = await create_audit(client)
    one = await client.post(
        f"{BASE}/audits/{audit_id}/findings",
        json=finding("ADMINS", current_value=3, expected_value=False, recommendation=0.5),
    )
    assert one.status_code == 201, one.text
    stored = one.json()["data"]
    assert (stored["current_value"], stored["expected_value"], stored["recommendation"]) == ("3", "false", "0.5")
    bulk = [
        finding("AUDIT_LOG", "Medium", "pass", current_value=True, expected_value=True),
        finding("STALE_USERS", "Low", "warning", current_value=45, expected_value=0),
    ]
    added = await client.post(f"{BASE}/audits/{audit_id}/findings/bulk", json={"findings": bulk})
    assert added.status_code == 201, added.text
    assert added.json()["data"] == {"audit_id": audit_id, "created_count": 2, "total_submitted": 2}
    findings = (await client.get(f"{BASE}/audits/{audit_id}")).json()["data"]["findings"]
    assert [(f["check_id"], f["current_value"], f["expected_value"]) for f in findings] == [
        ("ADMINS", "3", "false"),
        ("AUDIT_LOG", "true", "true"),
        ("STALE_USERS", "45", "0"),
    ]


DEEP: dict[str, Any] = {}
_level = DEEP
for _ in range(40):
    _level["x"] = {}
    _level = _level["x"]


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"check_id": None}, "MISSING_FIELDS", REQUIRED_MESSAGE),
        ({"check_name": "   "}, "MISSING_FIELDS", REQUIRED_MESSAGE),
        ({"severity": "Urgent"}, "INVALID_SEVERITY", SEVERITY_MESSAGE),
        ({"severity": 1}, "INVALID_SEVERITY", SEVERITY_MESSAGE),
        ({"status": "failed"}, "INVALID_STATUS", STATUS_MESSAGE),
        ({"status": True}, "INVALID_STATUS", STATUS_MESSAGE),
        ({"check_id": 12}, "INVALID_DATA", "check_id must be a string"),
        ({"current_value": [45]}, "INVALID_DATA", "current_value must be a string"),
        ({"expected_value": {"n": 1}}, "INVALID_DATA", "expected_value must be a string"),
        ({"details": ["a", "b"]}, "INVALID_DATA", "details must be a JSON object or null"),
        ({"details": "text"}, "INVALID_DATA", "details must be a JSON object or null"),
        ({"details": {"bad": "nul\u0000char"}}, "INVALID_DATA", None),
        ({"details": {"bad\u0000key": 1}}, "INVALID_DATA", None),
        ({"details": DEEP}, "INVALID_DATA", None),
        ({"check_id": "X" * 201}, "INVALID_DATA", None),
    ],
)
async def test_bad_findings_are_400_and_store_nothing(
    client: httpx.AsyncClient, database: Database, change: dict[str, Any], code: str, message: str | None
) -> None:
    audit_id = await create_audit(client)
    body = assert_error(
        await client.post(f"{BASE}/audits/{audit_id}/findings", json={**finding("A"), **change}), 400, code
    )
    if message is not None:
        assert body["error"]["message"] == message
    assert await count_rows(database, "findings") == 0


async def test_malformed_bodies_unknown_and_finished_audits(client: httpx.AsyncClient, database: Database) -> None:
    audit_id = await create_audit(client)
    url = f"{BASE}/audits/{audit_id}/findings"
    headers = {"content-type": "application/json"}
    assert_error(await client.post(url, content=b'{"check_id": "A",', headers=headers), 400, "INVALID_JSON")
    assert_error(await client.post(url, content=b'{"details": {"n": 1e400}}', headers=headers), 400, "INVALID_JSON")
    assert_error(await client.post(url, content=b"[" * 100_000, headers=headers), 400, "INVALID_JSON")
    assert_error(await client.post(url, content=b"{}", headers=headers), 400, "MISSING_DATA")
    assert_error(await client.post(url + "/bulk", content=b"[]", headers=headers), 400, "INVALID_DATA")
    assert_error(await client.post(f"{BASE}/audits/424242/findings", json=finding("A")), 404, "NOT_FOUND")
    assert_error(await client.post(f"{BASE}/audits/x1/findings", json=finding("A")), 400, "INVALID_ID")
    assert_error(
        await client.post(f"{BASE}/audits/424242/findings/bulk", json={"findings": [finding("A")]}), 404, "NOT_FOUND"
    )

    await finish(client, audit_id, "failed", error_message="scan aborted")
    refused = assert_error(await client.post(url, json=finding("A")), 409, "AUDIT_FINISHED")
    assert refused["error"]["message"] == f"Audit {audit_id} is failed; a finished audit cannot be given more findings"
    assert_error(await client.post(url + "/bulk", json={"findings": [finding("A")]}), 409, "AUDIT_FINISHED")
    assert await count_rows(database, "findings") == 0


async def test_a_bulk_request_with_one_bad_item_stores_nothing(client: httpx.AsyncClient, database: Database) -> None:
    audit_id = await create_audit(client)
    items = [finding("A", "Critical"), finding("B", "Urgent"), finding("C", "Low", "pass")]
    response = await client.post(f"{BASE}/audits/{audit_id}/findings/bulk", json={"findings": items})
    body = assert_error(response, 400, "INVALID_FINDINGS")
    assert body["error"]["message"] == "1 of 3 findings are invalid; none were stored"
    assert body["errors"] == ["Finding 1: invalid severity 'Urgent' (use Critical, High, Medium, Low, Info)"]
    assert body["invalid_findings"] == [
        {
            "index": 1,
            "field": "severity",
            "code": "INVALID_SEVERITY",
            "message": "invalid severity 'Urgent' (use Critical, High, Medium, Low, Info)",
        }
    ]
    assert (body["total_submitted"], body["invalid_count"]) == (3, 1)
    assert await count_rows(database, "findings") == 0


async def test_every_invalid_bulk_item_is_reported_with_its_index(client: httpx.AsyncClient) -> None:
    audit_id = await create_audit(client)
    items: list[Any] = [
        finding("A"),
        {"check_name": "No id", "severity": "High", "status": "fail"},
        finding("C", status="broken"),
        "not an object",
        finding("E", severity="Extreme", status="nope", details=[1]),
        finding("A"),  # repeats item 0's check id
        finding("G", "info", "PASS"),
    ]
    body = assert_error(
        await client.post(f"{BASE}/audits/{audit_id}/findings/bulk", json={"findings": items}), 400, "INVALID_FINDINGS"
    )
    assert body["errors"] == [
        "Finding 1: check_id, check_name, severity, and status are required",
        "Finding 2: invalid status 'broken' (use pass, fail, warning, error)",
        "Finding 3: must be a JSON object",
        "Finding 4: invalid severity 'Extreme' (use Critical, High, Medium, Low, Info)",
        "Finding 4: invalid status 'nope' (use pass, fail, warning, error)",
        "Finding 4: details must be a JSON object or null",
        "Finding 5: check_id 'A' is also used by finding 0",
    ]
    assert [(p["index"], p["field"], p["code"]) for p in body["invalid_findings"]] == [
        (1, None, "MISSING_FIELDS"),
        (2, "status", "INVALID_STATUS"),
        (3, None, "INVALID_DATA"),
        (4, "severity", "INVALID_SEVERITY"),
        (4, "status", "INVALID_STATUS"),
        (4, "details", "INVALID_DATA"),
        (5, "check_id", "DUPLICATE_CHECK"),
    ]
    assert body["invalid_count"] == 5
    assert body["error"]["message"] == "5 of 7 findings are invalid; none were stored"


async def test_bulk_conflicts_with_stored_checks_store_nothing(client: httpx.AsyncClient, database: Database) -> None:
    audit_id = await audit_with(client, [finding("A"), finding("B")], status=None)
    items = [finding("C"), finding("B"), finding("D"), finding("A")]
    body = assert_error(
        await client.post(f"{BASE}/audits/{audit_id}/findings/bulk", json={"findings": items}), 409, "DUPLICATE_CHECK"
    )
    assert [(p["index"], p["code"]) for p in body["invalid_findings"]] == [
        (1, "DUPLICATE_CHECK"),
        (3, "DUPLICATE_CHECK"),
    ]
    assert body["errors"][0].startswith(f"Finding 1: check_id 'B' is already recorded for audit {audit_id}")
    assert await count_rows(database, "findings") == 2
    empty = await client.post(f"{BASE}/audits/{audit_id}/findings/bulk", json={"findings": []})
    assert empty.status_code == 201 and empty.json()["data"]["created_count"] == 0


async def test_bulk_body_shape(client: httpx.AsyncClient, database: Database) -> None:
    audit_id = await create_audit(client)
    url = f"{BASE}/audits/{audit_id}/findings/bulk"
    missing = assert_error(await client.post(url, json={"items": []}), 400, "MISSING_DATA")
    assert missing["error"]["message"] == "Request body must include 'findings' array"
    not_array = assert_error(await client.post(url, json={"findings": {"check_id": "A"}}), 400, "INVALID_DATA")
    assert not_array["error"]["message"] == "'findings' must be an array"
    assert await count_rows(database, "findings") == 0


def test_the_bulk_backstop_lies_above_what_the_gateway_body_limit_lets_through() -> None:
    """The spec sets no bulk limit: the gateway's body limit is what bounds a request, so the count backstop
    must not refuse any body the gateway lets through, even one of the smallest valid findings."""
    smallest = json.dumps({"check_id": "A", "check_name": "A", "severity": "Low", "status": "pass"})
    most_that_fit = DEFAULT_MAX_BODY_BYTES // (len(smallest.replace(" ", "")) + 1)
    default = TenantSweepSettings.model_fields["tenantsweep_bulk_max_findings"].default
    assert default == 200_000
    assert default > most_that_fit


async def test_the_bulk_backstop_is_a_setting(
    tenantsweep_settings: Callable[..., TenantSweepSettings], database: Database
) -> None:
    runtime = ServiceRuntime(SPEC, tenantsweep_settings(tenantsweep_bulk_max_findings=3), run_worker=False)
    try:
        transport = httpx.ASGITransport(app=create_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=identity_header()) as client:
            audit_id = await create_audit(client)
            url = f"{BASE}/audits/{audit_id}/findings/bulk"
            too_many = [finding(f"CHECK_{i}") for i in range(4)]
            oversize = assert_error(await client.post(url, json={"findings": too_many}), 400, "TOO_MANY_FINDINGS")
            assert (oversize["total_submitted"], oversize["max_findings"]) == (4, 3)
            assert await count_rows(database, "findings") == 0
            assert (await client.post(url, json={"findings": too_many[:3]})).status_code == 201
    finally:
        await runtime.database.dispose()


async def test_more_than_five_thousand_findings_in_one_request(client: httpx.AsyncClient) -> None:
    """Above the 5,000 the first version refused (a limit the spec never set), well inside the body limit."""
    audit_id = await create_audit(client)
    items = [finding(f"CHECK_{i:05d}", "Low", "pass", current_value=f"value {i}") for i in range(12_000)]
    body = json.dumps({"findings": items})
    assert len(body) < DEFAULT_MAX_BODY_BYTES
    response = await client.post(f"{BASE}/audits/{audit_id}/findings/bulk", content=body)
    assert response.status_code == 201, response.text[:300]
    assert response.json()["data"] == {"audit_id": audit_id, "created_count": 12_000, "total_submitted": 12_000}
    fetched = (await client.get(f"{BASE}/audits/{audit_id}", params={"include_findings": "false"})).json()["data"]
    assert (fetched["findings_count"], fetched["severity_summary"]) == (12_000, {"Low": 12_000})


async def test_five_thousand_findings_in_one_request(client: httpx.AsyncClient) -> None:
    audit_id = await create_audit(client)
    severities = ["Critical", "High", "Medium", "Low", "Info"]
    items = [
        finding(
            f"CHECK_{i:04d}",
            severities[i % 5],
            ["pass", "fail", "warning", "error"][i % 4],
            current_value=f'value {i}, "quoted"\nsecond line',
            details={"index": i, "tags": ["a", "b"]},
        )
        for i in range(5000)
    ]
    # How long this takes is measured by `make bench` (bench/tenantsweep_bench.py), not asserted here.
    response = await client.post(f"{BASE}/audits/{audit_id}/findings/bulk", content=json.dumps({"findings": items}))
    assert response.status_code == 201, response.text
    assert response.json()["data"] == {"audit_id": audit_id, "created_count": 5000, "total_submitted": 5000}
    detail = (await client.get(f"{BASE}/audits/{audit_id}")).json()["data"]
    assert detail["findings_count"] == 5000
    assert detail["severity_summary"] == dict.fromkeys(severities, 1000)
    by_id = {f["check_id"]: f for f in detail["findings"]}
    assert by_id["CHECK_4321"]["details"] == {"index": 4321, "tags": ["a", "b"]}
    assert by_id["CHECK_4321"]["current_value"] == 'value 4321, "quoted"\nsecond line'
    assert (by_id["CHECK_4321"]["severity"], by_id["CHECK_4321"]["status"]) == ("High", "fail")
