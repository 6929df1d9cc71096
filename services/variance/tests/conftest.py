"""Fixtures of the variance tests: the variance service (with its bus worker) next to the hub.

``variance_hub(sim)`` starts the variance service, then the gateway and both collectors (root
``hub_factory``) with the gateway routing to it. ``VarianceHub.collect`` runs a collection through the
gateway and waits until the variance service has consumed every resulting ``snapshot.completed``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest_asyncio
from sqlalchemy import text

from hub_shared.app import create_app
from hub_shared.db import Database
from hub_shared.identity import issue_identity, sign_identity
from hub_shared.runtime import ServiceRuntime
from hub_shared.settings import ServiceSettings
from hub_shared.testing.servers import running_server
from variance.definition import SPEC as VARIANCE
from variance.settings import VarianceSettings

HUB_ZONE = ZoneInfo("America/Chicago")


def hub_today() -> date:
    return datetime.now(HUB_ZONE).date()


def days_ago(days: int) -> date:
    return hub_today() - timedelta(days=days)


@dataclass
class VarianceHub:
    hub: Any
    runtime: ServiceRuntime
    url: str
    direct: httpx.AsyncClient
    consumed: int = 0

    @property
    def client(self) -> httpx.AsyncClient:
        """The gateway (public routes, as the dashboard calls them)."""
        client: httpx.AsyncClient = self.hub.client
        return client

    @property
    def database(self) -> Database:
        database: Database = self.hub.database
        return database

    @property
    def sim(self) -> Any:
        return self.hub.sim

    def signed(self, user: str = "alice@example.com", scopes: tuple[str, ...] = ("*",)) -> dict[str, str]:
        """The identity header the gateway would send for a signed-in user."""
        settings = self.runtime.settings
        identity = issue_identity(user, "session", email=user, scopes=scopes)
        return {"x-hub-identity": sign_identity(identity, settings.hub_internal_signing_key, audience="variance")}

    async def inbox_count(self) -> int:
        async with self.database.transaction() as session:
            return int((await session.execute(text("SELECT count(*) FROM variance.inbox"))).scalar_one())

    async def collect(
        self,
        snapshot_date: date,
        *,
        collectors: tuple[str, ...] = ("ninja", "threatlocker"),
        run_cross_vendor: bool = False,
        timeout: float = 60,
    ) -> dict[str, Any]:
        body = {
            "collectors": list(collectors),
            "run_cross_vendor": run_cross_vendor,
            "snapshot_date": snapshot_date.isoformat(),
        }
        batch: dict[str, Any] = await self.hub.run_and_wait(body, timeout=timeout)
        succeeded = sum(
            1 for job in batch["collectors"] if job["job_name"].endswith("-collector") and job["status"] == "completed"
        )
        self.consumed += succeeded
        deadline = asyncio.get_running_loop().time() + timeout
        while await self.inbox_count() < self.consumed:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("variance did not consume the snapshot events in time")
            await asyncio.sleep(0.1)
        return batch


async def add_aliases(vhub: VarianceHub, pairs: list[dict[str, str]]) -> None:
    for pair in pairs:
        response = await vhub.direct.post(
            "/api/organization-aliases",
            json={"ninja_name": pair["ninja"], "threatlocker_name": pair["threatlocker"]},
            params={"recompute": "false"},
            headers=vhub.signed(),
        )
        assert response.status_code == 201, response.text


@pytest_asyncio.fixture
async def variance_hub(
    hub_factory: Callable[..., Any], service_settings: Callable[..., ServiceSettings], database: Database
) -> AsyncIterator[Callable[..., Any]]:
    async with AsyncExitStack() as stack:

        async def start(sim: Any, **overrides: Any) -> VarianceHub:
            config = sim.sim.config
            values: dict[str, Any] = {
                "hub_spare_exempt_locations": list(config.spare_exempt_locations),
                "hub_internal_organizations": [config.internal_org_name],
                **overrides,
            }
            settings = service_settings(VARIANCE, **values)
            assert isinstance(settings, VarianceSettings)
            runtime = ServiceRuntime(VARIANCE, settings)
            url = await stack.enter_async_context(running_server(create_app(runtime)))
            hub = await hub_factory(sim, gateway={"variance_url": url})
            assert runtime.bus is not None
            await runtime.bus.wait_ready(15)
            direct = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30))
            return VarianceHub(hub=hub, runtime=runtime, url=url, direct=direct)

        yield start


# The fixed text every variance route answers for an unknown `variance_type` / `type` (with the value).
UNKNOWN_TYPE = (
    "Unknown variance_type '{}'. Use one of: all, missing_in_ninja, threatlocker_duplicates, ninja_duplicates, "
    "devices_that_should_not_have_threatlocker, display_name_mismatches, site_mismatches (or a type code: "
    "MISSING_NINJA, DUPLICATE_TL, DUPLICATE_NINJA, SPARE_MISMATCH, DISPLAY_NAME_MISMATCH, SITE_MISMATCH)"
)
