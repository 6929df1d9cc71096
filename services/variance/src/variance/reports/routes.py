"""Variance report routes (bare envelope family): ``/api/variance-report/*`` and the historical view's
``/api/variances/available-dates``, ``/historical/{date}``, ``/trends``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hub_shared.errors import ApiError
from hub_shared.logging import get_logger
from variance.catalog import UnknownVarianceType, parse_variance_type
from variance.reports import repository as repo
from variance.reports import service
from variance.reports.cache import Rendered, cache_of, json_response
from variance.reports.tracker import tracker_of
from variance.web import (
    DATE_FORMAT_MESSAGE,
    Session,
    parse_date,
    parse_flag,
    settings_of,
    today_of,
)

router = APIRouter(tags=["variance reports"])
log = get_logger(__name__)
Flag = Annotated[str | None, Query(description="true or false (default false)")]
AVAILABLE_DATES_WINDOW_DAYS = 30


def context_of(request: Request) -> service.ReportContext:
    settings = settings_of(request)
    return service.ReportContext(
        today=today_of(request),
        window_days=settings.variance_report_window_days,
        retention_days=settings.variance_retention_days,
    )


async def _latest(request: Request, session: Session) -> tuple[service.ReportContext, repo.Latest]:
    context = context_of(request)
    since = context.today - timedelta(days=context.window_days)
    latest = await tracker_of(request).get(since, lambda: repo.latest(session, since))
    return context, latest


def _revision_key(latest: repo.Latest) -> tuple[Any, ...]:
    report = latest.report
    return (latest.common_date, report.report_date if report else None, report.revision if report else 0)


async def _render_latest(request: Request, session: Session, include_resolved: bool) -> Rendered:
    context, latest = await _latest(request, session)
    key = ("latest", *_revision_key(latest), include_resolved, context.today)
    return await cache_of(request).get_or_build(
        key, lambda: service.latest_body(session, context, latest, include_resolved)
    )


async def warm_latest(request: Request) -> None:
    """After a change (run once the response is sent): render the default latest report now, so the
    dashboard's reload finds it ready instead of waiting for a 10k-exception body to be built."""
    try:
        async with request.app.state.runtime.database.transaction() as session:
            await _render_latest(request, session, False)
    except Exception as exc:  # only a warm-up: the next request builds it anyway
        log.warning("latest report warm-up failed", error=str(exc))


@router.get("/api/variance-report/latest", summary="Latest variance report (grouped by organisation)")
async def latest_report(request: Request, session: Session, include_resolved: Flag = None) -> Response:
    rendered = await _render_latest(request, session, parse_flag(include_resolved, "include_resolved"))
    return json_response(request, rendered)


@router.get("/api/variance-report/filtered", summary="Unresolved exceptions of the latest report, for the dashboard")
async def filtered_report(request: Request, session: Session) -> Response:
    context, latest = await _latest(request, session)
    key = ("filtered", *_revision_key(latest), context.today)
    rendered = await cache_of(request).get_or_build(key, lambda: service.filtered_body(session, context, latest))
    return json_response(request, rendered)


async def _dated(
    request: Request, session: Session, raw_date: str, include_resolved: str | None, *, historical: bool
) -> Response:
    day = parse_date(raw_date)
    flag = parse_flag(include_resolved, "include_resolved")
    vendors = await repo.vendors_with_snapshot(session, day)
    if vendors < 2:
        raise ApiError(
            400,
            f"Insufficient data for {day.isoformat()}. Found {vendors} vendors, need 2.",
            extra={"status": "insufficient_data"},
        )
    report = await repo.report_for(session, day)
    if report is None:
        raise ApiError(
            404,
            f"No variance report has been computed for {day.isoformat()}",
            extra={"status": "not_computed"},
        )
    context, latest = await _latest(request, session)
    current = latest.report.report_date if latest.common_date is not None and latest.report else None
    key = ("dated", historical, day, report.revision, flag, context.today, current == day)
    rendered = await cache_of(request).get_or_build(
        key,
        lambda: service.dated_body(
            session, context, report, current_date=current, historical=historical, include_resolved=flag
        ),
    )
    return json_response(request, rendered)


@router.get("/api/variances/available-dates", summary="Dates on which both vendors have snapshots")
async def available_dates(request: Request, session: Session) -> dict[str, Any]:
    today = today_of(request)
    rows = await repo.available_dates(session, today - timedelta(days=AVAILABLE_DATES_WINDOW_DAYS))
    return service.available_dates_body(rows, today, AVAILABLE_DATES_WINDOW_DAYS)


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
    rows = await repo.trends(session, start, end, kind.code if kind else None)
    return service.trends_body(rows, start, end)


# Declared last so the static paths above win.
@router.get("/api/variance-report/{report_date}", summary="The report of one date (same structure as latest)")
async def dated_report(request: Request, session: Session, report_date: str, include_resolved: Flag = None) -> Response:
    return await _dated(request, session, report_date, include_resolved, historical=False)
