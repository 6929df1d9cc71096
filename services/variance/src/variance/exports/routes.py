"""Export routes: ``GET /api/variances/export/{csv|pdf|excel}`` with ``date`` (``latest`` or YYYY-MM-DD),
``include_resolved`` and ``variance_type`` (report key, type code or ``all``; ``type`` as a fallback).

Errors are JSON in the bare family, decided before any byte of the file is sent. CSV streams from a
server-side cursor in its own transaction; Excel and PDF are built from the same batched cursor into a
temporary file, streamed, then deleted.
"""

from __future__ import annotations

import contextlib
import os
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from hub_shared.db import Database
from hub_shared.web import Session, binary_response, error_responses, parse_date
from variance.catalog import VarianceType, parse_variance_type
from variance.exports import service
from variance.exports.service import ExportScope
from variance.params import DATE_FORMAT_MESSAGE, Flag, VarianceTypeFilter, day_or, settings_of, today_of
from variance.reports import service as reports

router = APIRouter(prefix="/api/variances/export", tags=["exports"])


async def _scope(
    request: Request, session: Session, date: str, include_resolved: bool, variance_type: str | None
) -> tuple[ExportScope, VarianceType | None]:
    kind = parse_variance_type(variance_type)
    runtime = request.app.state.runtime
    if date == "latest":
        context = reports.ReportContext.of(settings_of(request), today_of(request))
        report = await reports.current_report(runtime, session, context)
    else:
        report = await reports.computed_report(session, parse_date(date))
    return ExportScope(report.report_date, include_resolved, kind.code if kind else None), kind


def _disposition(fmt: str, scope: ExportScope, kind: VarianceType | None) -> dict[str, str]:
    return {"content-disposition": f"attachment; filename={service.filename(fmt, scope.report_date, kind)}"}


Date = Annotated[
    str,
    Query(
        description="latest (default) or YYYY-MM-DD", json_schema_extra=day_or("latest", message=DATE_FORMAT_MESSAGE)
    ),
]
ERRORS = error_responses(
    400, 404, descriptions={400: "Invalid parameter, or fewer than 2 vendors that day", 404: "No such report"}
)


def _documented(fmt: str, description: str) -> dict[int | str, dict[str, Any]]:
    return {**binary_response(service.CONTENT_TYPES[fmt], description=description), **ERRORS}


def _type_param(variance_type: str | None, type_: str | None) -> str | None:
    return variance_type if variance_type is not None and variance_type.strip() else type_


@router.get(
    "/csv",
    summary="Exceptions of a report date as CSV (streamed)",
    response_class=Response,
    responses=_documented("csv", "The exceptions as CSV"),
)
async def export_csv(
    request: Request,
    session: Session,
    date: Date = "latest",
    include_resolved: Flag = False,
    variance_type: VarianceTypeFilter = None,
    type: VarianceTypeFilter = None,
) -> StreamingResponse:
    scope, kind = await _scope(request, session, date, include_resolved, _type_param(variance_type, type))
    database: Database = request.app.state.runtime.database
    chunks = service.csv_stream(database, scope, settings_of(request).variance_export_batch_rows)
    return StreamingResponse(chunks, media_type=service.CONTENT_TYPES["csv"], headers=_disposition("csv", scope, kind))


async def _build_file(request: Request, scope: ExportScope, kind: VarianceType | None, fmt: str) -> str:
    database: Database = request.app.state.runtime.database
    return await service.build_file(database, scope, kind, fmt, settings_of(request).variance_export_batch_rows)


class TemporaryFileResponse(FileResponse):
    """A file response that deletes its file however the transfer ends.

    Starlette runs a response's background task only after a complete send; when the client goes away
    (an ASGI 2.4 server raises ``OSError`` from ``send``) or the request is cancelled, it never runs.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(self.path)


def _file_response(path: str, fmt: str, scope: ExportScope, kind: VarianceType | None) -> FileResponse:
    return TemporaryFileResponse(path, media_type=service.CONTENT_TYPES[fmt], headers=_disposition(fmt, scope, kind))


@router.get(
    "/excel",
    summary="Exceptions of a report date as an Excel workbook (summary + one sheet per type)",
    response_class=Response,
    responses=_documented("excel", "The exceptions as an Excel workbook"),
)
async def export_excel(
    request: Request,
    session: Session,
    date: Date = "latest",
    include_resolved: Flag = False,
    variance_type: VarianceTypeFilter = None,
    type: VarianceTypeFilter = None,
) -> FileResponse:
    scope, kind = await _scope(request, session, date, include_resolved, _type_param(variance_type, type))
    path = await _build_file(request, scope, kind, "excel")
    return _file_response(path, "excel", scope, kind)


@router.get(
    "/pdf",
    summary="Exceptions of a report date as a PDF (executive summary, charts, details)",
    response_class=Response,
    responses=_documented("pdf", "The exceptions as a PDF report"),
)
async def export_pdf(
    request: Request,
    session: Session,
    date: Date = "latest",
    include_resolved: Flag = False,
    variance_type: VarianceTypeFilter = None,
    type: VarianceTypeFilter = None,
) -> FileResponse:
    scope, kind = await _scope(request, session, date, include_resolved, _type_param(variance_type, type))
    path = await _build_file(request, scope, kind, "pdf")
    return _file_response(path, "pdf", scope, kind)
