"""``GET /api/tenantsweep/audits/{id}/export/csv`` (``severity`` filter): an audit's findings as CSV, streamed.

Errors (bad id or severity 400, unknown audit 404) are JSON in the success/data family, decided before
the first byte of the file is sent. The rows then stream from a server-side cursor in the export's own
transaction, ``TENANTSWEEP_EXPORT_BATCH_ROWS`` at a time, so memory stays flat whatever the audit's size.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import StreamingResponse

from hub_shared.db import Database
from tenantsweep.exports import service
from tenantsweep.params import AuditId, SeverityFilter
from tenantsweep.web import Reader, Session, settings_of, tenantsweep_router

router = tenantsweep_router()


@router.get(
    "/audits/{audit_id}/export/csv",
    summary="An audit's findings as CSV (streamed)",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The findings, one row each: " + ", ".join(service.CSV_COLUMNS),
            "content": {service.CONTENT_TYPE: {"schema": {"type": "string"}}},
        }
    },
)
async def export_csv(
    request: Request, session: Session, caller: Reader, audit_id: AuditId, severity: SeverityFilter = None
) -> StreamingResponse:
    database: Database = request.app.state.runtime.database
    batch = settings_of(request).tenantsweep_export_batch_rows
    name, chunks = await service.export(session, database, audit_id, severity, batch)
    return StreamingResponse(
        chunks, media_type=service.CONTENT_TYPE, headers={"content-disposition": service.content_disposition(name)}
    )
