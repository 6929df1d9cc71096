"""Beyond the spec (success/data envelope, protected like the rest of TenantSweep):

- ``GET /api/tenantsweep/audits/{id}/compare?against={other_id}``: the audit against another one
  (default: the same tenant's newest completed audit that started before it), check by check —
  ``new_failures``, ``fixed``, ``still_failing``, ``not_rechecked`` and ``changed_severity``, with
  ``counts`` of each (rules in ``insights/service.py``). 404 ``NO_PREVIOUS_AUDIT`` when there is no
  earlier completed audit and no ``against``.
- ``GET /api/tenantsweep/overview`` (optional ``tenant_name``, a substring in any case): one row per
  tenant (its ``tenant_id``, any case) with its newest run, its latest completed audit's severity counts
  (all findings and failing ones), the completed audit before it, and the trend between the two.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator

from hub_shared.bodies import Envelope, coded
from hub_shared.errors import ApiError
from hub_shared.web import Session, error_responses
from tenantsweep.api import Reader, id_text, ok, tenantsweep_router
from tenantsweep.audits import service as audits
from tenantsweep.catalog import MAX_NAME, InputError, clean_name
from tenantsweep.insights import service
from tenantsweep.insights.schemas import Comparison, Overview
from tenantsweep.params import AuditId, Id, Name

router = tenantsweep_router()


def _tenant_name(value: Any) -> str | None:
    try:
        return clean_name(value, "tenant_name", max_length=MAX_NAME) or None
    except InputError as problem:
        raise coded("INVALID_PARAMETER", problem.message) from None


@router.get(
    "/audits/{audit_id}/compare",
    summary="Compare an audit with an earlier one, check by check",
    responses=error_responses(400, 404),
    response_model=Envelope[Comparison],
)
async def compare_audits(
    session: Session,
    caller: Reader,
    audit_id: AuditId,
    against: Annotated[
        Id | None,
        id_text("against id"),
        Query(description="the other audit's id (default: the previous completed one)"),
    ] = None,
) -> dict[str, Any]:
    audit = await audits.get(session, audit_id)
    if against is not None:
        other = await audits.get(session, against)
        baseline = "requested"
    else:
        found = await service.previous_completed(session, audit)
        if found is None:
            raise ApiError(
                404,
                f"No completed audit of tenant '{audit['tenant_name']}' started before audit {audit_id}; "
                "pass against=<audit id> to choose one",
                code="NO_PREVIOUS_AUDIT",
            )
        other, baseline = found, "previous_completed"
    sets = await service.compare_audits(session, audit_id, int(other["id"]))
    return ok(
        {
            "audit": audits.audit_view(audit),
            "against": audits.audit_view(other),
            "baseline": baseline,
            "counts": {name: len(entries) for name, entries in sets.items()},
            **sets,
        }
    )


@router.get(
    "/overview",
    summary="One row per tenant: latest audit's severity counts and the trend",
    responses=error_responses(400),
    response_model=Envelope[Overview],
)
async def overview(
    session: Session,
    caller: Reader,
    tenant_name: Annotated[
        Name | None,
        BeforeValidator(_tenant_name),
        Query(description="part of the tenant name, any case"),
    ] = None,
) -> dict[str, Any]:
    rows = await service.overview(session, tenant_name)
    return ok({"tenants": rows, "total_count": len(rows)})
