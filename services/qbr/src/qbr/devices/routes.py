"""Seats and endpoints per client (QBR envelope, **public**): ``GET /api/qbr/metrics/devices-by-client``.

Single month: ``period=YYYY-MM`` (required; missing → ``MISSING_PERIOD``). Range mode, as the replaced
system served it: ``start_period`` and ``end_period`` (both, at most 24 months) → a list of the months
that have data. ``data_source`` is ``live`` (counted from a Ninja snapshot; ``snapshot_date`` says
which) or ``historical`` (imported). ``organization_id`` (default 1) scopes the counts.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from hub_shared.errors import ApiError
from hub_shared.web import Session, error_responses
from qbr.api import Envelope, MonthParam, OrganizationId, month_of, ok, qbr_router
from qbr.devices import service
from qbr.devices.schemas import MonthDevices, RangeDevices
from qbr.periods import months_between

router = qbr_router("/api/qbr/metrics")
MAX_RANGE_MONTHS = 24
NO_DATA_MESSAGE = "No data available for the requested period(s)"


@router.get(
    "/devices-by-client",
    summary="Seats and endpoints per client for a month (or a range of months)",
    response_model=Envelope[MonthDevices | RangeDevices],
    response_model_exclude_unset=True,
    responses=error_responses(400, 404),
)
async def devices_by_client(
    session: Session,
    period: Annotated[MonthParam | None, Query(description="YYYY-MM")] = None,
    start_period: Annotated[MonthParam | None, Query(description="YYYY-MM (range mode, with end_period)")] = None,
    end_period: Annotated[MonthParam | None, Query(description="YYYY-MM (range mode, with start_period)")] = None,
    organization_id: OrganizationId = 1,
) -> dict[str, Any]:
    month, first_month, last_month = month_of(period), month_of(start_period), month_of(end_period)
    if first_month is None and last_month is None:
        if month is None:
            raise ApiError(
                400,
                "Period parameter is required (format: YYYY-MM), or provide start_period and end_period",
                code="MISSING_PERIOD",
            )
        found = await service.periods_between(session, organization_id, month, month)
        if not found:
            raise ApiError(404, f"No data available for period {month.label}", code="NO_DATA")
        return ok({**found[0], "organization_id": organization_id})

    if first_month is None or last_month is None:
        raise ApiError(400, "Both start_period and end_period are required for a range", code="INVALID_PARAMETERS")
    first, last = first_month, last_month
    if first > last:
        raise ApiError(400, "start_period must not be after end_period", code="INVALID_PERIOD_RANGE")
    requested = len(months_between(first, last))
    if requested > MAX_RANGE_MONTHS:
        raise ApiError(400, f"A range may span at most {MAX_RANGE_MONTHS} months", code="RANGE_TOO_LARGE")
    periods = await service.periods_between(session, organization_id, first, last)
    if not periods:
        raise ApiError(404, NO_DATA_MESSAGE, code="NO_DATA")
    return ok(
        {
            "start_period": first.label,
            "end_period": last.label,
            "organization_id": organization_id,
            "periods": periods,
            "periods_returned": len(periods),
            "periods_requested": requested,
        }
    )
