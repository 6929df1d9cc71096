"""``GET /api/tenantsweep/audits/{id}/export/csv`` (``severity`` filter): an audit's findings as CSV, streamed.

Errors (bad id or severity 400, unknown audit 404) are JSON in the success/data family, decided before
the first byte of the file is sent. The rows then stream from a server-side cursor in the export's own
transaction, ``TENANTSWEEP_EXPORT_BATCH_ROWS`` at a time, so memory stays flat whatever the audit's size.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from hub_shared.db import Database
from tenantsweep.audits.routes import AuditId, SeverityFilter, find_audit, severities_of
from tenantsweep.exports import repository as repo
from tenantsweep.exports import service
from tenantsweep.web import Reader, Session, parse_id, settings_of

router = APIRouter(prefix="/api/tenantsweep", tags=["tenantsweep"])


@router.get(
    "/audits/{audit_id}/export/csv",
    summary="An audit's findings as CSV (streamed)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_csv(
    request: Request, session: Session, caller: Reader, audit_id: AuditId, severity: SeverityFilter = None
) -> StreamingResponse:
    ident = parse_id(audit_id)
    severities = severities_of(severity)
    audit = await find_audit(session, ident)
    database: Database = request.app.state.runtime.database
    batch = settings_of(request).tenantsweep_export_batch_rows

    async def chunks() -> AsyncIterator[bytes]:
        yield service.csv_header()
        async with database.transaction() as own:
            async for rows in repo.stream_rows(own, ident, severities, batch):
                yield service.csv_chunk(rows)

    name = service.filename(str(audit["tenant_name"]), audit["started_at"])
    return StreamingResponse(
        chunks(), media_type=service.CONTENT_TYPE, headers={"content-disposition": service.content_disposition(name)}
    )
