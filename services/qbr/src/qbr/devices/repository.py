"""All SQL of seats and endpoints per client: the counts of a Ninja snapshot (read through the
collector's published views ``ninja.snapshots_v1`` and ``ninja.snapshot_devices_v1``) and the stored
monthly counts (``qbr.device_count_months``, ``qbr.client_device_counts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from qbr.models import client_device_counts as clients
from qbr.models import device_count_months as months

# Per client (Ninja organisation name) of one snapshot, internal organisations left out. Endpoints are
# billable devices, servers included; seats are billable workstations. Billable already means "not a
# spare, not a VM guest" in the collector's contract; both are restated so the counts cannot drift.
CLIENT_COUNTS_SQL = text(
    """
    WITH devices AS (
        SELECT coalesce(nullif(btrim(organization_name), ''), 'Unknown') AS client_name,
               (is_billable AND NOT is_spare AND device_type <> 'vm_guest') AS billable,
               device_type
        FROM ninja.snapshot_devices_v1
        WHERE snapshot_date = :day
          AND lower(btrim(coalesce(organization_name, ''))) <> ALL (CAST(:internal AS text[]))
    )
    SELECT client_name,
           count(*) FILTER (WHERE billable AND device_type = 'workstation') AS seats,
           count(*) FILTER (WHERE billable) AS endpoints
    FROM devices
    GROUP BY client_name
    HAVING count(*) FILTER (WHERE billable) > 0
    ORDER BY endpoints DESC, client_name
    """
)


async def lock_month(session: AsyncSession, organization_id: int, period: date) -> None:
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
        {"key": f"qbr.devices:{organization_id}:{period.isoformat()}"},
    )


async def snapshot_state(session: AsyncSession, day: date) -> tuple[int, bool] | None:
    """(device count, whether its device-level rows are still held) of a snapshot; None when absent."""
    row = await session.execute(
        text(
            "SELECT s.device_count, EXISTS (SELECT 1 FROM ninja.snapshot_devices_v1 d WHERE d.snapshot_date = :day) "
            "FROM ninja.snapshots_v1 s WHERE s.snapshot_date = :day"
        ),
        {"day": day},
    )
    found = row.first()
    return None if found is None else (int(found[0]), bool(found[1]))


async def snapshot_client_counts(session: AsyncSession, day: date, internal: Sequence[str]) -> list[RowMapping]:
    rows = await session.execute(CLIENT_COUNTS_SQL, {"day": day, "internal": list(internal)})
    return list(rows.mappings())


async def latest_snapshot_per_month(session: AsyncSession) -> list[date]:
    """The newest Ninja snapshot date of every month that still has device-level rows."""
    rows = await session.execute(
        text(
            "SELECT max(snapshot_date) AS day FROM ninja.snapshots_v1 s "
            "WHERE EXISTS (SELECT 1 FROM ninja.snapshot_devices_v1 d WHERE d.snapshot_date = s.snapshot_date) "
            "GROUP BY date_trunc('month', snapshot_date) ORDER BY 1"
        )
    )
    return [row[0] for row in rows]


async def month_row(session: AsyncSession, organization_id: int, period: date, source: str) -> RowMapping | None:
    row = await session.execute(
        select(months).where(
            months.c.organization_id == organization_id, months.c.period == period, months.c.source == source
        )
    )
    return row.mappings().first()


async def replace_month(
    session: AsyncSession,
    *,
    organization_id: int,
    period: date,
    source: str,
    snapshot_date: date | None,
    counts: Sequence[dict[str, Any]],
    updated_by: str,
) -> None:
    """The month's client counts from this source become exactly ``counts``."""
    await upsert_month(session, organization_id, period, source, snapshot_date, updated_by)
    await session.execute(
        delete(clients).where(
            clients.c.organization_id == organization_id, clients.c.period == period, clients.c.source == source
        )
    )
    await insert_clients(session, organization_id, period, source, counts)


async def upsert_month(
    session: AsyncSession,
    organization_id: int,
    period: date,
    source: str,
    snapshot_date: date | None,
    updated_by: str,
) -> None:
    statement = insert(months).values(
        organization_id=organization_id,
        period=period,
        source=source,
        snapshot_date=snapshot_date,
        updated_by=updated_by,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["organization_id", "period", "source"],
            set_={
                "snapshot_date": statement.excluded.snapshot_date,
                "updated_by": statement.excluded.updated_by,
                "updated_at": text("now()"),
            },
        )
    )


async def insert_clients(
    session: AsyncSession, organization_id: int, period: date, source: str, counts: Sequence[dict[str, Any]]
) -> None:
    if not counts:
        return
    statement = insert(clients).values(
        [
            {
                "organization_id": organization_id,
                "period": period,
                "source": source,
                "client_name": item["client_name"],
                "seats": item["seats"],
                "endpoints": item["endpoints"],
            }
            for item in counts
        ]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["organization_id", "period", "source", "client_name"],
            set_={"seats": statement.excluded.seats, "endpoints": statement.excluded.endpoints},
        )
    )


async def client_counts(session: AsyncSession, organization_id: int, period: date, source: str) -> list[RowMapping]:
    rows = await session.execute(
        select(clients.c.client_name, clients.c.seats, clients.c.endpoints).where(
            clients.c.organization_id == organization_id, clients.c.period == period, clients.c.source == source
        )
    )
    return list(rows.mappings())


async def months_between(session: AsyncSession, organization_id: int, first: date, last: date) -> list[RowMapping]:
    """Stored month rows (both sources) from ``first`` to ``last``."""
    rows = await session.execute(
        select(months)
        .where(months.c.organization_id == organization_id, months.c.period.between(first, last))
        .order_by(months.c.period, months.c.source)
    )
    return list(rows.mappings())


async def clients_between(
    session: AsyncSession, organization_id: int, first: date, last: date, sources: Sequence[tuple[date, str]]
) -> list[RowMapping]:
    """Client counts of the chosen (month, source) pairs, biggest client first."""
    if not sources:
        return []
    chosen = [and_(clients.c.period == period, clients.c.source == source) for period, source in sources]
    rows = await session.execute(
        select(clients)
        .where(clients.c.organization_id == organization_id, clients.c.period.between(first, last), or_(*chosen))
        .order_by(clients.c.period, clients.c.endpoints.desc(), clients.c.client_name)
    )
    return list(rows.mappings())


async def delete_clients(
    session: AsyncSession, organization_id: int, period: date, source: str, names: Sequence[str]
) -> None:
    if not names:
        return
    await session.execute(
        delete(clients).where(
            clients.c.organization_id == organization_id,
            clients.c.period == period,
            clients.c.source == source,
            clients.c.client_name.in_(list(names)),
        )
    )
