"""Fixtures of the TenantSweep tests: the service's app in process on the real test database, called the
way the gateway calls it (with a signed identity header), and small helpers to build audits.

``client`` is signed in as ``alice@example.com`` (a session holding every scope); ``anonymous`` sends no
identity header. ``database`` here is the test database with only TenantSweep's own tables emptied after
each test (cheaper than the plugin's truncation of every schema, and nothing else is written).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy import text

from hub_shared.app import create_app
from hub_shared.db import Database
from hub_shared.identity import AuthMethod, issue_identity, sign_identity
from hub_shared.runtime import ServiceRuntime
from tenantsweep.definition import SPEC
from tenantsweep.settings import TenantSweepSettings

SIGNING_KEY = "tenantsweep-test-signing-key"
ALICE = "alice@example.com"
BASE = "/api/tenantsweep"


def identity_header(
    user: str = ALICE,
    method: AuthMethod = "session",
    scopes: tuple[str, ...] = ("*",),
    key: str = SIGNING_KEY,
    ttl_seconds: int = 600,
) -> dict[str, str]:
    """The X-Hub-Identity header the gateway would send for this caller."""
    email = user if method == "session" else None
    identity = issue_identity(user, method, email=email, name=user, scopes=scopes, ttl_seconds=ttl_seconds)
    return {"x-hub-identity": sign_identity(identity, key, audience="tenantsweep")}


def finding(check_id: str, severity: str = "High", status: str = "fail", **extra: Any) -> dict[str, Any]:
    return {
        "check_id": check_id,
        "check_name": f"{check_id.replace('_', ' ').title()}",
        "severity": severity,
        "status": status,
        **extra,
    }


async def create_audit(client: httpx.AsyncClient, tenant_name: str = "ACME Corp", tenant_id: str = "acme-1") -> int:
    response = await client.post(f"{BASE}/audits", json={"tenant_name": tenant_name, "tenant_id": tenant_id})
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])


async def add_bulk(client: httpx.AsyncClient, audit_id: int, findings: list[dict[str, Any]]) -> None:
    response = await client.post(f"{BASE}/audits/{audit_id}/findings/bulk", json={"findings": findings})
    assert response.status_code == 201, response.text


async def finish(client: httpx.AsyncClient, audit_id: int, status: str = "completed", **fields: Any) -> None:
    response = await client.patch(f"{BASE}/audits/{audit_id}", json={"status": status, **fields})
    assert response.status_code == 200, response.text


async def audit_with(
    client: httpx.AsyncClient,
    findings: list[dict[str, Any]],
    *,
    tenant_name: str = "ACME Corp",
    tenant_id: str = "acme-1",
    status: str | None = "completed",
) -> int:
    """A new audit with these findings, completed (or left running with ``status=None``)."""
    audit_id = await create_audit(client, tenant_name, tenant_id)
    if findings:
        await add_bulk(client, audit_id, findings)
    if status is not None:
        await finish(client, audit_id, status)
    return audit_id


async def count_rows(database: Database, table: str) -> int:
    async with database.transaction() as session:
        return int((await session.execute(text(f"SELECT count(*) FROM tenantsweep.{table}"))).scalar_one())


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The spec's TenantSweep error shape, with this status and code; returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["success"] is False
    assert set(body["error"]) == {"code", "message", "status"}
    assert (body["error"]["code"], body["error"]["status"]) == (code, status), body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body


@pytest_asyncio.fixture
async def tenantsweep_settings(service_settings: Callable[..., Any]) -> Callable[..., TenantSweepSettings]:
    def build(**overrides: Any) -> TenantSweepSettings:
        settings = service_settings(SPEC, hub_internal_signing_key=SIGNING_KEY, **overrides)
        assert isinstance(settings, TenantSweepSettings)
        return settings

    return build


@pytest_asyncio.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url, pool_size=5, application_name="tenantsweep-tests")
    try:
        yield db
    finally:
        async with db.transaction() as session:
            await session.execute(text("TRUNCATE tenantsweep.findings, tenantsweep.audits RESTART IDENTITY CASCADE"))
        await db.dispose()


@pytest_asyncio.fixture
async def app_runtime(
    database: Database, tenantsweep_settings: Callable[..., TenantSweepSettings]
) -> AsyncIterator[ServiceRuntime]:
    """The service's runtime (routes only: it has no consumers or workers to start)."""
    runtime = ServiceRuntime(SPEC, tenantsweep_settings(), run_worker=False)
    try:
        yield runtime
    finally:
        await runtime.database.dispose()


def _client(runtime: ServiceRuntime, headers: dict[str, str]) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(runtime))
    return httpx.AsyncClient(transport=transport, base_url="http://tenantsweep", headers=headers, timeout=30)


@pytest_asyncio.fixture
async def client(app_runtime: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app_runtime, identity_header()) as http:
        yield http


@pytest_asyncio.fixture
async def anonymous(app_runtime: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app_runtime, {}) as http:
        yield http
