"""Storing a month of ConnectWise reactive-ticket figures as the collected QBR metrics (no SQL, no HTTP).

``reactive_tickets_created``, ``reactive_tickets_closed`` and ``reactive_time_spent`` (``vendor_id`` 3,
``data_source`` ``collected``), through the same write path as Ninja's seats and endpoints: a manual value
never replaces them unless forced, and a forced manual value is kept when the month is collected again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.events import TicketMetricsCollected
from qbr.catalog import CONNECTWISE_VENDOR_ID
from qbr.metrics import service as metrics
from qbr.periods import Month
from qbr.settings import QbrSettings

COLLECTOR = "collector:connectwise"


@dataclass(frozen=True)
class TicketMonth:
    month: Month
    kept_manual: tuple[str, ...]


def describe_definition(definition: dict[str, Any]) -> str:
    boards = ", ".join(str(board) for board in definition.get("boards") or []) or "all"
    text = f"{boards} board{'s' if len(definition.get('boards') or []) != 1 else ''}"
    if definition.get("parent_only"):
        text += ", parent tickets only"
    return text


async def store_month(session: AsyncSession, settings: QbrSettings, data: TicketMetricsCollected) -> TicketMonth:
    month = Month.of(data.period)
    scope = describe_definition(data.definition)
    closed = ", ".join(str(status) for status in data.definition.get("closed_statuses") or [])
    stamp = data.collected_at.strftime("%Y-%m-%dT%H:%MZ")
    written = await metrics.write_collected(
        session,
        settings.qbr_organization_id,
        month,
        {
            "reactive_tickets_created": Decimal(data.reactive_tickets_created),
            "reactive_tickets_closed": Decimal(data.reactive_tickets_closed),
            "reactive_time_spent": Decimal(data.reactive_time_spent),
        },
        {
            "reactive_tickets_created": f"{scope} (ConnectWise, {stamp})",
            "reactive_tickets_closed": f"{scope}; closed as {closed} (ConnectWise, {stamp})",
            "reactive_time_spent": f"Hours of time entries on reactive tickets: {scope} (ConnectWise, {stamp})",
        },
        COLLECTOR,
        vendor_id=CONNECTWISE_VENDOR_ID,
    )
    return TicketMonth(month, tuple(item.metric_name for item in written if item.kept_manual))
