"""What each QBR metric is (QBR envelope, **public**): ``GET /api/qbr/metric-definitions``.

Not in the spec; the dashboard reads the replaced system's shape (``reference/response-shapes.md``):
``{"period", "organization_id", "count", "metrics": [{key, label, category, format, description, source,
is_editable, is_calculated[, formula, components][, value[, component_values, calculation_display]]}]}``.

Parameters, all optional: ``period`` (``YYYY-MM``; adds the month's values when the organisation has
any), ``category`` (any case), ``include_intermediate`` (true/false, default false), ``organization_id``
(default 1). Unlike the replaced system every one is checked: a bad period is 400 ``INVALID_PERIOD``,
anything else bad 400 ``INVALID_PARAMETER`` (it used to fall back silently, or crash on a bad
``organization_id``).

The definitions are public; a month's values (``period``) are financial data, so they need ``qbr:read``
like ``/api/qbr/metrics/monthly`` (401 ``UNAUTHORIZED`` without a caller, 403 ``FORBIDDEN`` without the
scope; issue 17).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import BeforeValidator, StringConstraints

from hub_shared.bodies import any_case, coded
from hub_shared.identity import require_scope
from hub_shared.web import Session, error_responses
from qbr.api import Envelope, MonthParam, OrganizationId, QueryFlag, flag_query, month_of, ok, qbr_router
from qbr.catalog import CATEGORIES
from qbr.definitions import service
from qbr.definitions.schemas import MetricDefinitions

router = qbr_router("/api/qbr")
IncludeIntermediate = Annotated[
    QueryFlag, flag_query("include_intermediate", "true: also the QuickBooks intermediate values (default false)")
]


def _category(value: Any) -> Any:
    try:
        return service.parse_category(value) if isinstance(value, str) else value
    except service.UnknownCategory as exc:
        raise coded("INVALID_PARAMETER", str(exc)) from None


@router.get(
    "/metric-definitions",
    summary="What each QBR metric is (and a month's values with period)",
    response_model=Envelope[MetricDefinitions],
    response_model_exclude_unset=True,
    responses=error_responses(400),
)
async def metric_definitions(
    request: Request,
    session: Session,
    period: Annotated[MonthParam | None, Query(description="YYYY-MM: include the month's values")] = None,
    category: Annotated[
        Annotated[str, StringConstraints(pattern=f"^{any_case(CATEGORIES)}$")] | None,
        BeforeValidator(_category),
        Query(description=f"any case: {', '.join(CATEGORIES)}"),
    ] = None,
    include_intermediate: IncludeIntermediate = False,
    organization_id: OrganizationId = 1,
) -> dict[str, Any]:
    month = month_of(period)
    if month is not None:
        require_scope("qbr:read")(request)  # the values are what /api/qbr/metrics/monthly protects
    metrics = service.select(category, include_intermediate)
    values = None if month is None else await service.month_values(session, organization_id, month)
    return ok(
        {
            "period": None if month is None else month.label,
            "organization_id": organization_id,
            "count": len(metrics),
            "metrics": [service.metric_view(metric, values) for metric in metrics],
        }
    )
