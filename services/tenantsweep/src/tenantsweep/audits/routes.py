"""Audit routes (success/data envelope; the gateway protects them all): ``POST /api/tenantsweep/audits``,
``PATCH /audits/{id}``, ``GET /audits/{id}``, ``GET /audits`` and ``GET /tenants/{name}/latest-audit``.

Fixed against the replaced system: non-integer ``limit``/``offset`` and unknown filter values answer 400
instead of an HTML 500; timestamps are RFC 3339 UTC with ``Z``; findings are ordered by severity rank
(Critical first), not alphabetically; a finished audit cannot be reopened (409); ``findings_count`` and
``severity_summary`` are present even with ``include_findings=false`` (only ``findings`` is left out).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BeforeValidator, Field, StringConstraints

from hub_shared.bodies import Envelope, coded
from hub_shared.web import Session, error_responses
from tenantsweep.api import Reader, Writer, checked, integer_text, ok, tenantsweep_router
from tenantsweep.audits import service
from tenantsweep.audits.schemas import (
    STATUS_PATTERN,
    AuditDetail,
    AuditFilter,
    AuditPage,
    AuditUpdateBody,
    NewAuditBody,
)
from tenantsweep.catalog import MAX_NAME, InputError, clean_name, clean_text, parse_audit_status
from tenantsweep.params import AuditId, IncludeFindings, Name, SeverityFilter
from tenantsweep.views import Audit

router = tenantsweep_router()

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000


def _filter_text(name: str) -> BeforeValidator:
    """A text query filter: trimmed (names in NFC); blank means no filter; a bad one is INVALID_PARAMETER."""
    clean = clean_name if name == "tenant_name" else clean_text

    def run(value: Any) -> str | None:
        try:
            return clean(value, name, max_length=MAX_NAME) or None
        except InputError as problem:
            raise coded("INVALID_PARAMETER", problem.message) from None

    return BeforeValidator(run)


def _status(value: Any) -> str:
    return parse_audit_status(value)


@router.post(
    "/audits",
    status_code=201,
    summary="Create an audit run (status running)",
    responses=error_responses(400),
    response_model=Envelope[Audit],
)
async def create_audit(session: Session, caller: Writer, body: NewAuditBody) -> dict[str, Any]:
    return ok(await service.create(session, body, caller))


@router.patch(
    "/audits/{audit_id}",
    summary="Complete or fail an audit (with summary or error message); finished audits cannot change",
    responses=error_responses(400, 404, 409),
    response_model=Envelope[Audit],
)
async def update_audit(session: Session, caller: Writer, audit_id: AuditId, body: AuditUpdateBody) -> dict[str, Any]:
    return ok(await service.update(session, audit_id, body))


@router.get(
    "/audits/{audit_id}",
    summary="An audit with its findings, findings_count and severity_summary",
    responses=error_responses(400, 404),
    response_model=Envelope[AuditDetail],
    response_model_exclude_unset=True,
)
async def get_audit(
    session: Session,
    caller: Reader,
    audit_id: AuditId,
    include_findings: IncludeFindings = True,
    severity: SeverityFilter = None,
) -> dict[str, Any]:
    row = await service.get(session, audit_id)
    return ok(await service.detail(session, row, include_findings=include_findings, severities=severity))


@router.get(
    "/audits",
    summary="Audits, newest first, with tenant/status filters and pagination",
    responses=error_responses(400),
    response_model=Envelope[AuditPage],
)
async def list_audits(
    session: Session,
    caller: Reader,
    tenant_name: Annotated[
        Name | None,
        _filter_text("tenant_name"),
        Query(description="part of the tenant name, any case"),
    ] = None,
    tenant_id: Annotated[
        Name | None, _filter_text("tenant_id"), Query(description="the tenant id, exact (any case)")
    ] = None,
    status: Annotated[
        Annotated[str, StringConstraints(pattern=STATUS_PATTERN)] | None,
        checked(_status),
        Query(description="running, completed or failed (any case)"),
    ] = None,
    limit: Annotated[
        Annotated[int, Field(ge=1)],
        integer_text("limit"),
        Query(description=f"default {DEFAULT_LIMIT}; a larger value than {MAX_LIMIT} is capped"),
    ] = DEFAULT_LIMIT,
    offset: Annotated[Annotated[int, Field(ge=0, le=MAX_OFFSET)], integer_text("offset"), Query()] = 0,
) -> dict[str, Any]:
    filters = AuditFilter(tenant_name=tenant_name, tenant_id=tenant_id, status=status)
    # As in the spec (and the replaced system), a limit above the maximum is capped, not refused, however
    # large; the answer's "limit" says what was applied.
    return ok(await service.page(session, filters, limit=min(limit, MAX_LIMIT), offset=offset))


@router.get(
    "/tenants/{tenant_name:path}/latest-audit",
    summary="The newest completed audit of a tenant (URL-encoded name; exact match preferred, else any case)",
    responses=error_responses(400, 404),
    response_model=Envelope[AuditDetail],
    response_model_exclude_unset=True,
)
async def latest_audit(
    session: Session,
    caller: Reader,
    tenant_name: Annotated[
        Name,
        checked(
            lambda value: clean_name(
                value, "tenant_name", max_length=MAX_NAME, required=True, missing_message="tenant_name is required"
            )
        ),
        Path(description="the tenant name, URL-encoded"),
    ],
    include_findings: IncludeFindings = True,
    severity: SeverityFilter = None,
) -> dict[str, Any]:
    row = await service.latest_completed(session, tenant_name)
    return ok(await service.detail(session, row, include_findings=include_findings, severities=severity))
