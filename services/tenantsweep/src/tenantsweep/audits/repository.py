"""All SQL of the audit routes: insert, lock and update a run, fetch, list with filters, latest by tenant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from tenantsweep.audits.schemas import AuditFilter, AuditUpdate, NewAudit
from tenantsweep.catalog import RUNNING, dump_json
from tenantsweep.sql import AUDIT_COLUMNS, like_pattern

RETURNING = AUDIT_COLUMNS.replace("a.", "")


async def create(session: AsyncSession, audit: NewAudit) -> RowMapping:
    row = await session.execute(
        text(
            "INSERT INTO tenantsweep.audits (tenant_name, tenant_id, status, initiated_by, created_by) "
            f"VALUES (:tenant_name, :tenant_id, 'running', :initiated_by, :created_by) RETURNING {RETURNING}"
        ),
        {
            "tenant_name": audit.tenant_name,
            "tenant_id": audit.tenant_id,
            "initiated_by": audit.initiated_by,
            "created_by": audit.created_by,
        },
    )
    return row.mappings().one()


async def get(session: AsyncSession, audit_id: int, *, lock: bool = False) -> RowMapping | None:
    """One audit; ``lock`` holds it (FOR NO KEY UPDATE) until the transaction ends, so its status cannot
    change under a writer (finding inserts still pass: their foreign-key check takes only KEY SHARE)."""
    suffix = " FOR NO KEY UPDATE" if lock else ""
    row = await session.execute(
        text(f"SELECT {AUDIT_COLUMNS} FROM tenantsweep.audits a WHERE a.id = :id{suffix}"), {"id": audit_id}
    )
    return row.mappings().first()


async def update(session: AsyncSession, audit_id: int, change: AuditUpdate) -> RowMapping:
    sets = []
    params: dict[str, Any] = {"id": audit_id}
    if change.status is not None:
        sets.append("status = :status")
        # Finishing stamps the time; a running audit has none (a CHECK constraint holds both to it).
        sets.append(
            "completed_at = NULL" if change.status == RUNNING else "completed_at = coalesce(completed_at, now())"
        )
        params["status"] = change.status
    if change.set_summary:
        sets.append("summary = CAST(:summary AS jsonb)")
        params["summary"] = dump_json(change.summary) if change.summary is not None else None
    if change.set_error:
        sets.append("error_message = :error_message")
        params["error_message"] = change.error_message
    row = await session.execute(
        text(f"UPDATE tenantsweep.audits SET {', '.join(sets)} WHERE id = :id RETURNING {RETURNING}"), params
    )
    return row.mappings().one()


def _where(filters: AuditFilter) -> tuple[str, dict[str, Any]]:
    clauses = ["true"]
    params: dict[str, Any] = {}
    if filters.tenant_name is not None:
        clauses.append("a.tenant_name ILIKE :name_pattern ESCAPE '\\'")
        params["name_pattern"] = like_pattern(filters.tenant_name)
    if filters.tenant_id is not None:
        clauses.append("lower(a.tenant_id) = lower(:tenant_id)")
        params["tenant_id"] = filters.tenant_id
    if filters.status is not None:
        clauses.append("a.status = :status")
        params["status"] = filters.status
    return " AND ".join(clauses), params


async def list_audits(
    session: AsyncSession, filters: AuditFilter, *, limit: int, offset: int
) -> tuple[list[RowMapping], int]:
    where, params = _where(filters)
    total = (
        await session.execute(text(f"SELECT count(*) FROM tenantsweep.audits a WHERE {where}"), params)
    ).scalar_one()
    rows = await session.execute(
        text(
            f"SELECT {AUDIT_COLUMNS} FROM tenantsweep.audits a WHERE {where} "
            "ORDER BY a.started_at DESC, a.id DESC LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": limit, "offset": offset},
    )
    return list(rows.mappings()), int(total)


async def latest_completed_by_name(session: AsyncSession, tenant_name: str) -> RowMapping | None:
    """The newest completed audit of a tenant name; an exact (case-sensitive) match wins over one that
    differs only in case."""
    row = await session.execute(
        text(
            f"SELECT {AUDIT_COLUMNS} FROM tenantsweep.audits a "
            "WHERE lower(a.tenant_name) = lower(:name) AND a.status = 'completed' "
            "ORDER BY (a.tenant_name = :name) DESC, a.started_at DESC, a.id DESC LIMIT 1"
        ),
        {"name": tenant_name},
    )
    return row.mappings().first()


async def severity_counts(
    session: AsyncSession, audit_ids: Sequence[int], severities: Sequence[str] | None = None
) -> dict[int, list[tuple[str, int]]]:
    """Findings per audit and severity (only the given severities, when a filter is set)."""
    if not audit_ids:
        return {}
    rows = await session.execute(
        text(
            "SELECT f.audit_id, f.severity, count(*) FROM tenantsweep.findings f "
            "WHERE f.audit_id = ANY(CAST(:ids AS bigint[])) "
            "AND (CAST(:severities AS text[]) IS NULL OR f.severity = ANY(CAST(:severities AS text[]))) "
            "GROUP BY f.audit_id, f.severity"
        ),
        {"ids": list(audit_ids), "severities": list(severities) if severities else None},
    )
    counts: dict[int, list[tuple[str, int]]] = {audit_id: [] for audit_id in audit_ids}
    for audit_id, severity, count in rows:
        counts[int(audit_id)].append((str(severity), int(count)))
    return counts
