"""What each QBR metric is (QBR envelope, **public**): ``GET /api/qbr/metric-definitions``.

Not in the spec; the dashboard reads the replaced system's shape (``reference/response-shapes.md``):
``{"period", "organization_id", "count", "metrics": [{key, label, category, format, description, source,
is_editable, is_calculated[, formula, components][, value[, component_values, calculation_display]]}]}``.

Parameters, all optional: ``period`` (``YYYY-MM``; adds the month's values when the organisation has
any), ``category`` (any case), ``include_intermediate`` (true/false, default false), ``organization_id``
(default 1). Unlike the replaced system every one is checked: a bad period is 400 ``INVALID_PERIOD``,
anything else bad 400 ``INVALID_PARAMETER`` (it used to fall back silently, or crash on a bad
``organization_id``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hub_shared.errors import ApiError
from qbr.catalog import CATEGORIES
from qbr.definitions import repository as repo
from qbr.definitions import service
from qbr.web import Session, blank, ok, organization_id_param, parse_flag, parse_month

router = APIRouter(prefix="/api/qbr", tags=["qbr"])


@router.get("/metric-definitions", summary="What each QBR metric is (and a month's values with period)")
async def metric_definitions(
    session: Session,
    period: Annotated[str | None, Query(description="YYYY-MM: include the month's values")] = None,
    category: Annotated[str | None, Query(description=f"any case: {', '.join(CATEGORIES)}")] = None,
    include_intermediate: Annotated[
        str | None, Query(description="true: also the QuickBooks intermediate values (default false)")
    ] = None,
    organization_id: Annotated[str | None, Query(description="default 1")] = None,
) -> dict[str, Any]:
    month = None if blank(period) else parse_month(period or "")
    try:
        wanted = None if blank(category) else service.parse_category(category or "")
    except service.UnknownCategory as exc:
        raise ApiError(400, str(exc), code="INVALID_PARAMETER") from None
    include = parse_flag(include_intermediate, "include_intermediate", default=False)
    organization = organization_id_param(organization_id)

    metrics = service.select(wanted, include)
    values = None
    if month is not None:
        stored = await repo.month_values(session, organization, month.first_day)
        values = service.resolve(stored) if stored else None
    return ok(
        {
            "period": None if month is None else month.label,
            "organization_id": organization,
            "count": len(metrics),
            "metrics": [service.metric_view(metric, values) for metric in metrics],
        }
    )
