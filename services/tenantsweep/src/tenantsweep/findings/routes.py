"""Finding routes (success/data envelope): ``POST /api/tenantsweep/audits/{id}/findings`` (one) and
``/findings/bulk`` (all or nothing; as many findings as the gateway's body limit lets through —
``TENANTSWEEP_BULK_MAX_FINDINGS``, 200,000 by default, is only a backstop above it).

Checks run in this order: the request itself (400), the audit (404 unknown, 409 finished — a finished
audit takes no more findings), then check ids the audit already has (409 ``DUPLICATE_CHECK``). The audit
row is locked while findings are added, so an audit cannot finish halfway through a bulk insert.

Fixed against the replaced system: a bulk request with invalid items stores nothing and answers 400 with
every problem and its item's index (the replaced system stored the valid items and answered 201 even
when every item was rejected).
"""

from __future__ import annotations

from typing import Any

from hub_shared.bodies import Envelope
from hub_shared.errors import ApiError
from hub_shared.web import Session, error_responses
from tenantsweep.api import Settings, Writer, ok, tenantsweep_router
from tenantsweep.audits import service as audits
from tenantsweep.findings import service
from tenantsweep.findings.schemas import BulkFindingsBody, BulkResult, FindingBody
from tenantsweep.params import AuditId
from tenantsweep.views import Finding

router = tenantsweep_router()


@router.post(
    "/audits/{audit_id}/findings",
    status_code=201,
    summary="Add one finding",
    responses=error_responses(400, 404, 409),
    response_model=Envelope[Finding],
)
async def add_finding(session: Session, caller: Writer, audit_id: AuditId, body: FindingBody) -> dict[str, Any]:
    await audits.open_for_findings(session, audit_id)
    return ok(await service.add_one(session, audit_id, body.finding()))


@router.post(
    "/audits/{audit_id}/findings/bulk",
    status_code=201,
    summary="Add many findings in one all-or-nothing request",
    responses=error_responses(400, 404, 409),
    response_model=Envelope[BulkResult],
)
async def add_findings(
    session: Session, settings: Settings, caller: Writer, audit_id: AuditId, body: BulkFindingsBody
) -> dict[str, Any]:
    findings = body.new_findings()
    limit = settings.tenantsweep_bulk_max_findings
    if len(findings) > limit:
        raise ApiError(
            400,
            f"Too many findings: {len(findings)} submitted, at most {limit} per request",
            code="TOO_MANY_FINDINGS",
            extra={"total_submitted": len(findings), "max_findings": limit},
        )
    await audits.open_for_findings(session, audit_id)
    created = await service.add_many(session, audit_id, findings)
    return ok({"audit_id": audit_id, "created_count": created, "total_submitted": len(findings)})
