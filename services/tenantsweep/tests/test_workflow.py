"""The spec's whole TenantSweep workflow (create, bulk add, complete with summary, fetch, list, latest,
export) round-trips exact values through the service, in the spec's success/data envelope."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import httpx

from .conftest import ALICE, BASE

AUDIT_KEYS = {
    "id", "tenant_name", "tenant_id", "status", "started_at", "completed_at", "summary", "error_message",
    "initiated_by", "created_at",
}  # fmt: skip
FINDING_KEYS = {
    "id", "audit_id", "check_id", "check_name", "severity", "status", "current_value", "expected_value", "details",
    "recommendation", "created_at",
}  # fmt: skip

# The spec's example audit: 1 Critical, 2 High, 5 Medium (submitted out of order, mixed case).
FINDINGS: list[dict[str, Any]] = [
    {"check_id": "SPF_RECORD", "check_name": "SPF record", "severity": "Medium", "status": "warning",
     "current_value": "~all", "expected_value": "-all", "details": None, "recommendation": "Use a hard fail"},
    {"check_id": "MFA_ENFORCEMENT", "check_name": "MFA Enforcement", "severity": "critical", "status": "FAIL",
     "current_value": "MFA not enforced for 45 users", "expected_value": "MFA required for all users",
     "details": {"users_without_mfa": 45, "total_users": 100, "sample": ["ann@acme.example", "bob@acme.example"]},
     "recommendation": "Enable MFA via Conditional Access policy"},
    {"check_id": "LEGACY_AUTH", "check_name": "Legacy authentication", "severity": "High", "status": "fail",
     "current_value": "Allowed", "expected_value": "Blocked", "details": {"protocols": ["IMAP", "POP"]},
     "recommendation": "Block legacy authentication, \"everywhere\",\nincluding service accounts"},
    {"check_id": "ADMIN_COUNT", "check_name": "Global admins", "severity": "HIGH", "status": "pass",
     "current_value": "3", "expected_value": "2 to 4"},
    {"check_id": "AUDIT_LOG", "check_name": "Unified audit log", "severity": "Medium", "status": "pass"},
    {"check_id": "DKIM", "check_name": "DKIM signing", "severity": "Medium", "status": "error",
     "current_value": None, "details": {"error": "Graph returned 503"}},
    {"check_id": "EXTERNAL_FORWARDING", "check_name": "External forwarding", "severity": "medium", "status": "fail",
     "current_value": "Enabled for 2 mailboxes", "expected_value": "Disabled", "details": {"mailboxes": 2}},
    {"check_id": "SELF_SERVICE_PASSWORD_RESET", "check_name": "Self-service password reset", "severity": "Medium",
     "status": "Pass", "recommendation": "Keep it on ✓"},
]  # fmt: skip
SEVERITY_ORDER = ["Critical", "High", "Medium", "Low", "Info"]


def expected_finding(item: dict[str, Any]) -> dict[str, Any]:
    """What the service must store for a submitted item: canonical severity, lower-case status."""
    return {
        "check_id": item["check_id"],
        "check_name": item["check_name"],
        "severity": item["severity"].capitalize(),
        "status": item["status"].lower(),
        "current_value": item.get("current_value"),
        "expected_value": item.get("expected_value"),
        "details": item.get("details"),
        "recommendation": item.get("recommendation"),
    }


def timestamp(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value)


async def test_the_spec_workflow_round_trips_exact_values(client: httpx.AsyncClient) -> None:
    before = datetime.now(UTC)
    # 1. Create: running, with what was sent.
    created = await client.post(
        f"{BASE}/audits",
        json={"tenant_name": "ACME Corp", "tenant_id": "abc-123-def-456", "initiated_by": "user@enersystems.com"},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["success"] is True
    audit = body["data"]
    assert set(audit) == AUDIT_KEYS | {"created_by"}
    audit_id = audit["id"]
    assert isinstance(audit_id, int)
    assert {
        k: audit[k] for k in ("tenant_name", "tenant_id", "status", "completed_at", "summary", "error_message")
    } == {
        "tenant_name": "ACME Corp",
        "tenant_id": "abc-123-def-456",
        "status": "running",
        "completed_at": None,
        "summary": None,
        "error_message": None,
    }
    assert audit["initiated_by"] == "user@enersystems.com"
    assert audit["created_by"] == ALICE  # who the gateway vouched for, whatever the body claimed
    assert before <= timestamp(audit["started_at"]) <= datetime.now(UTC)
    assert audit["created_at"] == audit["started_at"]

    # 2. Bulk add.
    added = await client.post(f"{BASE}/audits/{audit_id}/findings/bulk", json={"findings": FINDINGS})
    assert added.status_code == 201
    assert added.json() == {
        "success": True,
        "data": {"audit_id": audit_id, "created_count": 8, "total_submitted": 8},
    }

    # 3. Complete with the summary the caller computed.
    summary = {"Critical": 1, "High": 2, "Medium": 5}
    completed = await client.patch(f"{BASE}/audits/{audit_id}", json={"status": "completed", "summary": summary})
    assert completed.status_code == 200
    done = completed.json()["data"]
    assert (done["status"], done["summary"], done["error_message"]) == ("completed", summary, None)
    assert timestamp(done["started_at"]) <= timestamp(done["completed_at"]) <= datetime.now(UTC)
    assert {k: done[k] for k in AUDIT_KEYS - {"status", "summary", "completed_at"}} == {
        k: audit[k] for k in AUDIT_KEYS - {"status", "summary", "completed_at"}
    }

    # 4. Fetch: every finding exactly as sent (normalised), Critical first, then by check id.
    fetched = (await client.get(f"{BASE}/audits/{audit_id}")).json()
    assert fetched["success"] is True
    detail = fetched["data"]
    assert {k: detail[k] for k in AUDIT_KEYS} == {k: done[k] for k in AUDIT_KEYS}
    expected = sorted(
        (expected_finding(item) for item in FINDINGS),
        key=lambda f: (SEVERITY_ORDER.index(f["severity"]), f["check_id"]),
    )
    assert [{k: f[k] for k in expected[0]} for f in detail["findings"]] == expected
    for stored in detail["findings"]:
        assert set(stored) == FINDING_KEYS and stored["audit_id"] == audit_id
        assert before <= timestamp(stored["created_at"]) <= timestamp(done["completed_at"])
    assert detail["findings_count"] == 8
    assert detail["severity_summary"] == {"Critical": 1, "High": 2, "Medium": 5}
    assert list(detail["severity_summary"]) == ["Critical", "High", "Medium"]

    # A second tenant, still running, to show the list's filters.
    other = await client.post(f"{BASE}/audits", json={"tenant_name": "Globex", "tenant_id": "globex-9"})
    other_id = other.json()["data"]["id"]

    # 5. List: the audit as created/completed, with the list envelope.
    listed = (await client.get(f"{BASE}/audits", params={"tenant_name": "acme"})).json()
    assert listed["success"] is True
    assert listed["data"]["total_count"] == 1
    assert (listed["data"]["limit"], listed["data"]["offset"]) == (50, 0)
    entry = listed["data"]["audits"][0]
    assert {k: entry[k] for k in AUDIT_KEYS} == {k: done[k] for k in AUDIT_KEYS}
    assert "findings" not in entry
    everything = (await client.get(f"{BASE}/audits")).json()["data"]
    assert [a["id"] for a in everything["audits"]] == [other_id, audit_id]  # newest first
    completed_only = (await client.get(f"{BASE}/audits", params={"status": "completed"})).json()["data"]
    assert [a["id"] for a in completed_only["audits"]] == [audit_id]

    # 6. Latest completed audit of the tenant (URL-encoded name): the same as fetching it.
    latest = await client.get(f"{BASE}/tenants/ACME%20Corp/latest-audit")
    assert latest.status_code == 200
    assert latest.json() == fetched

    # 7. Export: the stored findings, in the same order.
    exported = await client.get(f"{BASE}/audits/{audit_id}/export/csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    day = timestamp(done["started_at"]).strftime("%Y%m%d")
    assert exported.headers["content-disposition"] == f'attachment; filename="tenantsweep_ACME_Corp_{day}.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [
        {
            "check_id": r["Check ID"],
            "check_name": r["Check Name"],
            "severity": r["Severity"],
            "status": r["Status"],
            "current_value": r["Current Value"] or None,
            "expected_value": r["Expected Value"] or None,
            "details": json.loads(r["Details"]) if r["Details"] else None,
            "recommendation": r["Recommendation"] or None,
        }
        for r in rows
    ] == expected
    assert [r["Created At"] for r in rows] == [f["created_at"] for f in detail["findings"]]
