"""``GET /api/tenantsweep/audits/{id}/export/csv`` (``severity`` filter): an audit's findings as CSV, streamed.

Errors (bad id or severity 400, unknown audit 404) are JSON in the success/data family, decided before
the first byte of the file is sent. The rows then stream from a server-side cursor in the export's own
transaction, ``TENANTSWEEP_EXPORT_BATCH_ROWS`` at a time, so memory stays flat whatever the audit's size.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import StreamingResponse

from hub_shared.db import Database
from hub_shared.web import Session, binary_response, error_responses
from tenantsweep.api import Reader, Settings, tenantsweep_router
from tenantsweep.exports import service
from tenantsweep.params import AuditId, SeverityFilter

router = tenantsweep_router()


@router.get(
    "/audits/{audit_id}/export/csv",
    summary="An audit's findings as CSV (streamed)",
    response_class=StreamingResponse,
    responses={
        **binary_response(
            service.CONTENT_TYPE, description="The findings, one row each: " + ", ".join(service.CSV_COLUMNS)
        ),
        **error_responses(400, 404),
    },
)
async def export_csv(
    request: Request,
    session: Session,
    settings: Settings,
    caller: Reader,
    audit_id: AuditId,
    severity: SeverityFilter = None,
) -> StreamingResponse:
    database: Database = request.app.state.runtime.database
    batch = settings.tenantsweep_export_batch_rows
    name, chunks = await service.export(session, database, audit_id, severity, batch)
    return StreamingResponse(
        chunks, media_type=service.CONTENT_TYPE, headers={"content-disposition": service.content_disposition(name)}
    )
