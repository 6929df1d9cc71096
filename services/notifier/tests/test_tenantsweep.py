"""A finished TenantSweep audit (``tenantsweep.audit_completed``, written by TenantSweep's outbox) is
compared with the tenant's previous one through the TenantSweep API: new failures and worse severities
are announced, with TenantSweep's severities mapped to the notifier's."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import httpx

from hub_shared.app import create_app
from hub_shared.runtime import ServiceRuntime
from hub_shared.testing.servers import running_server
from tenantsweep.definition import SPEC as TENANTSWEEP

from .conftest import NotifierHandle, signed_headers


def finding(check_id: str, severity: str, status: str) -> dict[str, Any]:
    return {"check_id": check_id, "check_name": check_id.title(), "severity": severity, "status": status}


async def audit(client: httpx.AsyncClient, findings: list[dict[str, Any]]) -> int:
    created = await client.post("/api/tenantsweep/audits", json={"tenant_name": "Contoso", "tenant_id": "contoso"})
    assert created.status_code == 201, created.text
    audit_id = int(created.json()["data"]["id"])
    added = await client.post(f"/api/tenantsweep/audits/{audit_id}/findings/bulk", json={"findings": findings})
    assert added.status_code == 201, added.text
    done = await client.patch(f"/api/tenantsweep/audits/{audit_id}", json={"status": "completed"})
    assert done.status_code == 200, done.text
    return audit_id


async def test_new_failures_and_worse_severities_of_an_audit_are_announced(
    service_settings, notifier_factory, receiver
) -> None:
    async with AsyncExitStack() as stack:
        runtime = ServiceRuntime(TENANTSWEEP, service_settings(TENANTSWEEP))
        url = await stack.enter_async_context(running_server(create_app(runtime)))
        assert runtime.bus is not None
        await runtime.bus.wait_ready(15)
        notifier: NotifierHandle = await notifier_factory(tenantsweep_url=url)
        client = await stack.enter_async_context(
            httpx.AsyncClient(
                base_url=url, headers=signed_headers(notifier.settings, ("tenantsweep:write",), audience="tenantsweep")
            )
        )
        hook = await notifier.channel(name="hook", kind="webhook", url=f"{receiver.url}/ts")
        await notifier.rule(name="m365", condition="tenantsweep_regression", channel_ids=[hook["id"]])

        await audit(client, [finding("MFA", "High", "fail"), finding("DLP", "Medium", "pass")])
        await notifier.signals_evaluated(1)
        assert await notifier.settled() == []  # a first audit has nothing to compare with
        later = await audit(
            client,
            [finding("MFA", "Critical", "fail"), finding("DLP", "Medium", "fail"), finding("LOGS", "Low", "pass")],
        )
        await notifier.signals_evaluated(2)
        [delivery] = await notifier.settled()
        assert delivery["status"] == "delivered" and delivery["severity"] == "critical"
    items = receiver.requests[-1].json()["data"]["items"]
    found = {(i["details"]["check_id"], i["details"]["reason"], i["severity"]) for i in items}
    assert found == {("DLP", "new failure", "warning"), ("MFA", "worse severity", "critical")}
    assert {i["details"]["audit_id"] for i in items} == {later}
    assert {i["organization"] for i in items} == {"Contoso"}
