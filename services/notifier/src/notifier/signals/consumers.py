"""Bus handler: every consumed event that may start (or end) a condition is stored as a *signal*, in the
inbox transaction; the evaluator works through signals in order. Storing first keeps the consumer fast
and lets an evaluation that needs another service's API wait for it to come back without losing or
reordering anything. Heartbeats and other job progress are dropped here."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.events import Event, JobUpdatedEvent
from hub_shared.messaging import EventHandler
from hub_shared.runtime import ServiceRuntime
from notifier.models import signals

EVENT_TYPES = (
    "job.updated",
    "snapshot.completed",
    "variance.completed",
    "assessment.completed",
    "collection.refused",
    "tenantsweep.audit_completed",
)


def wanted(event: Event) -> bool:
    if isinstance(event, JobUpdatedEvent):
        return event.data.status in ("failed", "completed")
    return event.type in EVENT_TYPES


def make_event_handler(runtime: ServiceRuntime) -> EventHandler:
    async def handle(session: AsyncSession, event: Event) -> None:
        if not wanted(event):
            return
        await session.execute(
            insert(signals)
            .values(
                event_id=event.event_id,
                type=event.type,
                occurred_at=event.occurred_at,
                payload=event.model_dump(mode="json"),
            )
            .on_conflict_do_nothing(index_elements=["event_id"])
        )
        wake = runtime.state.get("signal_wake")
        if wake is not None:
            wake.set()

    return handle
