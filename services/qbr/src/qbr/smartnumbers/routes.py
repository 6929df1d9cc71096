"""SmartNumbers of a quarter (QBR envelope, protected): ``GET /api/qbr/smartnumbers?period=YYYY-Qn``.

``smartnumbers`` holds all 18 values (null where not computable) as ``spec/qbr-api.md`` shows them. The
inventory spec's example reads ``smart_numbers`` and a ``thresholds`` object with each value's band and
status; both forms fit in one object, so both are served (``DESIGN.md``), plus ``statuses`` with every
SmartNumber's status (null when it has no value or no threshold).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hub_shared.errors import ApiError
from qbr.metrics import service as metrics
from qbr.smartnumbers.formulas import compute
from qbr.thresholds import repository as thresholds_repo
from qbr.thresholds import service as thresholds
from qbr.web import Reader, Session, blank, number, ok, organization_id_param, parse_quarter

router = APIRouter(prefix="/api/qbr/smartnumbers", tags=["qbr"])


@router.get("", summary="The 18 SmartNumbers (KPIs) of a quarter, with threshold statuses")
async def smartnumbers(
    session: Session,
    _caller: Reader,
    period: Annotated[str | None, Query(description="YYYY-Q1..Q4 (required)")] = None,
    organization_id: Annotated[str | None, Query(description="default 1")] = None,
) -> dict[str, Any]:
    if blank(period):
        raise ApiError(400, "Period parameter is required (format: YYYY-Q1)", code="MISSING_PERIOD")
    quarter = parse_quarter(period or "")
    organization = organization_id_param(organization_id)
    aggregates, present = await metrics.quarter_aggregates(session, organization, quarter)
    if not present:
        raise ApiError(404, f"No data available for period {quarter.label}", code="NO_DATA")
    values = compute({name: item.value for name, item in aggregates.items()})
    statuses, detail = thresholds.statuses(values, await thresholds_repo.list_for(session, organization))
    shown = {name: number(value) for name, value in values.items()}
    return ok(
        {
            "period": quarter.label,
            "organization_id": organization,
            "monthly_periods": [month.label for month in quarter.months],
            "months_with_data": [month.label for month in present],
            "smartnumbers": shown,
            "smart_numbers": shown,
            "statuses": statuses,
            "thresholds": detail,
        }
    )
