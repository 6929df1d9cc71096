"""Variance report routes (bare envelope family): ``/api/variance-report/*`` and the historical view's
``/api/variances/available-dates``, ``/historical/{date}``, ``/trends``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hub_shared.errors import ApiError
from hub_shared.runtime import ServiceRuntime
from variance.catalog import UnknownVarianceType, parse_variance_type
from variance.reports import service
from variance.reports.cache import json_response
from variance.web import DATE_FORMAT_MESSAGE, Session, parse_date, parse_flag, settings_of, today_of

router = APIRouter(tags=["variance reports"])
Flag = Annotated[str | None, Query(description="true or false (default false)")]


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def context_of(request: Request) -> service.ReportContext:
    return service.ReportContext.of(settings_of(request), today_of(request))


@router.get("/api/variance-report/latest", summary="Latest variance report (grouped by organisation)")
async def latest_report(request: Request, session: Session, include_resolved: Flag = None) -> Response:
    flag = parse_flag(include_resolved, "include_resolved")
    rendered = await service.render_latest(_runtime(request), session, context_of(request), flag)
    return json_response(request, rendered)


@router.get("/api/variance-report/filtered", summary="Unresolved exceptions of the latest report, for the dashboard")
async def filtered_report(request: Request, session: Session) -> Response:
    rendered = await service.render_filtered(_runtime(request), session, context_of(request))
    return json_response(request, rendered)


async def _dated(
    request: Request, session: Session, raw_date: str, include_resolved: str | None, *, historical: bool
) -> Response:
    day = parse_date(raw_date)
    flag = parse_flag(include_resolved, "include_resolved")
    rendered = await service.render_dated(
        _runtime(request), session, context_of(request), day, include_resolved=flag, historical=historical
    )
    return json_response(request, rendered)


@router.get("/api/variances/available-dates", summary="Dates on which both vendors have snapshots")
async def available_dates(request: Request, session: Session) -> dict[str, Any]:
    return await service.available_dates(session, today_of(request))


@router.get("/api/variances/historical/{report_date}", summary="The report of a past date (same structure as latest)")
async def historical_report(
    request: Request, session: Session, report_date: str, include_resolved: Flag = None
) -> Response:
    return await _dated(request, session, report_date, include_resolved, historical=True)


@router.get("/api/variances/trends", summary="Exception counts per date and type over a date range")
async def trends(
    session: Session,
    start_date: Annotated[str | None, Query()] = None,
    end_date: Annotated[str | None, Query()] = None,
    type: Annotated[str | None, Query(description="type code or report key")] = None,
) -> dict[str, Any]:
    if not (start_date or "").strip() or not (end_date or "").strip():
        raise ApiError(400, "start_date and end_date are required")
    start, end = parse_date(start_date, DATE_FORMAT_MESSAGE), parse_date(end_date, DATE_FORMAT_MESSAGE)
    if start > end:
        raise ApiError(400, "start_date must be before end_date")
    try:
        kind = parse_variance_type(type)
    except UnknownVarianceType as exc:
        raise ApiError(400, str(exc)) from None
    return await service.trends(session, start, end, kind.code if kind else None)


# Declared last so the static paths above win.
@router.get("/api/variance-report/{report_date}", summary="The report of one date (same structure as latest)")
async def dated_report(request: Request, session: Session, report_date: str, include_resolved: Flag = None) -> Response:
    return await _dated(request, session, report_date, include_resolved, historical=False)
