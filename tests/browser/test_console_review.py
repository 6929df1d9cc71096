"""TenantSweep compare, and a session that expires while a protected page is open (issue 13)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete

# The first test of a session also waits for the stack (and the console build) to start.
pytestmark = pytest.mark.timeout(600)

DEV_NAME = "Dev Operator"


def finding(check_id: str, severity: str, status: str) -> dict[str, Any]:
    return {
        "check_id": check_id,
        "check_name": check_id.replace("_", " ").title(),
        "severity": severity,
        "status": status,
    }


def audit(api: Any, origin: str, tenant: str, findings: list[dict[str, Any]]) -> int:
    headers = {"origin": origin}
    created = api.post(
        "/api/tenantsweep/audits", json={"tenant_name": tenant, "tenant_id": tenant.lower()}, headers=headers
    )
    assert created.status_code == 201, created.text
    audit_id = int(created.json()["data"]["id"])
    added = api.post(f"/api/tenantsweep/audits/{audit_id}/findings/bulk", json={"findings": findings}, headers=headers)
    assert added.status_code == 201, added.text
    done = api.patch(f"/api/tenantsweep/audits/{audit_id}", json={"status": "completed"}, headers=headers)
    assert done.status_code == 200, done.text
    return audit_id


def test_a_tenantsweep_compare_shows_what_changed_between_two_audits(console: Any, visit: Any) -> None:
    with console.api() as api:
        audit(api, console.base, "Contoso", [
            finding("MFA_ADMINS", "Critical", "fail"), finding("LEGACY_AUTH", "High", "fail"),
            finding("AUDIT_LOG", "Medium", "pass"), finding("GUEST_INVITES", "Low", "warning"),
            finding("DLP_POLICY", "High", "fail"),
        ])  # fmt: skip
        later = audit(api, console.base, "Contoso", [
            finding("MFA_ADMINS", "Critical", "pass"), finding("LEGACY_AUTH", "Critical", "fail"),
            finding("AUDIT_LOG", "Medium", "fail"), finding("GUEST_INVITES", "Low", "warning"),
        ])  # fmt: skip
        expected = api.get(f"/api/tenantsweep/audits/{later}/compare").json()["data"]
    sections = ("new_failures", "fixed", "still_failing", "not_rechecked", "changed_severity")
    assert {key: len(expected[key]) for key in sections} == {
        "new_failures": 1, "fixed": 1, "still_failing": 2, "not_rechecked": 1, "changed_severity": 1,
    }  # fmt: skip

    seen = visit()
    seen.sign_in(f"/tenantsweep/audits/{later}")
    page = seen.page
    expect(page.get_by_test_id("page-tenantsweep-audit")).to_be_visible()
    expect(page.get_by_test_id("finding-row")).to_have_count(4)
    seen.shot("tenantsweep-audit")
    page.get_by_test_id("audit-compare").click()
    expect(page.get_by_test_id("page-tenantsweep-compare")).to_be_visible()
    for key in sections:
        section = page.get_by_test_id(f"compare-{key}")
        expect(section.get_by_test_id("compare-count")).to_have_text(str(len(expected[key])))
        for change in expected[key]:
            expect(section).to_contain_text(change["check_id"])
    seen.shot("tenantsweep-compare")
    seen.goto("/tenantsweep")
    expect(page.get_by_test_id("tenant-overview-table")).to_contain_text("Contoso")
    seen.shot("tenantsweep")


def expire_sessions(console: Any) -> None:
    from gateway.auth.models import auth_sessions

    async def run() -> None:
        async with console.services["gateway"].runtime.database.transaction() as db:
            await db.execute(delete(auth_sessions))

    console.call(run())


def test_a_401_mid_session_signs_in_again_and_returns_to_the_same_page(console: Any, visit: Any) -> None:
    seen = visit()
    seen.sign_in("/overview")
    page = seen.page
    expect(page.get_by_test_id("page-overview")).to_be_visible()
    expire_sessions(console)  # the session ends on the server (expiry, revocation) while the page is open
    page.get_by_role("navigation", name="Main").get_by_role("link", name="TenantSweep").click()
    expect(page.get_by_test_id("page-tenantsweep")).to_be_visible()
    expect(page.get_by_test_id("session-expired")).to_be_visible()
    seen.shot("session-expired")
    page.get_by_test_id("session-expired-sign-in").click()
    seen.authorize()
    page.wait_for_url(re.compile(re.escape(console.base) + r"/tenantsweep(\?.*)?$"))
    expect(page.get_by_test_id("page-tenantsweep")).to_be_visible()
    expect(page.get_by_test_id("user-name")).to_have_text(DEV_NAME)
    expect(page.get_by_test_id("session-expired")).to_be_hidden()
    expect(page.get_by_test_id("tenant-overview-table")).to_be_visible()
