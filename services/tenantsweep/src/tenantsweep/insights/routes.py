"""Beyond the spec (success/data envelope, protected like the rest of TenantSweep):

- ``GET /api/tenantsweep/audits/{id}/compare?against={other_id}``: the audit against another one
  (default: the same tenant's newest completed audit that started before it), check by check —
  ``new_failures``, ``fixed``, ``still_failing``, ``not_rechecked`` and ``changed_severity``, with
  ``counts`` of each (rules in ``insights/service.py``). 404 ``NO_PREVIOUS_AUDIT`` when there is no
  earlier completed audit and no ``against``; 400 for an audit compared with itself.
- ``GET /api/tenantsweep/overview`` (optional ``tenant_name``, a substring in any case): one row per
  tenant (its ``tenant_id``, any case) with its newest run, its latest completed audit's severity counts
  (all findings and failing ones), the completed audit before it, and the trend between the two.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from hub_shared.errors import ApiError
from tenantsweep.audits.routes import AuditId, find_audit
from tenantsweep.audits.service import audit_view
from tenantsweep.catalog import MAX_NAME, InputError, clean_name
from tenantsweep.insights import repository as repo
from tenantsweep.insights import service
from tenantsweep.web import Reader, Session, ok, parse_id

router = APIRouter(prefix="/api/tenantsweep", tags=["tenantsweep"])


@router.get("/audits/{audit_id}/compare", summary="Compare an audit with an earlier one, check by check")
async def compare_audits(
    session: Session,
    caller: Reader,
    audit_id: AuditId,
    against: Annotated[
        str | None, Query(description="the other audit's id (default: the previous completed one)")
    ] = None,
) -> JSONResponse:
    ident = parse_id(audit_id)
    other_id = parse_id(against, "against id") if against is not None and against.strip() else None
    if other_id == ident:
        raise ApiError(400, "An audit cannot be compared with itself", code="INVALID_PARAMETER")
    audit = await find_audit(session, ident)
    if other_id is not None:
        other = await find_audit(session, other_id)
        baseline = "requested"
    else:
        found = await repo.previous_completed(session, audit)
        if found is None:
            raise ApiError(
                404,
                f"No completed audit of tenant '{audit['tenant_name']}' started before audit {ident}; "
                "pass against=<audit id> to choose one",
                code="NO_PREVIOUS_AUDIT",
            )
        other, baseline = found, "previous_completed"
    sets = service.compare(
        await repo.check_results(session, ident), await repo.check_results(session, int(other["id"]))
    )
    return ok(
        {
            "audit": audit_view(audit),
            "against": audit_view(other),
            "baseline": baseline,
            "counts": {name: len(entries) for name, entries in sets.items()},
            **sets,
        }
    )


@router.get("/overview", summary="One row per tenant: latest audit's severity counts and the trend")
async def overview(
    session: Session,
    caller: Reader,
    tenant_name: Annotated[str | None, Query(description="part of the tenant name, any case")] = None,
) -> JSONResponse:
    try:
        name = clean_name(tenant_name, "tenant_name", max_length=MAX_NAME) or None
    except InputError as problem:
        raise ApiError(400, problem.message, code="INVALID_PARAMETER") from None
    tenants = await repo.tenant_runs(session, name)
    ids = [int(row["id"]) for runs in tenants for row in runs.completed]
    counts = await repo.audit_counts(session, ids)
    rows = [service.tenant_row(runs, counts) for runs in tenants]
    return ok({"tenants": rows, "total_count": len(rows)})
