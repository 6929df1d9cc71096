"""Scheduled-report routes: ``/api/notifications/reports`` (list, create, read with recent runs,
replace, delete) and ``POST /{id}/send-now``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from hub_shared.errors import ApiError
from notifier.channels.schemas import Deleted
from notifier.reports import repository as repo
from notifier.reports.schemas import Report, ReportDetail, ReportIn, ReportList, ReportRun, SendNowResult
from notifier.reports.service import next_due
from notifier.scheduler import fire_report
from notifier.web import Answer, Reader, Session, Writer, error_responses, runtime_of, settings_of

router = APIRouter(prefix="/api/notifications", tags=["notifications"])
ReportId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def report_view(request: Request, row: Mapping[Any, Any]) -> Report:
    due = next_due(row["cron"], datetime.now(UTC), settings_of(request)) if row["enabled"] else None
    return Report(**{k: row[k] for k in Report.model_fields if k != "next_due_at"}, next_due_at=due)


async def _find(session: Any, report_id: int) -> Mapping[Any, Any]:
    row = await repo.get(session, report_id)
    if row is None:
        raise ApiError(404, f"Report {report_id} not found")
    return row


@router.get("/reports", summary="Every scheduled report")
async def list_reports(request: Request, session: Session, _caller: Reader) -> Answer[ReportList]:
    rows = await repo.list_all(session)
    return Answer(data=ReportList(reports=[report_view(request, row) for row in rows], total=len(rows)))


@router.post("/reports", status_code=201, summary="Schedule a report", responses=error_responses(400))
async def create_report(request: Request, session: Session, caller: Writer, body: ReportIn) -> Answer[Report]:
    row = await repo.create(session, {**body.model_dump(), "created_by": caller.user})
    return Answer(data=report_view(request, row))


@router.get("/reports/{report_id}", summary="One report with its recent runs", responses=error_responses(404))
async def get_report(request: Request, session: Session, _caller: Reader, report_id: ReportId) -> Answer[ReportDetail]:
    row = await _find(session, report_id)
    runs = [ReportRun(**dict(run)) for run in await repo.runs_of(session, report_id)]
    return Answer(data=ReportDetail(**report_view(request, row).model_dump(), runs=runs))


@router.put("/reports/{report_id}", summary="Replace a report", responses=error_responses(400, 404))
async def replace_report(
    request: Request, session: Session, _caller: Writer, report_id: ReportId, body: ReportIn
) -> Answer[Report]:
    await _find(session, report_id)
    row = await repo.replace(session, report_id, body.model_dump())
    assert row is not None
    return Answer(data=report_view(request, row))


@router.delete("/reports/{report_id}", summary="Delete a report", responses=error_responses(404))
async def delete_report(session: Session, _caller: Writer, report_id: ReportId) -> Answer[Deleted]:
    if not await repo.remove(session, report_id):
        raise ApiError(404, f"Report {report_id} not found")
    return Answer(data=Deleted(id=report_id))


@router.post(
    "/reports/{report_id}/send-now",
    summary="Render the report now and e-mail it (the schedule is not changed)",
    responses=error_responses(404),
)
async def send_now(request: Request, session: Session, _caller: Writer, report_id: ReportId) -> Answer[SendNowResult]:
    row = await _find(session, report_id)
    result = await fire_report(runtime_of(request), row, None, "manual", datetime.now(UTC))
    assert result is not None
    return Answer(data=SendNowResult(**result))
