"""All SQL of reading exceptions: listing with filters, one exception, its history, the status summary.

Every change of state is in ``lifecycle.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from variance.catalog import COLLECTOR_SOURCE
from variance.queries import like_pattern

EXCEPTION_COLUMNS = """
    e.id, e.type, e.key, e.status, e.present, e.first_seen, e.last_seen, e.organization, e.vendor,
    e.display_name, e.billing_status, e.ninja_hostname, e.threatlocker_hostname, e.ninja_display_name,
    e.threatlocker_display_name, e.details, e.resolved_date, e.resolved_by, e.manually_updated_at,
    e.manually_updated_by, e.update_type, e.old_value, e.new_value, e.notes, e.status_changed_at, e.updated_at
"""


@dataclass(frozen=True)
class ExceptionFilter:
    type_code: str | None = None
    statuses: tuple[str, ...] | None = None
    report_date: date | None = None
    organization: str | None = None
    hostname: str | None = None


def _where(filters: ExceptionFilter) -> tuple[str, dict[str, Any]]:
    clauses = ["true"]
    params: dict[str, Any] = {}
    if filters.type_code is not None:
        clauses.append("e.type = :type_code")
        params["type_code"] = filters.type_code
    if filters.statuses is not None:
        clauses.append("e.status = ANY(CAST(:statuses AS text[]))")
        params["statuses"] = list(filters.statuses)
    if filters.report_date is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM variance.occurrences o WHERE o.exception_id = e.id AND o.report_date = :day)"
        )
        params["day"] = filters.report_date
    if filters.organization is not None:
        clauses.append("lower(btrim(e.organization)) = lower(btrim(:organization))")
        params["organization"] = filters.organization
    if filters.hostname is not None:
        clauses.append(
            "(e.key ILIKE :host ESCAPE '\\' OR e.ninja_hostname ILIKE :host ESCAPE '\\' "
            "OR e.threatlocker_hostname ILIKE :host ESCAPE '\\')"
        )
        params["host"] = like_pattern(filters.hostname)
    return " AND ".join(clauses), params


async def list_exceptions(
    session: AsyncSession, filters: ExceptionFilter, *, limit: int, offset: int
) -> tuple[list[RowMapping], int]:
    where, params = _where(filters)
    total = (
        await session.execute(text(f"SELECT count(*) FROM variance.exceptions e WHERE {where}"), params)
    ).scalar_one()
    rows = await session.execute(
        text(
            f"SELECT {EXCEPTION_COLUMNS} FROM variance.exceptions e WHERE {where} "
            # date_found (first_seen) newest first, then type, then hostname (response-shapes §4).
            "ORDER BY e.first_seen DESC, e.type, e.key LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": limit, "offset": offset},
    )
    return list(rows.mappings()), int(total)


async def get(session: AsyncSession, exception_id: int) -> RowMapping | None:
    row = await session.execute(
        text(f"SELECT {EXCEPTION_COLUMNS} FROM variance.exceptions e WHERE e.id = :id"), {"id": exception_id}
    )
    return row.mappings().first()


async def history(session: AsyncSession, exception_id: int) -> list[RowMapping]:
    rows = await session.execute(
        text(
            "SELECT id, changed_at, action, from_status, to_status, actor, actor_source, report_date, notes, data "
            "FROM variance.exception_history WHERE exception_id = :id ORDER BY id"
        ),
        {"id": exception_id},
    )
    return list(rows.mappings())


async def status_summary(session: AsyncSession) -> dict[str, Any]:
    latest = (await session.execute(text("SELECT max(report_date) FROM variance.reports"))).scalar_one_or_none()
    counts = await session.execute(
        text("SELECT type, total, unresolved, resolved FROM variance.report_counts WHERE report_date = :day"),
        {"day": latest},
    )
    by_status = await session.execute(
        text("SELECT status, type, count(*) FROM variance.exceptions GROUP BY status, type ORDER BY status, type")
    )
    recent = await session.execute(
        text(
            """
            SELECT h.exception_id, e.key, e.type, h.actor, h.changed_at, h.action, h.notes,
                   h.data ->> 'update_type' AS update_type, h.from_status, h.to_status, e.organization,
                   e.ninja_hostname, e.threatlocker_hostname, e.ninja_display_name, e.threatlocker_display_name
            FROM variance.exception_history h JOIN variance.exceptions e ON e.id = h.exception_id
            WHERE h.actor_source <> :collector_source
            ORDER BY h.id DESC LIMIT 20
            """
        ),
        {"collector_source": COLLECTOR_SOURCE},
    )
    return {
        "report_date": latest,
        "counts": list(counts.mappings()),
        "by_status": list(by_status.mappings()),
        "recent": list(recent.mappings()),
    }
