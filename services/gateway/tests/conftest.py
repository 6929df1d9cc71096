"""The whole hub for the gateway's cross-service tests: all seven services for real, one collection done
(so reports exist), sign-in configured against a local OpenID provider, and a client holding an API token
with every scope, rate limits off."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from oidc_provider_mock import run_server_in_thread

from gateway.auth.service import utcnow
from hub_shared.app import create_app
from hub_shared.runtime import ServiceRuntime
from hub_shared.testing.servers import free_port, running_server


@pytest.fixture(scope="session")
def oidc_issuer() -> Iterator[str]:
    """A local OpenID provider (``oidc-provider-mock``), so sign-in is configured as in production."""
    with run_server_in_thread(port=free_port()) as server:
        yield f"http://localhost:{server.server_port}"


@pytest_asyncio.fixture
async def full_hub(hub_factory, vendor_sim, service_settings, oidc_issuer) -> AsyncIterator[httpx.AsyncClient]:
    from assessment.definition import SPEC as ASSESSMENT
    from notifier.definition import SPEC as NOTIFIER
    from qbr.definition import SPEC as QBR
    from tenantsweep.definition import SPEC as TENANTSWEEP
    from variance.definition import SPEC as VARIANCE

    async with AsyncExitStack() as stack:
        urls = {}
        for spec in (VARIANCE, ASSESSMENT, QBR, TENANTSWEEP, NOTIFIER):
            runtime = ServiceRuntime(spec, service_settings(spec))
            urls[f"{spec.name}_url"] = await stack.enter_async_context(running_server(create_app(runtime)))
        sim = stack.enter_context(vendor_sim(devices=150, seed=11))
        sign_in = {
            "oidc_issuer": oidc_issuer,
            "oidc_client_id": "inventory-hub-tests",
            "oidc_client_secret": "s3cret",
            "auth_allowed_emails": ["someone@example.com"],
        }
        limits = {"rate_limit_api_per_minute": 0, "rate_limit_login_per_minute": 0}
        collectors = ("collector_ninja", "collector_threatlocker", "collector_connectwise")
        hub = await hub_factory(sim, services=collectors, gateway={**urls, **sign_in, **limits})
        batch = await hub.run_and_wait()
        assert batch["status"] == "completed", batch
        await wait_for_report(hub.client)
        auth = hub.runtimes["gateway"].state["auth"]
        async with hub.database.transaction() as db:
            secret, _ = await auth.create_token(db, name="sweep", scopes=["*"], expires_at=utcnow() + timedelta(1))
        hub.client.headers["authorization"] = f"Bearer {secret}"
        yield hub.client


async def wait_for_report(client: httpx.AsyncClient) -> None:
    for _ in range(150):
        if (await client.get("/api/variance-report/latest")).status_code == 200:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the variance report never appeared")
