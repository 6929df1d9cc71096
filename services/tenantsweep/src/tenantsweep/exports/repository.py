"""All SQL of the export: an audit's findings streamed in batches through a server-side cursor, in the
order of every findings list (severity rank, then check id)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tenantsweep.findings.repository import ORDER_BY, ORDER_PARAMS, SEVERITY_FILTER

ROWS_SQL = f"""
SELECT f.check_id, f.check_name, f.severity, f.status, f.current_value, f.expected_value, f.recommendation,
       f.details::text AS details, f.created_at
FROM tenantsweep.findings f
WHERE f.audit_id = :audit_id AND {SEVERITY_FILTER}
ORDER BY {ORDER_BY}
"""


async def stream_rows(
    session: AsyncSession, audit_id: int, severities: Sequence[str] | None, batch_size: int
) -> AsyncIterator[Sequence[Any]]:
    """Batches of export rows; only one batch is in memory at a time."""
    params = {"audit_id": audit_id, "severities": list(severities) if severities else None, **ORDER_PARAMS}
    result = await session.stream(text(ROWS_SQL), params)
    async for partition in result.partitions(batch_size):
        yield partition
