"""Through the real gateway: TenantSweep is protected (the spec's 401 without credentials), an API token
with the TenantSweep scope works end to end and is recorded as ``initiated_by``, tenant names with spaces
and Unicode (and "%", "?", "#") survive the proxy, and the CSV export streams through it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest_asyncio
from sqlalchemy import text

from gateway.auth.service import AuthService, utcnow
from gateway.definition import SPEC as GATEWAY
from hub_shared.app import create_app
from hub_shared.db import Database
from hub_shared.runtime import ServiceRuntime
from hub_shared.testing.servers import free_port, running_server
from tenantsweep.definition import SPEC
from tenantsweep.settings import TenantSweepSettings

from .conftest import BASE, SIGNING_KEY, finding

UNAUTHENTICATED = {"error": "Authentication required", "message": "Please log in to access this resource"}


@dataclass
class Edge:
    client: httpx.AsyncClient
    gateway: ServiceRuntime

    async def token(self, name: str, scopes: list[str]) -> dict[str, str]:
        auth: AuthService = self.gateway.state["auth"]
        async with self.gateway.database.transaction() as db:
            secret, _ = await auth.create_token(db, name=name, scopes=scopes, expires_at=utcnow() + timedelta(hours=1))
        return {"authorization": f"Bearer {secret}"}


@pytest_asyncio.fixture
async def edge(
    database: Database,
    service_settings: Callable[..., Any],
    tenantsweep_settings: Callable[..., TenantSweepSettings],
) -> AsyncIterator[Edge]:
    """The tenantsweep service and the gateway (no sign-in provider: API tokens only) on real ports."""
    async with AsyncExitStack() as stack:
        service = ServiceRuntime(SPEC, tenantsweep_settings(), run_worker=False)
        service_url = await stack.enter_async_context(running_server(create_app(service)))
        unused = f"http://127.0.0.1:{free_port()}"
        settings = service_settings(
            GATEWAY,
            tenantsweep_url=service_url,
            **{
                f"{name}_url": unused
                for name in ("collector_ninja", "collector_threatlocker", "variance", "assessment", "qbr")
            },
            hub_internal_signing_key=SIGNING_KEY,
            collector_schedule_enabled=False,
            session_cookie_secure=False,
        )
        gateway = ServiceRuntime(GATEWAY, settings, run_worker=False)
        base = await stack.enter_async_context(running_server(create_app(gateway)))
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=30))
        try:
            yield Edge(client, gateway)
        finally:
            async with database.transaction() as session:
                await session.execute(text("DELETE FROM gateway.api_tokens WHERE name LIKE 'tenantsweep-test-%'"))


async def test_protected_without_credentials_and_working_with_an_api_token(edge: Edge) -> None:
    client = edge.client
    for method, path in (("GET", "/audits"), ("POST", "/audits"), ("GET", "/overview"), ("PATCH", "/audits/1")):
        refused = await client.request(method, BASE + path, json={"tenant_name": "A", "tenant_id": "a"})
        assert (refused.status_code, refused.json()) == (401, UNAUTHENTICATED), path

    scanner = await edge.token("tenantsweep-test-scanner", ["tenantsweep:write"])
    name = "Müller & Söhne GmbH"
    created = await client.post(f"{BASE}/audits", json={"tenant_name": name, "tenant_id": "ms-1"}, headers=scanner)
    assert created.status_code == 201, created.text
    audit = created.json()["data"]
    assert (audit["tenant_name"], audit["initiated_by"], audit["created_by"]) == (
        name,
        "token:tenantsweep-test-scanner",
        "token:tenantsweep-test-scanner",
    )
    audit_id = audit["id"]
    bulk = [finding("MFA", "Critical", current_value='45 users, "none" enforced'), finding("SPF", "Low", "pass")]
    added = await client.post(f"{BASE}/audits/{audit_id}/findings/bulk", json={"findings": bulk}, headers=scanner)
    assert added.status_code == 201, added.text
    completed = await client.patch(
        f"{BASE}/audits/{audit_id}", json={"status": "completed", "summary": {"Critical": 1}}, headers=scanner
    )
    assert completed.status_code == 200, completed.text  # PATCH passes the gateway (the old CORS list lacked it)

    latest = await client.get(f"{BASE}/tenants/{quote(name, safe='')}/latest-audit", headers=scanner)
    assert latest.status_code == 200, latest.text
    assert (latest.json()["data"]["id"], latest.json()["data"]["findings_count"]) == (audit_id, 2)

    # Characters that mean something in a URL reach the service as the client encoded them.
    tricky = "50%AB Corp / Who? #1 + Co"
    other = await client.post(f"{BASE}/audits", json={"tenant_name": tricky, "tenant_id": "t-2"}, headers=scanner)
    other_id = other.json()["data"]["id"]
    await client.patch(f"{BASE}/audits/{other_id}", json={"status": "completed"}, headers=scanner)
    found = await client.get(f"{BASE}/tenants/{quote(tricky, safe='')}/latest-audit", headers=scanner)
    assert (found.status_code, found.json()["data"]["tenant_name"]) == (200, tricky)

    exported = await client.get(f"{BASE}/audits/{audit_id}/export/csv", headers=scanner)
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.headers["content-disposition"].startswith('attachment; filename="tenantsweep_Muller_&_Sohne_GmbH_')
    assert "content-length" not in exported.headers  # streamed through the proxy
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["Check ID"], r["Current Value"]) for r in rows] == [("MFA", '45 users, "none" enforced'), ("SPF", "")]

    # The service's own errors keep the spec's shape through the gateway.
    missing = await client.get(f"{BASE}/audits/999999", headers=scanner)
    assert missing.status_code == 404
    assert missing.json() == {
        "success": False,
        "error": {"code": "NOT_FOUND", "message": "Audit with ID 999999 not found", "status": 404},
    }

    reader = await edge.token("tenantsweep-test-dashboard", ["tenantsweep:read"])
    assert (await client.get(f"{BASE}/overview", headers=reader)).json()["data"]["total_count"] == 2
    refused = await client.post(f"{BASE}/audits", json={"tenant_name": "A", "tenant_id": "a"}, headers=reader)
    assert refused.status_code == 403


async def test_a_bulk_request_just_under_the_gateways_body_limit_is_stored_whole(edge: Edge) -> None:
    """The spec sets no bulk limit: whatever the gateway's body limit lets through is taken, all of it (the
    first version refused more than 5,000 findings, about a third of what a 10 MiB body carries)."""
    scanner = await edge.token("tenantsweep-test-bulk", ["tenantsweep:read", "tenantsweep:write"])
    created = await edge.client.post(f"{BASE}/audits", json={"tenant_name": "Big", "tenant_id": "big"}, headers=scanner)
    audit_id = created.json()["data"]["id"]
    limit = edge.gateway.settings.max_request_body_bytes
    item = finding(
        "CHECK_000000",
        current_value="Enabled for: " + ", ".join(f"user{n}@big.example" for n in range(12)),
        expected_value="Disabled for every mailbox",
        details={"mailboxes": [f"user{n}@big.example" for n in range(6)], "checked": 250},
        recommendation="Turn off automatic external forwarding in the outbound spam policy",
    )
    count = (limit - 1024) // (len(json.dumps(item)) + 2)
    items = [{**item, "check_id": f"CHECK_{i:06d}"} for i in range(count)]
    body = json.dumps({"findings": items}).encode()
    assert limit - 64 * 1024 < len(body) <= limit
    assert count > 5000

    stored = await edge.client.post(
        f"{BASE}/audits/{audit_id}/findings/bulk",
        content=body,
        headers={**scanner, "content-type": "application/json"},
    )
    assert stored.status_code == 201, stored.text[:300]
    assert stored.json() == {
        "success": True,
        "data": {"audit_id": audit_id, "created_count": count, "total_submitted": count},
    }
    counted = await edge.client.get(f"{BASE}/audits/{audit_id}", params={"include_findings": "false"}, headers=scanner)
    assert counted.json()["data"]["findings_count"] == count
