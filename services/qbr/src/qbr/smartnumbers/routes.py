"""SmartNumbers of a quarter (QBR envelope, protected): ``GET /api/qbr/smartnumbers?period=YYYY-Qn``.

``smartnumbers`` holds all 18 values (null where not computable) as ``spec/qbr-api.md`` shows them. The
inventory spec's example reads ``smart_numbers`` and a ``thresholds`` object with each value's band and
status; both forms fit in one object, so both are served (``DESIGN.md``), plus ``statuses`` with every
SmartNumber's status (null when it has no value or no threshold).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel

from hub_shared.errors import ApiError
from hub_shared.web import Session, error_code, error_responses
from qbr.api import (
    MISSING_PERIOD_MESSAGE,
    Envelope,
    OrganizationId,
    Reader,
    RequiredQuarterParam,
    number,
    ok,
    qbr_router,
)
from qbr.formulas import SMARTNUMBER_NAMES
from qbr.periods import Quarter
from qbr.smartnumbers import service

router = qbr_router("/api/qbr/smartnumbers")


class ThresholdStatus(BaseModel):
    green_min: float | None
    green_max: float | None
    yellow_min: float | None
    yellow_max: float | None
    red_threshold: float | None
    status: str | None


class SmartNumbers(BaseModel):
    period: str
    organization_id: int
    monthly_periods: list[str]
    months_with_data: list[str]
    smartnumbers: dict[str, float | None]
    smart_numbers: dict[str, float | None]
    statuses: dict[str, str | None]
    thresholds: dict[str, ThresholdStatus]


@router.get(
    "",
    summary="The 18 SmartNumbers (KPIs) of a quarter, with threshold statuses",
    response_model=Envelope[SmartNumbers],
    responses=error_responses(400, 404),
)
async def smartnumbers(
    session: Session,
    _caller: Reader,
    period: Annotated[
        RequiredQuarterParam,
        Query(
            description="YYYY-Q1..Q4",
            examples=["2025-Q4"],
            json_schema_extra=error_code(missing="MISSING_PERIOD", missing_message=MISSING_PERIOD_MESSAGE),
        ),
    ],
    organization_id: OrganizationId = 1,
) -> dict[str, Any]:
    quarter = Quarter.parse(period)
    numbers = await service.of_quarter(session, organization_id, quarter)
    if numbers is None:
        raise ApiError(404, f"No data available for period {quarter.label}", code="NO_DATA")
    shown = {name: number(numbers.values.get(name)) for name in SMARTNUMBER_NAMES}
    return ok(
        {
            "period": quarter.label,
            "organization_id": organization_id,
            "monthly_periods": [month.label for month in quarter.months],
            "months_with_data": [month.label for month in numbers.months_with_data],
            "smartnumbers": shown,
            "smart_numbers": shown,
            "statuses": numbers.statuses,
            "thresholds": numbers.thresholds,
        }
    )
