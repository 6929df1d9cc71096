"""Seats and endpoints per client (QBR envelope, **public**): ``GET /api/qbr/metrics/devices-by-client``.

Single month: ``period=YYYY-MM`` (required; missing → ``MISSING_PERIOD``). Range mode, as the replaced
system served it: ``start_period`` and ``end_period`` (both, at most 24 months) → a list of the months
that have data. ``data_source`` is ``live`` (counted from a Ninja snapshot; ``snapshot_date`` says
which) or ``historical`` (imported). ``organization_id`` (default 1) scopes the counts.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hub_shared.errors import ApiError
from qbr.devices import service
from qbr.periods import months_between
from qbr.web import Session, blank, ok, organization_id_param, parse_month

router = APIRouter(prefix="/api/qbr/metrics", tags=["qbr"])
MAX_RANGE_MONTHS = 24
NO_DATA_MESSAGE = "No data available for the requested period(s)"


@router.get("/devices-by-client", summary="Seats and endpoints per client for a month (or a range of months)")
async def devices_by_client(
    session: Session,
    period: Annotated[str | None, Query(description="YYYY-MM")] = None,
    start_period: Annotated[str | None, Query(description="YYYY-MM (range mode, with end_period)")] = None,
    end_period: Annotated[str | None, Query(description="YYYY-MM (range mode, with start_period)")] = None,
    organization_id: Annotated[str | None, Query(description="default 1")] = None,
) -> dict[str, Any]:
    organization = organization_id_param(organization_id)
    if blank(start_period) and blank(end_period):
        if blank(period):
            raise ApiError(
                400,
                "Period parameter is required (format: YYYY-MM), or provide start_period and end_period",
                code="MISSING_PERIOD",
            )
        month = parse_month(period or "")
        found = await service.periods_between(session, organization, month, month)
        if not found:
            raise ApiError(404, f"No data available for period {month.label}", code="NO_DATA")
        return ok({**found[0], "organization_id": organization})

    if blank(start_period) or blank(end_period):
        raise ApiError(400, "Both start_period and end_period are required for a range", code="INVALID_PARAMETERS")
    first, last = parse_month(start_period or ""), parse_month(end_period or "")
    if first > last:
        raise ApiError(400, "start_period must not be after end_period", code="INVALID_PERIOD_RANGE")
    requested = len(months_between(first, last))
    if requested > MAX_RANGE_MONTHS:
        raise ApiError(400, f"A range may span at most {MAX_RANGE_MONTHS} months", code="RANGE_TOO_LARGE")
    periods = await service.periods_between(session, organization, first, last)
    if not periods:
        raise ApiError(404, NO_DATA_MESSAGE, code="NO_DATA")
    return ok(
        {
            "start_period": first.label,
            "end_period": last.label,
            "organization_id": organization,
            "periods": periods,
            "periods_returned": len(periods),
            "periods_requested": requested,
        }
    )
