"""Writing an audit's findings as CSV (no SQL, no HTTP): the replaced system's columns, one row per finding,
written with the csv module (fields with commas, quotes or line breaks are quoted; CRLF line ends).

``Details`` holds the finding's JSON text (empty when it has none); missing text values are empty cells;
``Created At`` is RFC 3339 UTC. The file name follows the replaced system
(``tenantsweep_<tenant, spaces → _ and / → ->_<YYYYMMDD of started_at>.csv``); a name that is not plain
ASCII also gets the RFC 6266 ``filename*`` form, so the header stays valid for any tenant name.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.db import Database
from hub_shared.timefmt import rfc3339
from tenantsweep.audits import service as audits
from tenantsweep.findings import service as findings

CSV_COLUMNS = (
    "Check ID",
    "Check Name",
    "Severity",
    "Status",
    "Current Value",
    "Expected Value",
    "Recommendation",
    "Details",
    "Created At",
)
CONTENT_TYPE = "text/csv; charset=utf-8"
_UNSAFE_IN_HEADER = re.compile(r'[\x00-\x1f\x7f"\\;]')


def _render(rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_header() -> bytes:
    return _render([CSV_COLUMNS])


def row_values(row: Sequence[Any]) -> list[str]:
    """One finding (columns of ``exports/repository.py``) as the CSV's cells."""
    check_id, check_name, severity, status, current, expected, recommendation, details, created_at = row
    return [
        check_id,
        check_name,
        severity,
        status,
        current or "",
        expected or "",
        recommendation or "",
        details or "",
        rfc3339(created_at),
    ]


def csv_chunk(rows: Sequence[Sequence[Any]]) -> bytes:
    return _render([row_values(row) for row in rows])


def filename(tenant_name: str, started_at: datetime) -> str:
    day = started_at.astimezone(UTC).strftime("%Y%m%d")
    tenant = _UNSAFE_IN_HEADER.sub("", tenant_name.replace(" ", "_").replace("/", "-")) or "tenant"
    return f"tenantsweep_{tenant}_{day}.csv"


def content_disposition(name: str) -> str:
    """``attachment; filename="..."`` (quoted, as the replaced system sent it), plus ``filename*`` when
    the name is not plain ASCII (HTTP headers are Latin-1; the UTF-8 form carries the real name)."""
    if name.isascii():
        return f'attachment; filename="{name}"'
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


async def export(
    session: AsyncSession, database: Database, audit_id: int, severities: Sequence[str] | None, batch_size: int
) -> tuple[str, AsyncIterator[bytes]]:
    """The file's name and its bytes: the audit is looked up now (404 before any byte), the rows are read
    later, while the file is sent, in a transaction of their own (``batch_size`` rows at a time)."""
    audit = await audits.get(session, audit_id)

    async def chunks() -> AsyncIterator[bytes]:
        yield csv_header()
        async with database.transaction() as own:
            async for rows in findings.export_rows(own, audit_id, severities, batch_size):
                yield csv_chunk(rows)

    return filename(str(audit["tenant_name"]), audit["started_at"]), chunks()
