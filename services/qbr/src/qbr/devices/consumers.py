"""Bus handler: a Ninja ``snapshot.completed`` → count that snapshot's seats and endpoints into its month.

The handler runs inside the inbox transaction (``hub_shared.messaging.InboxConsumer``): the counts and
the inbox row commit together, so a redelivered event changes nothing. ThreatLocker snapshots are
ignored. A failure re-raises: the event is redelivered and, if it keeps failing, dead-lettered.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.events import Event, SnapshotCompletedEvent
from hub_shared.logging import bound, get_logger
from hub_shared.messaging import EventHandler
from hub_shared.runtime import ServiceRuntime
from qbr.devices.service import collect_snapshot
from qbr.settings import QbrSettings

log = get_logger(__name__)


def make_snapshot_handler(runtime: ServiceRuntime) -> EventHandler:
    settings = runtime.settings
    assert isinstance(settings, QbrSettings)

    async def handle(session: AsyncSession, event: Event) -> None:
        if not isinstance(event, SnapshotCompletedEvent) or event.data.vendor != "ninja":
            return
        day = event.data.snapshot_date
        with bound(snapshot_date=day.isoformat(), batch_id=event.data.batch_id):
            result = await collect_snapshot(session, settings, day)
            if not result.applied:
                log.info("snapshot not counted", month=result.month.label, reason=result.reason)
                return
            log.info(
                "seats and endpoints counted",
                month=result.month.label,
                clients=result.clients,
                seats=result.seats,
                endpoints=result.endpoints,
                kept_manual=list(result.kept_manual),
            )

    return handle
