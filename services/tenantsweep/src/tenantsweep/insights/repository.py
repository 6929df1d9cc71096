"""All SQL of compare and the overview: a tenant's previous completed audit, an audit's check results,
and every tenant's newest run with its two newest completed audits and their findings counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from tenantsweep.catalog import FAILING_STATUSES
from tenantsweep.insights.schemas import AuditCounts, CheckResult, TenantRuns
from tenantsweep.sql import AUDIT_COLUMNS, like_pattern


async def previous_completed(session: AsyncSession, audit: Mapping[Any, Any]) -> RowMapping | None:
    """The same tenant's newest completed audit that started before ``audit``."""
    row = await session.execute(
        text(
            f"SELECT {AUDIT_COLUMNS} FROM tenantsweep.audits a "
            "WHERE lower(a.tenant_id) = lower(:tenant_id) AND a.status = 'completed' "
            "AND (a.started_at, a.id) < (:started_at, :id) "
            "ORDER BY a.started_at DESC, a.id DESC LIMIT 1"
        ),
        {"tenant_id": audit["tenant_id"], "started_at": audit["started_at"], "id": audit["id"]},
    )
    return row.mappings().first()


async def check_results(session: AsyncSession, audit_id: int) -> list[CheckResult]:
    rows = await session.execute(
        text("SELECT id, check_id, check_name, severity, status FROM tenantsweep.findings WHERE audit_id = :audit_id"),
        {"audit_id": audit_id},
    )
    return [
        CheckResult(
            finding_id=int(row.id),
            check_id=str(row.check_id),
            check_name=str(row.check_name),
            severity=str(row.severity),
            status=str(row.status),
        )
        for row in rows
    ]


# Per tenant (its tenant_id, any case): the newest run of any status, and the two newest completed ones.
OVERVIEW_SQL = f"""
WITH ranked AS (
    SELECT {AUDIT_COLUMNS}, lower(a.tenant_id) AS tenant_key,
           row_number() OVER (PARTITION BY lower(a.tenant_id) ORDER BY a.started_at DESC, a.id DESC) AS run_rank,
           row_number() OVER (PARTITION BY lower(a.tenant_id), a.status = 'completed'
                              ORDER BY a.started_at DESC, a.id DESC) AS status_rank,
           count(*) OVER (PARTITION BY lower(a.tenant_id)) AS audits_count,
           count(*) FILTER (WHERE a.status = 'completed') OVER (PARTITION BY lower(a.tenant_id)) AS completed_count
    FROM tenantsweep.audits a
),
shown AS (
    SELECT tenant_key FROM ranked
    WHERE run_rank = 1 AND (CAST(:name_pattern AS text) IS NULL OR tenant_name ILIKE :name_pattern ESCAPE '\\')
)
SELECT r.* FROM ranked r JOIN shown s USING (tenant_key)
WHERE r.run_rank = 1 OR (r.status = 'completed' AND r.status_rank <= 2)
ORDER BY r.tenant_key, r.started_at DESC, r.id DESC
"""


async def tenant_runs(session: AsyncSession, tenant_name: str | None) -> list[TenantRuns]:
    """Every tenant (optionally those whose current name contains ``tenant_name``), by name."""
    rows = await session.execute(
        text(OVERVIEW_SQL), {"name_pattern": like_pattern(tenant_name) if tenant_name else None}
    )
    tenants: dict[str, TenantRuns] = {}
    for row in rows.mappings():
        key = str(row["tenant_key"])
        if row["run_rank"] == 1:
            tenants[key] = TenantRuns(
                latest_run=row, audits_count=int(row["audits_count"]), completed_count=int(row["completed_count"])
            )
        if row["status"] == "completed" and row["status_rank"] <= 2:
            # Rows come newest first within a tenant, and its newest run (rank 1) comes first of all.
            tenants[key].completed.append(row)
    return sorted(
        tenants.values(), key=lambda runs: (str(runs.latest_run["tenant_name"]).lower(), runs.latest_run["id"])
    )


async def audit_counts(session: AsyncSession, audit_ids: Sequence[int]) -> dict[int, AuditCounts]:
    if not audit_ids:
        return {}
    rows = await session.execute(
        text(
            "SELECT f.audit_id, f.severity, count(*) AS total, "
            "count(*) FILTER (WHERE f.status = ANY(CAST(:failing AS text[]))) AS failing "
            "FROM tenantsweep.findings f WHERE f.audit_id = ANY(CAST(:ids AS bigint[])) "
            "GROUP BY f.audit_id, f.severity"
        ),
        {"ids": list(audit_ids), "failing": list(FAILING_STATUSES)},
    )
    counts: dict[int, AuditCounts] = {}
    for audit_id, severity, total, failing in rows:
        counts.setdefault(int(audit_id), AuditCounts()).add(str(severity), int(total), int(failing))
    return counts
