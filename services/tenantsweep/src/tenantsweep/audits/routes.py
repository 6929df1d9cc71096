"""Audit routes (success/data envelope; the gateway protects them all): ``POST /api/tenantsweep/audits``,
``PATCH /audits/{id}``, ``GET /audits/{id}``, ``GET /audits`` and ``GET /tenants/{name}/latest-audit``.

Fixed against the replaced system: non-integer ``limit``/``offset`` and unknown filter values answer 400
instead of an HTML 500; timestamps are RFC 3339 UTC with ``Z``; findings are ordered by severity rank
(Critical first), not alphabetically; a finished audit cannot be reopened (409); ``findings_count`` and
``severity_summary`` are present even with ``include_findings=false`` (only ``findings`` is left out).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.errors import ApiError
from tenantsweep.audits import repository as repo
from tenantsweep.audits import service
from tenantsweep.audits.schemas import CREATE_AUDIT, UPDATE_AUDIT
from tenantsweep.audits.service import AuditFinished
from tenantsweep.catalog import MAX_NAME, InputError, clean_name, clean_text, parse_audit_status, parse_severity_filter
from tenantsweep.findings import repository as findings_repo
from tenantsweep.findings.service import finding_view
from tenantsweep.web import Reader, Session, Writer, bad_input, ok, parse_flag, parse_id, parse_int, read_json_object

router = APIRouter(prefix="/api/tenantsweep", tags=["tenantsweep"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000

AuditId = Annotated[str, Path(description="the audit's id (a positive integer)")]
IncludeFindings = Annotated[str | None, Query(description="true (default) or false")]
SeverityFilter = Annotated[str | None, Query(description="Critical, High, Medium, Low or Info (any case; comma list)")]


def not_found(audit_id: int) -> ApiError:
    return ApiError(404, f"Audit with ID {audit_id} not found", code="NOT_FOUND")


def finished(exc: AuditFinished) -> ApiError:
    return ApiError(409, str(exc), code="AUDIT_FINISHED")


async def find_audit(session: AsyncSession, audit_id: int, *, lock: bool = False) -> RowMapping:
    row = await repo.get(session, audit_id, lock=lock)
    if row is None:
        raise not_found(audit_id)
    return row


def severities_of(value: str | None) -> tuple[str, ...] | None:
    try:
        return parse_severity_filter(value)
    except InputError as problem:
        raise bad_input(problem) from None


async def audit_detail(
    session: AsyncSession, row: RowMapping, *, include_findings: bool, severities: tuple[str, ...] | None
) -> dict[str, Any]:
    """The spec's "audit with findings": the audit, its findings (filtered), their count and per-severity
    counts (after the filter, severities with a count only)."""
    view = service.audit_view(row)
    audit_id = int(row["id"])
    if include_findings:
        findings = await findings_repo.list_for_audit(session, audit_id, severities)
        view["findings"] = [finding_view(finding) for finding in findings]
        counts = [(str(finding["severity"]), 1) for finding in findings]
    else:
        counts = (await repo.severity_counts(session, [audit_id], severities))[audit_id]
    summary = service.severity_summary(counts)
    view["findings_count"] = sum(summary.values())
    view["severity_summary"] = summary
    return view


@router.post("/audits", status_code=201, summary="Create an audit run (status running)", openapi_extra=CREATE_AUDIT)
async def create_audit(request: Request, session: Session, caller: Writer) -> JSONResponse:
    payload = await read_json_object(request)
    try:
        audit = service.parse_new_audit(payload, caller)
    except InputError as problem:
        raise bad_input(problem) from None
    return ok(service.audit_view(await repo.create(session, audit)), status=201)


@router.patch(
    "/audits/{audit_id}",
    summary="Complete or fail an audit (with summary or error message); finished audits cannot change",
    openapi_extra=UPDATE_AUDIT,
)
async def update_audit(request: Request, session: Session, caller: Writer, audit_id: AuditId) -> JSONResponse:
    ident = parse_id(audit_id)
    payload = await read_json_object(request)
    try:
        change = service.parse_update(payload)
    except InputError as problem:
        raise bad_input(problem) from None
    row = await find_audit(session, ident, lock=True)
    try:
        if service.needs_change(row, change):
            row = await repo.update(session, ident, change)
    except AuditFinished as exc:
        raise finished(exc) from None
    return ok(service.audit_view(row))


@router.get("/audits/{audit_id}", summary="An audit with its findings, findings_count and severity_summary")
async def get_audit(
    session: Session,
    caller: Reader,
    audit_id: AuditId,
    include_findings: IncludeFindings = None,
    severity: SeverityFilter = None,
) -> JSONResponse:
    ident = parse_id(audit_id)
    include = parse_flag(include_findings, "include_findings", default=True)
    severities = severities_of(severity)
    row = await find_audit(session, ident)
    return ok(await audit_detail(session, row, include_findings=include, severities=severities))


def _text_filter(value: str | None, name: str) -> str | None:
    """A text query filter: trimmed (names in NFC); blank means no filter."""
    clean = clean_name if name == "tenant_name" else clean_text
    try:
        return clean(value, name, max_length=MAX_NAME) or None
    except InputError as problem:
        raise ApiError(400, problem.message, code="INVALID_PARAMETER") from None


@router.get("/audits", summary="Audits, newest first, with tenant/status filters and pagination")
async def list_audits(
    session: Session,
    caller: Reader,
    tenant_name: Annotated[str | None, Query(description="part of the tenant name, any case")] = None,
    tenant_id: Annotated[str | None, Query(description="the tenant id, exact (any case)")] = None,
    status: Annotated[str | None, Query(description="running, completed or failed")] = None,
    limit: Annotated[str | None, Query(description=f"default {DEFAULT_LIMIT}, at most {MAX_LIMIT}")] = None,
    offset: Annotated[str | None, Query(description="default 0")] = None,
) -> JSONResponse:
    try:
        status_filter = parse_audit_status(status) if status is not None and status.strip() else None
    except InputError as problem:
        raise bad_input(problem) from None
    filters = repo.AuditFilter(
        tenant_name=_text_filter(tenant_name, "tenant_name"),
        tenant_id=_text_filter(tenant_id, "tenant_id"),
        status=status_filter,
    )
    # As in the spec (and the replaced system), a limit above the maximum is capped, not refused, however
    # large; the answer's "limit" says what was applied.
    page_size = min(parse_int(limit, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=None), MAX_LIMIT)
    start = parse_int(offset, "offset", default=0, minimum=0, maximum=MAX_OFFSET)
    rows, total = await repo.list_audits(session, filters, limit=page_size, offset=start)
    counts = await repo.severity_counts(session, [int(row["id"]) for row in rows])
    audits = []
    for row in rows:
        summary = service.severity_summary(counts[int(row["id"])])
        audits.append({**service.audit_view(row), "findings_count": sum(summary.values()), "severity_summary": summary})
    return ok({"audits": audits, "total_count": total, "limit": page_size, "offset": start})


@router.get(
    "/tenants/{tenant_name:path}/latest-audit",
    summary="The newest completed audit of a tenant (URL-encoded name; exact match preferred, else any case)",
)
async def latest_audit(
    session: Session,
    caller: Reader,
    tenant_name: Annotated[str, Path(description="the tenant name, URL-encoded")],
    include_findings: IncludeFindings = None,
    severity: SeverityFilter = None,
) -> JSONResponse:
    try:
        name = clean_name(
            tenant_name, "tenant_name", max_length=MAX_NAME, required=True, missing_message="tenant_name is required"
        )
    except InputError as problem:
        raise bad_input(problem) from None
    assert name is not None
    include = parse_flag(include_findings, "include_findings", default=True)
    severities = severities_of(severity)
    row = await repo.latest_completed_by_name(session, name)
    if row is None:
        raise ApiError(404, f"No completed audit found for tenant '{name}'", code="NOT_FOUND")
    return ok(await audit_detail(session, row, include_findings=include, severities=severities))
