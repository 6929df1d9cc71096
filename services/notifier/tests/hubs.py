"""The notifier next to a real hub: gateway, both collectors and variance against the vendor simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from hub_shared.app import create_app
from hub_shared.runtime import ServiceRuntime
from hub_shared.settings import ServiceSettings
from hub_shared.testing.servers import running_server
from variance.definition import SPEC as VARIANCE

HUB_ZONE = ZoneInfo("America/Chicago")


def days_ago(days: int) -> date:
    return datetime.now(HUB_ZONE).date() - timedelta(days=days)


@dataclass
class VarianceStack:
    hub: Any
    runtime: ServiceRuntime
    url: str
    consumed: int = 0

    async def collect(self, snapshot_date: date, timeout: float = 90) -> None:
        """Run a collection and wait until variance has handled both snapshots (and published its reports)."""
        body = {
            "collectors": ["ninja", "threatlocker"],
            "run_cross_vendor": False,
            "snapshot_date": snapshot_date.isoformat(),
        }
        batch = await self.hub.run_and_wait(body, timeout=timeout)
        assert batch["status"] == "completed", batch
        self.consumed += 2
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            async with self.hub.database.transaction() as session:
                handled, unpublished = (
                    await session.execute(
                        text(
                            "SELECT (SELECT count(*) FROM variance.inbox),"
                            " (SELECT count(*) FROM variance.outbox WHERE published_at IS NULL)"
                        )
                    )
                ).one()
            if handled >= self.consumed and not unpublished:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("variance did not handle the snapshots in time")
            await asyncio.sleep(0.1)

    async def published_reports(self) -> int:
        async with self.hub.database.transaction() as session:
            return int(
                (
                    await session.execute(
                        text(
                            "SELECT count(*) FROM variance.outbox WHERE type = 'variance.completed'"
                            " AND published_at IS NOT NULL"
                        )
                    )
                ).scalar_one()
            )

    async def active_exception_ids(self, day: date) -> dict[int, dict[str, Any]]:
        client = self.hub.client
        found: dict[int, dict[str, Any]] = {}
        offset = 0
        while True:
            page = (
                await client.get(
                    "/api/exceptions",
                    params={"date": day.isoformat(), "status": "active", "limit": 1000, "offset": offset},
                )
            ).json()
            found.update({item["id"]: item for item in page})
            if len(page) < 1000:
                return found
            offset += 1000


async def start_variance(
    stack: AsyncExitStack, sim: Any, hub_factory: Callable[..., Any], service_settings: Callable[..., ServiceSettings]
) -> VarianceStack:
    config = sim.sim.config
    settings = service_settings(
        VARIANCE,
        hub_spare_exempt_locations=list(config.spare_exempt_locations),
        hub_internal_organizations=[config.internal_org_name],
    )
    runtime = ServiceRuntime(VARIANCE, settings)
    url = await stack.enter_async_context(running_server(create_app(runtime)))
    hub = await hub_factory(sim, gateway={"variance_url": url})
    assert runtime.bus is not None
    await runtime.bus.wait_ready(15)
    return VarianceStack(hub=hub, runtime=runtime, url=url)


async def reports_evaluated(notifier: Any, stack: VarianceStack, timeout: float = 90) -> None:
    """Wait until the notifier has evaluated every variance.completed variance has published."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        published = await stack.published_reports()
        async with notifier.database.transaction() as session:
            evaluated = (
                await session.execute(
                    text(
                        "SELECT count(*) FROM notifier.signals WHERE type = 'variance.completed'"
                        " AND evaluated_at IS NOT NULL"
                    )
                )
            ).scalar_one()
        if published and evaluated >= published:
            await notifier.settled()
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"notifier evaluated {evaluated} of {published} variance reports")
        await asyncio.sleep(0.2)
