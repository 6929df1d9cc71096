"""Bus handler: ``ticket_metrics.collected`` → the month's three ConnectWise metrics, once per event (inbox)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.events import Event, TicketMetricsCollectedEvent
from hub_shared.logging import bound, get_logger
from hub_shared.messaging import EventHandler
from hub_shared.runtime import ServiceRuntime
from qbr.settings import QbrSettings
from qbr.tickets.service import store_month

log = get_logger(__name__)


def make_tickets_handler(runtime: ServiceRuntime) -> EventHandler:
    settings = runtime.settings
    assert isinstance(settings, QbrSettings)

    async def handle(session: AsyncSession, event: Event) -> None:
        if not isinstance(event, TicketMetricsCollectedEvent):
            return
        with bound(period=event.data.period.isoformat(), batch_id=event.data.batch_id):
            result = await store_month(session, settings, event.data)
            log.info(
                "ConnectWise ticket metrics stored", month=result.month.label, kept_manual=list(result.kept_manual)
            )

    return handle
