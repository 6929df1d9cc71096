"""All SQL of the report routes. The device-level parts of a report are rendered to JSON by PostgreSQL
(one aggregate per type), so a 10k-exception report is built without a Python object per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from variance.catalog import ACTIVE
from variance.queries import bind, state, type_code


@dataclass(frozen=True)
class ReportRow:
    report_date: date
    revision: int
    computed_at: datetime
    ninja_devices: int
    threatlocker_devices: int
    ninja_collected_at: datetime | None
    threatlocker_collected_at: datetime | None
    total_exceptions: int
    unresolved_exceptions: int


@dataclass(frozen=True)
class Latest:
    common_date: date | None
    report: ReportRow | None


def _report(row: RowMapping | None) -> ReportRow | None:
    if row is None or row["report_date"] is None:
        return None
    return ReportRow(
        report_date=row["report_date"],
        revision=int(row["revision"]),
        computed_at=row["computed_at"],
        ninja_devices=int(row["ninja_devices"]),
        threatlocker_devices=int(row["threatlocker_devices"]),
        ninja_collected_at=row["ninja_collected_at"],
        threatlocker_collected_at=row["threatlocker_collected_at"],
        total_exceptions=int(row["total_exceptions"]),
        unresolved_exceptions=int(row["unresolved_exceptions"]),
    )


_REPORT_COLUMNS = (
    "r.report_date, r.revision, r.computed_at, r.ninja_devices, r.threatlocker_devices, r.ninja_collected_at, "
    "r.threatlocker_collected_at, r.total_exceptions, r.unresolved_exceptions"
)


async def latest(session: AsyncSession, since: date) -> Latest:
    """The latest common snapshot date in the window and the newest computed report not after it (one trip)."""
    row = (
        (
            await session.execute(
                text(
                    f"""
                    WITH common AS (
                        SELECT max(n.snapshot_date) AS day FROM ninja.snapshots_v1 n
                        JOIN threatlocker.snapshots_v1 t USING (snapshot_date)
                        WHERE n.snapshot_date >= :since
                    )
                    SELECT common.day AS common_date, {_REPORT_COLUMNS}
                    FROM common
                    LEFT JOIN LATERAL (
                        SELECT * FROM variance.reports r0 WHERE r0.report_date <= common.day
                        ORDER BY r0.report_date DESC LIMIT 1
                    ) r ON true
                    """
                ),
                {"since": since},
            )
        )
        .mappings()
        .one()
    )
    return Latest(common_date=row["common_date"], report=_report(row))


async def latest_report_date(session: AsyncSession) -> date | None:
    value = await session.execute(text("SELECT max(report_date) FROM variance.reports"))
    result: date | None = value.scalar_one_or_none()
    return result


async def report_for(session: AsyncSession, day: date) -> ReportRow | None:
    row = (
        (
            await session.execute(
                text(f"SELECT {_REPORT_COLUMNS} FROM variance.reports r WHERE r.report_date = :day"), {"day": day}
            )
        )
        .mappings()
        .first()
    )
    return _report(row)


async def vendors_with_snapshot(session: AsyncSession, day: date) -> int:
    value = await session.execute(
        text(
            "SELECT (SELECT count(*) FROM ninja.snapshots_v1 WHERE snapshot_date = :day) "
            "+ (SELECT count(*) FROM threatlocker.snapshots_v1 WHERE snapshot_date = :day)"
        ),
        {"day": day},
    )
    return int(value.scalar_one())


async def counts(session: AsyncSession, day: date) -> dict[str, dict[str, int]]:
    rows = await session.execute(
        text("SELECT type, total, unresolved, resolved FROM variance.report_counts WHERE report_date = :day"),
        {"day": day},
    )
    return {str(r[0]): {"total": int(r[1]), "unresolved": int(r[2]), "resolved": int(r[3])} for r in rows}


def _blank(column: str) -> str:
    return f"coalesce({column}, '')"


# One entry of ``exceptions_by_type`` (the replaced system's four fields, then the hub's).
_TYPE_ITEM = f"""json_build_object(
    'id', o.exception_id, 'hostname', o.key, 'details', o.details, 'resolved', o.status <> {state(ACTIVE)},
    'type', o.type, 'variance_status', o.status, 'date_found', o.first_seen, 'last_seen', o.last_seen,
    'organization', o.organization, 'ninja_hostname', {_blank("o.ninja_hostname")},
    'threatlocker_hostname', {_blank("o.threatlocker_hostname")},
    'ninja_display_name', {_blank("o.ninja_display_name")},
    'threatlocker_display_name', {_blank("o.threatlocker_display_name")},
    'resolved_by', o.resolved_by, 'resolved_date', o.resolved_date)"""

# One ``OrgEntry`` of a report block (response-shapes §2, plus both vendors' names).
_ORG_ENTRY = f"""json_build_object(
    'id', o.exception_id, 'hostname', o.key, 'vendor', o.vendor, 'display_name', {_blank("o.display_name")},
    'organization', o.organization, 'billing_status', coalesce(o.billing_status, 'Unknown'),
    'action', 'Investigate', 'type', o.type, 'resolved', o.status <> {state(ACTIVE)}, 'variance_status', o.status,
    'ninja_hostname', {_blank("o.ninja_hostname")}, 'threatlocker_hostname', {_blank("o.threatlocker_hostname")},
    'ninja_display_name', {_blank("o.ninja_display_name")},
    'threatlocker_display_name', {_blank("o.threatlocker_display_name")})"""

# One ``Item`` of the filtered report (its action text is the type's).
_FILTERED_ITEM = f"""json_build_object(
    'id', o.exception_id, 'hostname', o.key, 'details', o.details, 'action', :action_{{i}},
    'type', o.type, 'variance_status', o.status, 'date_found', o.first_seen, 'organization', o.organization,
    'ninja_hostname', {_blank("o.ninja_hostname")}, 'threatlocker_hostname', {_blank("o.threatlocker_hostname")},
    'ninja_display_name', {_blank("o.ninja_display_name")},
    'threatlocker_display_name', {_blank("o.threatlocker_display_name")},
    'threatlocker_computer_name', {_blank("o.threatlocker_display_name")})"""

REPORT_PARTS_SQL = f"""
WITH rows AS (
    SELECT o.*, e.first_seen, e.last_seen, e.resolved_by, e.resolved_date
    FROM variance.occurrences o JOIN variance.exceptions e ON e.id = o.exception_id
    WHERE o.report_date = :day AND (:all_rows OR o.status = {state(ACTIVE)})
),
by_type AS (
    SELECT o.type, count(*) AS listed, json_agg({_TYPE_ITEM} ORDER BY o.key) AS items
    FROM rows o GROUP BY o.type
),
by_org AS (
    SELECT type, json_object_agg(organization, items ORDER BY organization) AS orgs
    FROM (
        SELECT o.type, o.organization, json_agg({_ORG_ENTRY} ORDER BY o.key) AS items
        FROM rows o GROUP BY o.type, o.organization
    ) grouped
    GROUP BY type
)
SELECT t.type, t.listed, t.items::text AS items, b.orgs::text AS orgs
FROM by_type t JOIN by_org b USING (type)
"""


async def report_parts(session: AsyncSession, day: date, include_resolved: bool) -> dict[str, dict[str, Any]]:
    """Per type: rows listed, the ``exceptions_by_type`` array and the ``by_organization`` object (JSON text)."""
    rows = await session.execute(text(REPORT_PARTS_SQL), bind(day=day, all_rows=include_resolved))
    return {str(row[0]): {"listed": int(row[1]), "items": row[2].encode(), "orgs": row[3].encode()} for row in rows}


def filtered_sql(actions: dict[str, str]) -> tuple[str, dict[str, Any]]:
    cases = []
    params: dict[str, Any] = {}
    for i, (code, action) in enumerate(actions.items()):
        params[f"code_{i}"] = code
        params[f"action_{i}"] = action
        cases.append(f"WHEN :code_{i} THEN :action_{i}")
    action_case = f"CASE o.type {' '.join(cases)} ELSE 'Investigate and resolve' END"
    item = _FILTERED_ITEM.replace(":action_{i}", action_case)
    sql = f"""
    WITH rows AS (
        SELECT o.*, e.first_seen
        FROM variance.occurrences o JOIN variance.exceptions e ON e.id = o.exception_id
        WHERE o.report_date = :day AND o.status = {state(ACTIVE)}
    ),
    by_org AS (
        SELECT type, sum(listed) AS listed, json_object_agg(organization, items ORDER BY organization) AS orgs
        FROM (
            SELECT o.type, o.organization, count(*) AS listed,
                   json_agg({item} ORDER BY o.key) AS items
            FROM rows o GROUP BY o.type, o.organization
        ) grouped
        GROUP BY type
    ),
    flat AS (
        SELECT o.type, json_agg({item} ORDER BY o.key) AS items
        FROM rows o WHERE o.type = {type_code("DUPLICATE_TL")} GROUP BY o.type
    )
    SELECT b.type, b.listed, b.orgs::text, f.items::text,
           (SELECT count(DISTINCT organization) FROM rows) AS organizations
    FROM by_org b LEFT JOIN flat f USING (type)
    """
    return sql, params


async def filtered_parts(
    session: AsyncSession, day: date, actions: dict[str, str]
) -> tuple[dict[str, dict[str, Any]], int]:
    sql, params = filtered_sql(actions)
    rows = (await session.execute(text(sql), bind(params, day=day))).all()
    parts = {
        str(row[0]): {"listed": int(row[1]), "orgs": row[2].encode(), "flat": row[3].encode() if row[3] else None}
        for row in rows
    }
    organizations = int(rows[0][4]) if rows else 0
    return parts, organizations


async def available_dates(session: AsyncSession, since: date) -> list[RowMapping]:
    """Dates with snapshots from both vendors (newest first), with real device counts and exception totals.

    Ninja's count leaves VM guests out (as the report's does), also for a date whose report is not
    computed yet; the devices are counted only then (COALESCE stops at the report's count).
    """
    rows = await session.execute(
        text(
            """
            SELECT n.snapshot_date AS day, t.device_count AS threatlocker_devices,
                   coalesce(r.ninja_devices,
                            (SELECT count(*) FROM ninja.snapshot_devices_v1 d
                             WHERE d.snapshot_date = n.snapshot_date AND d.device_type <> 'vm_guest'))
                       AS ninja_devices,
                   r.total_exceptions, r.unresolved_exceptions, r.computed_at
            FROM ninja.snapshots_v1 n
            JOIN threatlocker.snapshots_v1 t USING (snapshot_date)
            LEFT JOIN variance.reports r ON r.report_date = n.snapshot_date
            WHERE n.snapshot_date >= :since
            ORDER BY n.snapshot_date DESC
            """
        ),
        {"since": since},
    )
    return list(rows.mappings())


async def trends(session: AsyncSession, start: date, end: date, code: str | None) -> list[RowMapping]:
    rows = await session.execute(
        text(
            """
            SELECT report_date, type, total, unresolved, resolved FROM variance.report_counts
            WHERE report_date BETWEEN :start AND :end AND (CAST(:code AS text) IS NULL OR type = :code)
            ORDER BY report_date DESC, type
            """
        ),
        {"start": start, "end": end, "code": code},
    )
    return list(rows.mappings())
