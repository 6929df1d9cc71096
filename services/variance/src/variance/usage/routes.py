"""Ninja usage routes (success/data envelope, public): ``GET /api/ninja/usage-changes`` and
``GET /api/ninja/available-dates``.

Errors use the spec's codes: MISSING_PARAMETERS, INVALID_DATE, INVALID_DATE_RANGE, INVALID_PARAMETER
(400) and NO_DATA (404). ``detail_level`` is ``summary`` (default) or ``full``; ``include_details=true``
is accepted as ``full``.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hub_shared.errors import ApiError
from variance.usage import service
from variance.web import Session, settings_of, today_of

router = APIRouter(prefix="/api/ninja", tags=["ninja usage"])
DETAIL_LEVELS = ("summary", "full")


def _date(value: str, name: str) -> date:
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, f"Invalid {name} format: {value}. Use YYYY-MM-DD", code="INVALID_DATE") from None


def _detail_level(detail_level: str | None, include_details: str | None) -> str:
    if detail_level is not None and detail_level.strip():
        level = detail_level.strip().lower()
        if level not in DETAIL_LEVELS:
            raise ApiError(400, "detail_level must be 'summary' or 'full'", code="INVALID_PARAMETER")
        return level
    if include_details is not None and include_details.strip():
        flag = include_details.strip().lower()
        if flag not in ("true", "false", "1", "0"):
            raise ApiError(400, "include_details must be true or false", code="INVALID_PARAMETER")
        return "full" if flag in ("true", "1") else "summary"
    return "summary"


@router.get("/usage-changes", summary="Devices added, removed, moved and changing billing between two dates")
async def usage_changes(
    request: Request,
    session: Session,
    start_date: Annotated[str | None, Query()] = None,
    end_date: Annotated[str | None, Query()] = None,
    detail_level: Annotated[str | None, Query()] = None,
    include_details: Annotated[str | None, Query()] = None,
    organization_name: Annotated[str | None, Query(max_length=300)] = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    if not (start_date or "").strip() or not (end_date or "").strip():
        raise ApiError(400, "start_date and end_date are required", code="MISSING_PARAMETERS")
    assert start_date is not None and end_date is not None
    start, end = _date(start_date, "start_date"), _date(end_date, "end_date")
    if start >= end:
        raise ApiError(400, "start_date must be before end_date", code="INVALID_DATE_RANGE")
    level = _detail_level(detail_level, include_details)
    organization = organization_name.strip() if organization_name and organization_name.strip() else None
    return {
        "success": True,
        "data": await service.usage_changes(session, settings_of(request), start, end, level, organization, started),
    }


@router.get("/available-dates", summary="Ninja snapshot dates with device-level data")
async def available_dates(
    request: Request, session: Session, days: Annotated[str | None, Query()] = None
) -> dict[str, Any]:
    window = 65
    if days is not None and days.strip():
        try:
            window = int(days.strip())
        except ValueError:
            raise ApiError(400, "days must be an integer between 1 and 365", code="INVALID_PARAMETER") from None
        if not 1 <= window <= 365:
            raise ApiError(400, "days must be an integer between 1 and 365", code="INVALID_PARAMETER")
    today = today_of(request)
    start = today - timedelta(days=window)
    dates = await service.available_dates(session, start, today)
    return {
        "success": True,
        "data": {
            "dates": [day.isoformat() for day in dates],
            "count": len(dates),
            "range": {"start": start.isoformat(), "end": today.isoformat()},
        },
    }
