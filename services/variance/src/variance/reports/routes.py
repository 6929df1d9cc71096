"""Variance report routes (bare envelope family): ``/api/variance-report/*`` and the historical view's
``/api/variances/available-dates``, ``/historical/{date}``, ``/trends``.

The report bodies are pre-rendered bytes (``service.render_*``): their models document them only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from hub_shared.errors import ApiError
from hub_shared.runtime import ServiceRuntime
from hub_shared.web import Session, error_responses, parse_date
from variance.catalog import parse_variance_type
from variance.params import DATE_FORMAT_MESSAGE, Flag, VarianceTypeFilter, date_schema, settings_of, today_of
from variance.reports import service
from variance.reports.cache import json_response
from variance.reports.schemas import AvailableDates, FilteredReport, Trends, VarianceReport

router = APIRouter(tags=["variance reports"])
ReportDate = Annotated[str, Path(description="YYYY-MM-DD", json_schema_extra=date_schema())]
RANGE_REQUIRED = "start_date and end_date are required"
RangeDate = Annotated[str, Query(description="YYYY-MM-DD", json_schema_extra=date_schema(missing=RANGE_REQUIRED))]
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {304: {"description": "Not modified (If-None-Match matched the ETag)"}}
DATED = {
    **error_responses(
        400, 404, descriptions={400: "Invalid date, or fewer than 2 vendors that day", 404: "Report not computed"}
    ),
    **NOT_MODIFIED,
}


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def context_of(request: Request) -> service.ReportContext:
    return service.ReportContext.of(settings_of(request), today_of(request))


@router.get(
    "/api/variance-report/latest",
    summary="Latest variance report (grouped by organisation)",
    response_model=VarianceReport,
    responses={**error_responses(400), **NOT_MODIFIED},
)
async def latest_report(request: Request, session: Session, include_resolved: Flag = False) -> Response:
    rendered = await service.render_latest(_runtime(request), session, context_of(request), include_resolved)
    return json_response(request, rendered)


@router.get(
    "/api/variance-report/filtered",
    summary="Unresolved exceptions of the latest report, for the dashboard",
    response_model=FilteredReport,
    responses=NOT_MODIFIED,
)
async def filtered_report(request: Request, session: Session) -> Response:
    rendered = await service.render_filtered(_runtime(request), session, context_of(request))
    return json_response(request, rendered)


async def _dated(
    request: Request, session: Session, raw_date: str, include_resolved: bool, *, historical: bool
) -> Response:
    day = parse_date(raw_date)
    rendered = await service.render_dated(
        _runtime(request), session, context_of(request), day, include_resolved=include_resolved, historical=historical
    )
    return json_response(request, rendered)


@router.get(
    "/api/variances/available-dates",
    summary="Dates on which both vendors have snapshots",
    response_model=AvailableDates,
)
async def available_dates(request: Request, session: Session) -> AvailableDates:
    return AvailableDates.model_validate(await service.available_dates(session, today_of(request)))


@router.get(
    "/api/variances/historical/{report_date}",
    summary="The report of a past date (same structure as latest)",
    response_model=VarianceReport,
    responses=DATED,
)
async def historical_report(
    request: Request, session: Session, report_date: ReportDate, include_resolved: Flag = False
) -> Response:
    return await _dated(request, session, report_date, include_resolved, historical=True)


@router.get(
    "/api/variances/trends",
    summary="Exception counts per date and type over a date range",
    response_model=Trends,
    responses=error_responses(400),
)
async def trends(
    session: Session,
    start_date: RangeDate,
    end_date: RangeDate,
    type: VarianceTypeFilter = None,
) -> Trends:
    start, end = parse_date(start_date, DATE_FORMAT_MESSAGE), parse_date(end_date, DATE_FORMAT_MESSAGE)
    if start > end:
        raise ApiError(400, "start_date must be before end_date")
    kind = parse_variance_type(type)
    return Trends.model_validate(await service.trends(session, start, end, kind.code if kind else None))


# Declared last so the static paths above win.
@router.get(
    "/api/variance-report/{report_date}",
    summary="The report of one date (same structure as latest)",
    response_model=VarianceReport,
    responses=DATED,
)
async def dated_report(
    request: Request, session: Session, report_date: ReportDate, include_resolved: Flag = False
) -> Response:
    return await _dated(request, session, report_date, include_resolved, historical=False)
