"""Monthly and quarterly metrics and manual entry (QBR envelope, protected):
``GET /api/qbr/metrics/monthly``, ``GET /api/qbr/metrics/quarterly``, ``POST /api/qbr/metrics/manual``.

``organization_id`` (default 1) scopes everything. Without ``period`` the monthly and quarterly views
answer the organisation's latest month (or its quarter); a period without any value answers 404
``NO_DATA`` (the spec's error table: "No data available for the requested period"; the replaced system
answered 200 with an empty list, which a dashboard cannot tell from a month whose filters matched
nothing). Monthly filters (``vendor_id``, ``metric_name``,
``data_source``) narrow the list and may leave it empty; ``data_source`` takes the replaced system's four
values (``best`` keeps one row per metric, which every month already is; nothing here comes from
QuickBooks, so ``quickbooks`` lists nothing). Quarterly ``metrics`` is the spec's ``{name: value}`` map;
``metric_details`` keeps the replaced system's per-metric list (aggregation and months with data), so
neither reading breaks.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator, Field, StringConstraints

from hub_shared.bodies import any_case, coded
from hub_shared.errors import ApiError
from hub_shared.web import Session, error_responses
from qbr.api import (
    MAX_ID,
    Envelope,
    MonthParam,
    OrganizationId,
    QuarterParam,
    Reader,
    Writer,
    month_of,
    ok,
    qbr_router,
    quarter_of,
)
from qbr.audit.service import Actor
from qbr.catalog import BY_NAME, METRIC_NAMES
from qbr.metrics import service
from qbr.metrics.schemas import ManualEntryBody, ManualResult, MonthlyMetrics, QuarterlyMetrics, unknown_metric

router = qbr_router("/api/qbr/metrics")
# The replaced system's values; ``best`` (one row per metric, preferring the best source) is no filter here.
DATA_SOURCES = ("quickbooks", "manual", "collected", "best")
BEST = "best"
DATA_SOURCE_MESSAGE = f"data_source must be one of: {', '.join(DATA_SOURCES)}"


def no_data(message: str = "No data available for the requested period") -> ApiError:
    return ApiError(404, message, code="NO_DATA")


def _vendor(value: Any) -> Any:
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or int(value) > MAX_ID:
        raise coded("INVALID_PARAMETER", "vendor_id must be a non-negative integer (0 = any)")
    return int(value)


def _metric_name(value: Any) -> Any:
    if value not in BY_NAME:
        raise unknown_metric(str(value))
    return value


def _data_source(value: Any) -> Any:
    if not isinstance(value, str) or value.lower() not in DATA_SOURCES:
        raise coded("INVALID_DATA_SOURCE", DATA_SOURCE_MESSAGE)
    return value.lower()


@router.get(
    "/monthly",
    summary="Monthly QBR metrics (latest month when no period)",
    response_model=Envelope[MonthlyMetrics],
    responses=error_responses(400, 404),
)
async def monthly(
    session: Session,
    _caller: Reader,
    period: Annotated[MonthParam | None, Query(description="YYYY-MM (default: the latest month with data)")] = None,
    organization_id: OrganizationId = 1,
    vendor_id: Annotated[
        Annotated[int, Field(ge=0, le=MAX_ID)] | None,
        BeforeValidator(_vendor),
        Query(description="2 = NinjaOne, 3 = ConnectWise; 0 = any"),
    ] = None,
    metric_name: Annotated[
        Annotated[str, StringConstraints(pattern=f"^(?:{'|'.join(METRIC_NAMES)})$")] | None,
        BeforeValidator(_metric_name),
        Query(description="one catalogue metric"),
    ] = None,
    data_source: Annotated[
        Annotated[str, StringConstraints(pattern=f"^{any_case(DATA_SOURCES)}$")] | None,
        BeforeValidator(_data_source),
        Query(description="quickbooks, manual, collected or best (any case)"),
    ] = None,
) -> dict[str, Any]:
    month = month_of(period)
    if month is None:
        month = await service.latest_month(session, organization_id)
        if month is None:
            raise no_data("No monthly data available")
    elif not await service.has_values(session, organization_id, month):
        raise no_data(f"No data available for period {month.label}")
    metrics = await service.month_views(
        session,
        organization_id,
        month,
        vendor_id=vendor_id or None,
        metric_name=metric_name,
        data_source=None if data_source == BEST else data_source,
    )
    return ok(
        {
            "period": month.label,
            "organization_id": organization_id,
            "data_source_filter": data_source,
            "metrics": metrics,
        }
    )


@router.get(
    "/quarterly",
    summary="Quarterly aggregated metrics (sums and averages)",
    response_model=Envelope[QuarterlyMetrics],
    responses=error_responses(400, 404),
)
async def quarterly(
    session: Session,
    _caller: Reader,
    period: Annotated[
        QuarterParam | None, Query(description="YYYY-Q1..Q4 (default: the quarter of the latest month with data)")
    ] = None,
    organization_id: OrganizationId = 1,
) -> dict[str, Any]:
    quarter = quarter_of(period)
    if quarter is None:
        latest = await service.latest_month(session, organization_id)
        if latest is None:
            raise no_data("No monthly data available")
        quarter = latest.quarter
    aggregates, present = await service.quarter_aggregates(session, organization_id, quarter)
    if not present:
        raise no_data(f"No data available for period {quarter.label}")
    values, details = service.quarterly_view(aggregates.values())
    return ok(
        {
            "period": quarter.label,
            "organization_id": organization_id,
            "monthly_periods": [month.label for month in quarter.months],
            "months_with_data": [month.label for month in present],
            "metrics": values,
            "metric_details": details,
        }
    )


@router.post(
    "/manual",
    summary="Enter or update metrics for a month by hand",
    response_model=Envelope[ManualResult],
    responses=error_responses(400, 409, descriptions={409: "PROTECTED_METRIC: a collected value without force_update"}),
)
async def manual(session: Session, caller: Writer, body: ManualEntryBody) -> dict[str, Any]:
    month = body.month
    plan = await service.plan_manual_month(session, body.organization_id, month, body.inputs(), body.force_update)
    protected = [change.metric.metric_name for change in plan if change.action == "protected"]
    if protected:
        raise ApiError(
            409,
            f"Collected metrics for {month.label} are protected: {', '.join(protected)}. "
            "Send force_update: true to overwrite them.",
            code="PROTECTED_METRIC",
            extra={"protected_metrics": protected},
        )
    await service.apply_manual(
        session,
        body.organization_id,
        month,
        plan,
        Actor(caller.user, "identity"),
        audit_action="metric.manual",
        details={"force_update": body.force_update},
    )
    return ok({"period": month.label, "organization_id": body.organization_id, "updated_count": len(plan)})
