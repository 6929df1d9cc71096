"""All SQL of findings: which check ids an audit already has, one insert, a bulk COPY, and an audit's
findings in severity-rank order (Critical first, then by check id)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.db import copy_rows
from tenantsweep.catalog import dump_json
from tenantsweep.findings.schemas import NewFinding
from tenantsweep.sql import FINDINGS_ORDER_BY as ORDER_BY
from tenantsweep.sql import FINDINGS_ORDER_PARAMS as ORDER_PARAMS
from tenantsweep.sql import SEVERITY_FILTER

FINDING_COLUMNS = (
    "f.id, f.audit_id, f.check_id, f.check_name, f.severity, f.status, f.current_value, f.expected_value, "
    "f.details, f.recommendation, f.created_at"
)
COPY_COLUMNS = (
    "audit_id",
    "check_id",
    "check_name",
    "severity",
    "status",
    "current_value",
    "expected_value",
    "details",
    "recommendation",
)
EXPORT_SQL = f"""
SELECT f.check_id, f.check_name, f.severity, f.status, f.current_value, f.expected_value, f.recommendation,
       f.details::text AS details, f.created_at
FROM tenantsweep.findings f
WHERE f.audit_id = :audit_id AND {SEVERITY_FILTER}
ORDER BY {ORDER_BY}
"""


def _params(audit_id: int, finding: NewFinding) -> dict[str, Any]:
    return {
        "audit_id": audit_id,
        "check_id": finding.check_id,
        "check_name": finding.check_name,
        "severity": finding.severity,
        "status": finding.status,
        "current_value": finding.current_value,
        "expected_value": finding.expected_value,
        "details": dump_json(finding.details) if finding.details is not None else None,
        "recommendation": finding.recommendation,
    }


async def existing_checks(session: AsyncSession, audit_id: int, check_ids: Sequence[str]) -> dict[str, int]:
    """``check_id → finding id`` for those of ``check_ids`` the audit already has."""
    rows = await session.execute(
        text(
            "SELECT check_id, id FROM tenantsweep.findings "
            "WHERE audit_id = :audit_id AND check_id = ANY(CAST(:check_ids AS text[]))"
        ),
        {"audit_id": audit_id, "check_ids": list(check_ids)},
    )
    return {str(check_id): int(finding_id) for check_id, finding_id in rows}


async def insert(session: AsyncSession, audit_id: int, finding: NewFinding) -> RowMapping:
    row = await session.execute(
        text(
            f"INSERT INTO tenantsweep.findings AS f ({', '.join(COPY_COLUMNS)}) "
            "VALUES (:audit_id, :check_id, :check_name, :severity, :status, :current_value, :expected_value, "
            f"CAST(:details AS jsonb), :recommendation) RETURNING {FINDING_COLUMNS}"
        ),
        _params(audit_id, finding),
    )
    return row.mappings().one()


async def copy_findings(session: AsyncSession, audit_id: int, findings: Sequence[NewFinding]) -> int:
    """Store many findings with one COPY (one round trip for thousands of rows), in the caller's transaction."""
    records = [tuple(params[column] for column in COPY_COLUMNS) for params in (_params(audit_id, f) for f in findings)]
    return await copy_rows(session, "findings", records, COPY_COLUMNS, schema="tenantsweep")


async def list_for_audit(
    session: AsyncSession, audit_id: int, severities: Sequence[str] | None = None
) -> list[RowMapping]:
    rows = await session.execute(
        text(
            f"SELECT {FINDING_COLUMNS} FROM tenantsweep.findings f "
            f"WHERE f.audit_id = :audit_id AND {SEVERITY_FILTER} ORDER BY {ORDER_BY}"
        ),
        {"audit_id": audit_id, "severities": list(severities) if severities else None, **ORDER_PARAMS},
    )
    return list(rows.mappings())


async def stream_for_export(
    session: AsyncSession, audit_id: int, severities: Sequence[str] | None, batch_size: int
) -> AsyncIterator[Sequence[Any]]:
    """Batches of the export's rows through a server-side cursor; only one batch is in memory at a time."""
    params = {"audit_id": audit_id, "severities": list(severities) if severities else None, **ORDER_PARAMS}
    result = await session.stream(text(EXPORT_SQL), params)
    async for partition in result.partitions(batch_size):
        yield partition
