"""All SQL of the exports: the rows of one report date streamed in batches through a server-side cursor,
and the small aggregates the Excel summary and the PDF charts need.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from variance.catalog import ACTIVE, TYPE_CODES
from variance.queries import bind, state

# Catalogue order of the types, then hostname (the export's documented sort).
_TYPE_ORDER = "array_position(CAST(:type_order AS text[]), o.type::text)"


@dataclass(frozen=True)
class ExportScope:
    report_date: date
    include_resolved: bool
    type_code: str | None

    def params(self) -> dict[str, Any]:
        return bind(day=self.report_date, all_rows=self.include_resolved, code=self.type_code)


_WHERE = (
    f"o.report_date = :day AND (:all_rows OR o.status = {state(ACTIVE)}) "
    "AND (CAST(:code AS text) IS NULL OR o.type = CAST(:code AS text))"
)

ROWS_SQL = f"""
SELECT o.exception_id, e.first_seen, o.type, o.key, o.status, e.resolved_date, e.resolved_by,
       e.manually_updated_at, e.manually_updated_by, e.update_type, o.organization, o.details::text AS details,
       o.ninja_hostname, o.threatlocker_hostname, o.ninja_display_name, o.threatlocker_display_name
FROM variance.occurrences o JOIN variance.exceptions e ON e.id = o.exception_id
WHERE {_WHERE}
ORDER BY {_TYPE_ORDER}, o.key
"""


async def stream_rows(session: AsyncSession, scope: ExportScope, batch_size: int) -> AsyncIterator[Sequence[Any]]:
    """Batches of export rows; only one batch is in memory at a time."""
    result = await session.stream(text(ROWS_SQL), {**scope.params(), "type_order": list(TYPE_CODES)})
    async for partition in result.partitions(batch_size):
        yield partition


async def counts_by_type(session: AsyncSession, scope: ExportScope) -> dict[str, dict[str, int]]:
    rows = await session.execute(
        text(
            f"SELECT o.type, count(*), count(*) FILTER (WHERE o.status = {state(ACTIVE)}) "
            f"FROM variance.occurrences o WHERE {_WHERE} GROUP BY o.type"
        ),
        scope.params(),
    )
    return {str(r[0]): {"total": int(r[1]), "unresolved": int(r[2]), "resolved": int(r[1]) - int(r[2])} for r in rows}


async def counts_by_organization(session: AsyncSession, scope: ExportScope, top: int) -> list[tuple[str, int]]:
    rows = await session.execute(
        text(
            f"SELECT o.organization, count(*) AS n FROM variance.occurrences o WHERE {_WHERE} "
            "GROUP BY o.organization ORDER BY n DESC, o.organization LIMIT :top"
        ),
        {**scope.params(), "top": top},
    )
    return [(str(r[0]), int(r[1])) for r in rows]


async def organizations_affected(session: AsyncSession, scope: ExportScope) -> int:
    value = await session.execute(
        text(f"SELECT count(DISTINCT o.organization) FROM variance.occurrences o WHERE {_WHERE}"), scope.params()
    )
    return int(value.scalar_one())
