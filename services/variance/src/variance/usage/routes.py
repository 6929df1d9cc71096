"""Ninja usage routes (success/data envelope, public): ``GET /api/ninja/usage-changes`` and
``GET /api/ninja/available-dates``.

Errors use the spec's codes: MISSING_PARAMETERS, INVALID_DATE, INVALID_DATE_RANGE, INVALID_PARAMETER
(400) and NO_DATA (404). ``detail_level`` is ``summary`` (default) or ``full``; ``include_details=true``
is accepted as ``full``.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from hub_shared.errors import ApiError
from hub_shared.timefmt import parse_iso_date
from hub_shared.web import QueryFlag, Session, error_code, error_responses
from variance.params import NO_NUL, settings_of, today_of
from variance.usage import service
from variance.usage.schemas import NinjaDates, UsageChanges

router = APIRouter(prefix="/api/ninja", tags=["ninja usage"])
RANGE_REQUIRED = "start_date and end_date are required"
UsageDate = Annotated[
    str,
    Query(
        description="YYYY-MM-DD",
        json_schema_extra={
            "format": "date",
            **error_code("INVALID_DATE", missing="MISSING_PARAMETERS", missing_message=RANGE_REQUIRED),
        },
    ),
]


def _date(value: str, name: str) -> date:
    try:
        return parse_iso_date(value)
    except ValueError:
        raise ApiError(400, f"Invalid {name} format: {value}. Use YYYY-MM-DD", code="INVALID_DATE") from None


@router.get(
    "/usage-changes",
    summary="Devices added, removed, moved and changing billing between two dates",
    response_model=UsageChanges,
    response_model_exclude_unset=True,
    responses=error_responses(
        400, 404, descriptions={400: "Invalid parameter or date range", 404: "No Ninja data for a date (NO_DATA)"}
    ),
)
async def usage_changes(
    request: Request,
    session: Session,
    start_date: UsageDate,
    end_date: UsageDate,
    detail_level: Annotated[
        Literal["summary", "full"] | None,
        Query(
            description="summary (default) or full (device-level changes)",
            json_schema_extra=error_code("INVALID_PARAMETER", message="detail_level must be 'summary' or 'full'"),
        ),
    ] = None,
    include_details: Annotated[
        QueryFlag | None,
        Query(
            description="true: the same as detail_level=full (when detail_level is absent)",
            json_schema_extra=error_code("INVALID_PARAMETER", message="include_details must be true or false"),
        ),
    ] = None,
    organization_name: Annotated[str | None, Query(max_length=300, pattern=NO_NUL)] = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    start, end = _date(start_date, "start_date"), _date(end_date, "end_date")
    if start >= end:
        raise ApiError(400, "start_date must be before end_date", code="INVALID_DATE_RANGE")
    level = detail_level or ("full" if include_details else "summary")
    organization = organization_name.strip() if organization_name and organization_name.strip() else None
    data = await service.usage_changes(session, settings_of(request), start, end, level, organization, started)
    return {"success": True, "data": data}


@router.get(
    "/available-dates",
    summary="Ninja snapshot dates with device-level data",
    response_model=NinjaDates,
    responses=error_responses(400),
)
async def available_dates(
    request: Request,
    session: Session,
    days: Annotated[
        int,
        Query(
            ge=1,
            le=365,
            description="Days to look back",
            json_schema_extra=error_code("INVALID_PARAMETER", message="days must be an integer between 1 and 365"),
        ),
    ] = 65,
) -> dict[str, Any]:
    today = today_of(request)
    start = today - timedelta(days=days)
    dates = await service.available_dates(session, start, today)
    return {
        "success": True,
        "data": {
            "dates": [day.isoformat() for day in dates],
            "count": len(dates),
            "range": {"start": start.isoformat(), "end": today.isoformat()},
        },
    }
