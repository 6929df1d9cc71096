"""Bus handlers of collector runs: ``job.updated`` from every service doing batch work."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.collectors.service import apply_job_update
from hub_shared.events import Event, JobUpdatedEvent
from hub_shared.messaging import EventHandler
from hub_shared.runtime import ServiceRuntime


def make_job_update_handler(_runtime: ServiceRuntime) -> EventHandler:
    async def handle(session: AsyncSession, event: Event) -> None:
        if isinstance(event, JobUpdatedEvent):
            await apply_job_update(session, event.data)

    return handle
