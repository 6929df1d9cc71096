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

from fastapi import APIRouter, Query, Request

from hub_shared.errors import ApiError
from qbr.audit.repository import Actor
from qbr.catalog import BY_NAME
from qbr.metrics import repository as repo
from qbr.metrics import service
from qbr.metrics.schemas import MISSING_MESSAGE, ManualEntryDoc, parse_manual_entry, unknown_metric
from qbr.periods import Month, Quarter
from qbr.web import (
    Reader,
    Session,
    Writer,
    blank,
    json_object,
    ok,
    openapi_body,
    organization_id_param,
    parse_id,
    parse_month,
    parse_quarter,
)

router = APIRouter(prefix="/api/qbr/metrics", tags=["qbr"])
# The replaced system's values; ``best`` (one row per metric, preferring the best source) is no filter here.
DATA_SOURCES = ("quickbooks", "manual", "collected", "best")
BEST = "best"


def no_data(message: str = "No data available for the requested period") -> ApiError:
    return ApiError(404, message, code="NO_DATA")


@router.get("/monthly", summary="Monthly QBR metrics (latest month when no period)")
async def monthly(
    session: Session,
    _caller: Reader,
    period: Annotated[str | None, Query(description="YYYY-MM")] = None,
    organization_id: Annotated[str | None, Query(description="default 1")] = None,
    vendor_id: Annotated[str | None, Query(description="2 = NinjaOne, 3 = ConnectWise; 0 = any")] = None,
    metric_name: Annotated[str | None, Query()] = None,
    data_source: Annotated[str | None, Query(description="collected or manual")] = None,
) -> dict[str, Any]:
    organization = organization_id_param(organization_id)
    vendor = None if (vendor_id or "").strip() == "0" else parse_id(vendor_id, "vendor_id", default=None)
    name = None if blank(metric_name) else (metric_name or "").strip()
    if name is not None and name not in BY_NAME:
        raise unknown_metric(name)
    source = None if blank(data_source) else (data_source or "").strip().lower()
    if source is not None and source not in DATA_SOURCES:
        raise ApiError(400, f"data_source must be one of: {', '.join(DATA_SOURCES)}", code="INVALID_DATA_SOURCE")
    if blank(period):
        latest = await repo.latest_period(session, organization)
        if latest is None:
            raise no_data("No monthly data available")
        month = Month.of(latest)
    else:
        month = parse_month(period or "")
        if not await repo.has_rows(session, organization, [month.first_day]):
            raise no_data(f"No data available for period {month.label}")
    rows = await repo.month_rows(
        session,
        organization,
        month.first_day,
        vendor_id=vendor,
        metric_name=name,
        data_source=None if source == BEST else source,
    )
    return ok(
        {
            "period": month.label,
            "organization_id": organization,
            "data_source_filter": source,
            "metrics": [service.metric_view(row) for row in rows],
        }
    )


@router.get("/quarterly", summary="Quarterly aggregated metrics (sums and averages)")
async def quarterly(
    session: Session,
    _caller: Reader,
    period: Annotated[str | None, Query(description="YYYY-Q1..Q4")] = None,
    organization_id: Annotated[str | None, Query(description="default 1")] = None,
) -> dict[str, Any]:
    organization = organization_id_param(organization_id)
    if blank(period):
        latest = await repo.latest_period(session, organization)
        if latest is None:
            raise no_data("No monthly data available")
        quarter: Quarter = Month.of(latest).quarter
    else:
        quarter = parse_quarter(period or "")
    aggregates, present = await service.quarter_aggregates(session, organization, quarter)
    if not present:
        raise no_data(f"No data available for period {quarter.label}")
    values, details = service.quarterly_view(aggregates.values())
    return ok(
        {
            "period": quarter.label,
            "organization_id": organization,
            "monthly_periods": [month.label for month in quarter.months],
            "months_with_data": [month.label for month in present],
            "metrics": values,
            "metric_details": details,
        }
    )


@router.post(
    "/manual",
    summary="Enter or update metrics for a month by hand",
    openapi_extra=openapi_body(ManualEntryDoc),
)
async def manual(request: Request, session: Session, caller: Writer) -> dict[str, Any]:
    entry = parse_manual_entry(await json_object(request, MISSING_MESSAGE))
    plan = await service.plan_manual_month(
        session, entry.organization_id, entry.month, entry.metrics, entry.force_update
    )
    protected = [change.metric.metric_name for change in plan if change.action == "protected"]
    if protected:
        raise ApiError(
            409,
            f"Collected metrics for {entry.month.label} are protected: {', '.join(protected)}. "
            "Send force_update: true to overwrite them.",
            code="PROTECTED_METRIC",
            extra={"protected_metrics": protected},
        )
    await service.apply_manual(
        session,
        entry.organization_id,
        entry.month,
        plan,
        Actor(caller.user, "identity"),
        audit_action="metric.manual",
        details={"force_update": entry.force_update},
    )
    return ok(
        {
            "period": entry.month.label,
            "organization_id": entry.organization_id,
            "updated_count": len(plan),
        }
    )
