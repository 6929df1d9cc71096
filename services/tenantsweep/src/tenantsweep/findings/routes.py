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

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hub_shared.errors import ApiError
from tenantsweep.audits.routes import AuditId, find_audit, finished
from tenantsweep.audits.service import AuditFinished
from tenantsweep.catalog import FINISHED_STATUSES, InputError
from tenantsweep.findings import repository as repo
from tenantsweep.findings import service
from tenantsweep.findings.schemas import ADD_FINDING, BULK_FINDINGS
from tenantsweep.findings.service import ItemProblem
from tenantsweep.web import Session, Writer, bad_input, ok, parse_id, read_json_object, settings_of

router = APIRouter(prefix="/api/tenantsweep", tags=["tenantsweep"])


async def open_audit(session: Session, audit_id: int) -> None:
    """404 for an unknown audit, 409 for a finished one; otherwise it stays locked until the commit."""
    audit = await find_audit(session, audit_id, lock=True)
    if audit["status"] in FINISHED_STATUSES:
        raise finished(AuditFinished(audit_id, str(audit["status"]), "given more findings"))


def item_errors(problems: list[ItemProblem]) -> dict[str, Any]:
    return {
        "errors": [problem.text() for problem in problems],
        "invalid_findings": [problem.view() for problem in problems],
    }


@router.post("/audits/{audit_id}/findings", status_code=201, summary="Add one finding", openapi_extra=ADD_FINDING)
async def add_finding(request: Request, session: Session, caller: Writer, audit_id: AuditId) -> JSONResponse:
    ident = parse_id(audit_id)
    payload = await read_json_object(request)
    try:
        finding = service.parse_finding(payload)
    except InputError as problem:
        raise bad_input(problem) from None
    await open_audit(session, ident)
    existing = await repo.existing_checks(session, ident, [finding.check_id])
    if existing:
        raise ApiError(
            409,
            f"Audit {ident} already has a finding for check_id '{finding.check_id}' "
            f"(finding {existing[finding.check_id]})",
            code="DUPLICATE_CHECK",
            extra={"finding_id": existing[finding.check_id]},
        )
    return ok(service.finding_view(await repo.insert(session, ident, finding)), status=201)


@router.post(
    "/audits/{audit_id}/findings/bulk",
    status_code=201,
    summary="Add many findings in one all-or-nothing request",
    openapi_extra=BULK_FINDINGS,
)
async def add_findings(request: Request, session: Session, caller: Writer, audit_id: AuditId) -> JSONResponse:
    ident = parse_id(audit_id)
    payload = await read_json_object(request)
    if "findings" not in payload:
        raise ApiError(400, "Request body must include 'findings' array", code="MISSING_DATA")
    items = payload["findings"]
    if not isinstance(items, list):
        raise ApiError(400, "'findings' must be an array", code="INVALID_DATA")
    limit = settings_of(request).tenantsweep_bulk_max_findings
    if len(items) > limit:
        raise ApiError(
            400,
            f"Too many findings: {len(items)} submitted, at most {limit} per request",
            code="TOO_MANY_FINDINGS",
            extra={"total_submitted": len(items), "max_findings": limit},
        )
    findings, problems = service.check_bulk(items)
    if problems:
        invalid = len({problem.index for problem in problems})
        raise ApiError(
            400,
            f"{invalid} of {len(items)} findings are invalid; none were stored",
            code="INVALID_FINDINGS",
            extra={"total_submitted": len(items), "invalid_count": invalid, **item_errors(problems)},
        )
    await open_audit(session, ident)
    existing = await repo.existing_checks(session, ident, [finding.check_id for finding in findings])
    if existing:
        conflicts = [
            ItemProblem(index, "check_id", "DUPLICATE_CHECK", f"check_id '{finding.check_id}' is already recorded "
                        f"for audit {ident} (finding {existing[finding.check_id]})")
            for index, finding in enumerate(findings)
            if finding.check_id in existing
        ]  # fmt: skip
        raise ApiError(
            409,
            f"{len(conflicts)} of {len(items)} findings repeat checks audit {ident} already has; none were stored",
            code="DUPLICATE_CHECK",
            extra={"total_submitted": len(items), "invalid_count": len(conflicts), **item_errors(conflicts)},
        )
    created = await repo.copy_findings(session, ident, findings)
    return ok({"audit_id": ident, "created_count": created, "total_submitted": len(items)}, status=201)
