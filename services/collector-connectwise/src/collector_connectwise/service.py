"""Counting a month of reactive tickets, storing it, and announcing it (no HTTP, no SQL here).

Per month: two ``/count`` calls (created, closed) and the month's service-ticket time entries (paged,
1000 a page), whose tickets are then checked against the reactive definition in bounded ``id IN (...)``
batches — so no URL grows with the month's volume. Each month is written in its own savepoint with its
``ticket_metrics.collected`` event: a month that fails (after the client's retries) changes nothing, its
previous figures stay, and the other months of the run still count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from collector_connectwise import repository as repo
from collector_connectwise.client import ConnectWiseClient
from collector_connectwise.mapping import Definition, Month, batches
from collector_connectwise.settings import ConnectWiseCollectorSettings
from hub_shared.events import TicketMetricsCollected, new_event
from hub_shared.jobs import JobReporter
from hub_shared.logging import get_logger
from hub_shared.messaging import MessagingTables, enqueue, is_infrastructure_error
from hub_shared.vendor_http import VendorUnavailable

log = get_logger(__name__)

HOURS = Decimal("0.01")
PRODUCER = "collector_connectwise"


def definition_of(settings: ConnectWiseCollectorSettings) -> Definition:
    return Definition(
        boards=tuple(settings.connectwise_boards),
        parent_only=settings.connectwise_parent_only,
        closed_statuses=tuple(settings.connectwise_closed_statuses),
        time_entry_date=settings.connectwise_time_entry_date,
    )


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    window_start: datetime
    window_end: datetime
    created: int
    closed: int
    hours: Decimal
    time_entries: int


async def count_month(client: ConnectWiseClient, settings: ConnectWiseCollectorSettings, month: Month) -> MonthFigures:
    """The month's three figures, straight from ConnectWise (raises VendorUnavailable on failure)."""
    definition = definition_of(settings)
    start, end = month.window(settings.timezone)
    created = await client.count("service/tickets", definition.created(start, end))
    closed = await client.count("service/tickets", definition.closed(start, end))
    hours_by_ticket: dict[int, Decimal] = {}
    entries_by_ticket: dict[int, int] = {}
    async for page in client.pages("time/entries", definition.service_time(start, end), "id,chargeToId,actualHours"):
        for entry in page:
            if entry.get("chargeToId") is None:
                continue
            ticket_id = int(entry["chargeToId"])
            hours = Decimal(str(entry.get("actualHours") or 0))
            hours_by_ticket[ticket_id] = hours_by_ticket.get(ticket_id, Decimal(0)) + hours
            entries_by_ticket[ticket_id] = entries_by_ticket.get(ticket_id, 0) + 1
    reactive: set[int] = set()
    for batch in batches(sorted(hours_by_ticket), settings.connectwise_id_batch_size):
        async for page in client.pages("service/tickets", definition.reactive_among(batch), "id"):
            reactive.update(int(ticket["id"]) for ticket in page)
    hours_total = sum((hours_by_ticket[ticket_id] for ticket_id in reactive), Decimal(0))
    return MonthFigures(
        month=month,
        window_start=start,
        window_end=end,
        created=created,
        closed=closed,
        hours=hours_total.quantize(HOURS),
        time_entries=sum(entries_by_ticket[ticket_id] for ticket_id in reactive),
    )


async def store_month(
    session: AsyncSession,
    tables: MessagingTables,
    settings: ConnectWiseCollectorSettings,
    figures: MonthFigures,
    *,
    job_id: str | None,
    batch_id: str | None,
) -> None:
    """The month's snapshot and its event, in the caller's transaction."""
    definition = settings.definition()
    period = figures.month.first_day
    await repo.lock_month(session, period)
    await repo.upsert_month(
        session,
        {
            "period": period,
            "window_start": figures.window_start,
            "window_end": figures.window_end,
            "reactive_tickets_created": figures.created,
            "reactive_tickets_closed": figures.closed,
            "reactive_time_spent": figures.hours,
            "time_entries": figures.time_entries,
            "definition": definition,
            "job_id": job_id,
            "batch_id": batch_id,
        },
    )
    await enqueue(
        session,
        tables,
        new_event(
            TicketMetricsCollected(
                period=period,
                reactive_tickets_created=figures.created,
                reactive_tickets_closed=figures.closed,
                reactive_time_spent=figures.hours,
                window_start=figures.window_start,
                window_end=figures.window_end,
                definition=definition,
                batch_id=batch_id,
                job_id=job_id,
            ),
            producer=PRODUCER,
        ),
    )


@dataclass
class RunResult:
    collected: list[MonthFigures] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # month label → why

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        parts = []
        if self.collected:
            first, last = self.collected[0].month.label, self.collected[-1].month.label
            span = first if first == last else f"{first} to {last}"
            parts.append(f"{len(self.collected)} month(s) collected ({span})")
        if self.failed:
            parts.append(f"failed: {', '.join(self.failed)} (previous figures kept)")
        return "ConnectWise: " + "; ".join(parts or ["nothing to collect"])


def describe(figures: MonthFigures) -> str:
    return (
        f"{figures.month.label}: {figures.created} created, {figures.closed} closed, "
        f"{figures.hours} h on reactive tickets"
    )


async def collect_months(
    open_session: Any,
    tables: MessagingTables,
    client: ConnectWiseClient,
    settings: ConnectWiseCollectorSettings,
    months: Sequence[Month],
    reporter: JobReporter | None,
    *,
    job_id: str | None,
    batch_id: str | None,
) -> RunResult:
    """Collect each month into its own savepoint (or transaction) opened by ``open_session()``.

    ``open_session`` is an async context manager factory yielding a session to write one month into:
    a savepoint of the consumer's transaction, or a transaction of its own for the CLI.
    """
    result = RunResult()
    for index, month in enumerate(months):
        if reporter is not None:
            await reporter.progress(
                5 + int(90 * index / len(months)), f"ConnectWise: counting {month.label} ({index + 1} of {len(months)})"
            )
        try:
            figures = await count_month(client, settings, month)
            async with open_session() as session:
                await store_month(session, tables, settings, figures, job_id=job_id, batch_id=batch_id)
        except VendorUnavailable as exc:
            log.warning("month not collected; previous figures kept", month=month.label, error=str(exc))
            result.failed[month.label] = str(exc)
            continue
        except Exception as exc:
            if is_infrastructure_error(exc):
                raise
            log.exception("month collection crashed; previous figures kept", month=month.label)
            result.failed[month.label] = f"{type(exc).__name__}: {exc}"
            continue
        log.info(
            "month collected",
            month=month.label,
            created=figures.created,
            closed=figures.closed,
            hours=str(figures.hours),
        )
        result.collected.append(figures)
        if reporter is not None:
            await reporter.progress(5 + int(90 * (index + 1) / len(months)), f"ConnectWise {describe(figures)}")
    return result
