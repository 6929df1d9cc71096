"""Seats and endpoints per client (no SQL, no HTTP): counting a Ninja snapshot into its month, and the
``devices-by-client`` views.

Counting (``domain-rules.md``): per Ninja organisation, internal organisations (``HUB_INTERNAL_ORGANIZATIONS``)
left out; endpoints = billable devices, servers included; seats = billable workstations. A month's
counts come from its latest snapshot: a snapshot older than the one already counted for its month
changes nothing, the same date collected again replaces it. The month's totals are stored as the
collected metrics ``seats_managed`` and ``endpoints_managed`` (NinjaOne, vendor 2).

A month answered from Ninja is ``live`` (with its ``snapshot_date``); a month known only from an import
is ``historical``. When both exist, live wins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.logging import get_logger
from qbr.devices import repository as repo
from qbr.metrics import service as metrics
from qbr.periods import Month
from qbr.settings import QbrSettings

log = get_logger(__name__)

LIVE = "live"
HISTORICAL = "historical"
COLLECTOR = "collector:ninja"


@dataclass(frozen=True)
class Collection:
    snapshot_date: date
    month: Month
    applied: bool
    reason: str
    clients: int = 0
    seats: int = 0
    endpoints: int = 0
    kept_manual: tuple[str, ...] = ()


async def collect_snapshot(session: AsyncSession, settings: QbrSettings, snapshot_date: date) -> Collection:
    """Count a Ninja snapshot into its month (idempotent: the same snapshot counted twice is the same)."""
    organization_id = settings.qbr_organization_id
    month = Month.of(snapshot_date)
    await repo.lock_month(session, organization_id, month.first_day)
    counted = await repo.month_row(session, organization_id, month.first_day, LIVE)
    if counted is not None and counted["snapshot_date"] is not None and counted["snapshot_date"] > snapshot_date:
        reason = f"{month.label} is already counted from the later snapshot of {counted['snapshot_date'].isoformat()}"
        return Collection(snapshot_date, month, applied=False, reason=reason)
    state = await repo.snapshot_state(session, snapshot_date)
    if state is None:
        return Collection(snapshot_date, month, applied=False, reason="no Ninja snapshot of that date")
    if state[0] > 0 and not state[1]:
        # Device-level rows are pruned after the retention period: counting them now would record zeros.
        return Collection(snapshot_date, month, applied=False, reason="the snapshot's device rows were pruned")
    rows = await repo.snapshot_client_counts(session, snapshot_date, settings.internal_organizations)
    counts = [
        {"client_name": row["client_name"], "seats": int(row["seats"]), "endpoints": int(row["endpoints"])}
        for row in rows
    ]
    await repo.replace_month(
        session,
        organization_id=organization_id,
        period=month.first_day,
        source=LIVE,
        snapshot_date=snapshot_date,
        counts=counts,
        updated_by=COLLECTOR,
    )
    seats = sum(item["seats"] for item in counts)
    endpoints = sum(item["endpoints"] for item in counts)
    day = snapshot_date.isoformat()
    written = await metrics.write_collected(
        session,
        organization_id,
        month,
        {"seats_managed": Decimal(seats), "endpoints_managed": Decimal(endpoints)},
        {
            "seats_managed": f"Billable workstations, internal organisations excluded (Ninja {day})",
            "endpoints_managed": f"Billable devices incl. servers, internal organisations excluded (Ninja {day})",
        },
        COLLECTOR,
    )
    kept = tuple(item.metric_name for item in written if item.kept_manual)
    return Collection(
        snapshot_date,
        month,
        applied=True,
        reason="counted",
        clients=len(counts),
        seats=seats,
        endpoints=endpoints,
        kept_manual=kept,
    )


async def snapshot_days_to_count(session: AsyncSession) -> list[date]:
    """The newest Ninja snapshot of every month that still has device-level rows (the backfill's days)."""
    return await repo.latest_snapshot_per_month(session)


# ---------------------------------------------------------------------------------------------- imports


async def lock_historical_month(
    session: AsyncSession, organization_id: int, month: Month
) -> dict[str, tuple[int, int]]:
    """Lock the month until the transaction ends; its imported counts by client, ``(seats, endpoints)``."""
    await repo.lock_month(session, organization_id, month.first_day)
    rows = await repo.client_counts(session, organization_id, month.first_day, HISTORICAL)
    return {row["client_name"]: (int(row["seats"]), int(row["endpoints"])) for row in rows}


async def write_historical_month(
    session: AsyncSession,
    organization_id: int,
    month: Month,
    written: Mapping[str, tuple[int, int]],
    removed: Sequence[str],
    updated_by: str,
) -> None:
    """Store imported counts of a month locked by :func:`lock_historical_month`: ``written`` clients
    upserted, ``removed`` ones deleted (the month row is kept, and created on first import)."""
    period = month.first_day
    stored_month = await repo.month_row(session, organization_id, period, HISTORICAL)
    if stored_month is None or written or removed:
        await repo.upsert_month(session, organization_id, period, HISTORICAL, None, updated_by)
    await repo.insert_clients(
        session,
        organization_id,
        period,
        HISTORICAL,
        [{"client_name": name, "seats": seats, "endpoints": endpoints} for name, (seats, endpoints) in written.items()],
    )
    await repo.delete_clients(session, organization_id, period, HISTORICAL, removed)


# ---------------------------------------------------------------------------------------------- views


def client_view(row: RowMapping) -> dict[str, Any]:
    return {"client_name": row["client_name"], "seats": int(row["seats"]), "endpoints": int(row["endpoints"])}


def period_data(month: Month, source: str, snapshot_date: date | None, rows: Iterable[RowMapping]) -> dict[str, Any]:
    clients = [client_view(row) for row in rows]
    data: dict[str, Any] = {"period": month.label, "data_source": source}
    if source == LIVE and snapshot_date is not None:
        data["snapshot_date"] = snapshot_date.isoformat()
    data["clients"] = clients
    data["total_seats"] = sum(client["seats"] for client in clients)
    data["total_endpoints"] = sum(client["endpoints"] for client in clients)
    return data


async def periods_between(
    session: AsyncSession, organization_id: int, first: Month, last: Month
) -> list[dict[str, Any]]:
    """``PeriodData`` of each month from ``first`` to ``last`` that has counts (live preferred)."""
    stored = await repo.months_between(session, organization_id, first.first_day, last.first_day)
    chosen: dict[date, RowMapping] = {}
    for row in stored:
        if row["period"] not in chosen or row["source"] == LIVE:
            chosen[row["period"]] = row
    pairs = [(period, row["source"]) for period, row in sorted(chosen.items())]
    clients = await repo.clients_between(session, organization_id, first.first_day, last.first_day, pairs)
    by_period: dict[date, list[RowMapping]] = defaultdict(list)
    for row in clients:
        if row["source"] == chosen[row["period"]]["source"]:
            by_period[row["period"]].append(row)
    return [
        period_data(Month.of(period), row["source"], row["snapshot_date"], by_period[period])
        for period, row in sorted(chosen.items())
    ]
