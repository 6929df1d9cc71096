"""How an audit and a finding look in every answer (the models of ``audits.service.audit_view`` and
``findings.service.finding_view``), shared by the audit, finding and insight answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"}, examples=["2025-12-15T10:00:00Z"])]

AuditStatus = Literal["running", "completed", "failed"]
Severity = Literal["Critical", "High", "Medium", "Low", "Info"]
FindingStatus = Literal["pass", "fail", "warning", "error"]


class Audit(BaseModel):
    """The spec's Audit, plus ``created_by`` (who the gateway vouched for when it was created)."""

    id: int
    tenant_name: str
    tenant_id: str
    status: AuditStatus
    started_at: Timestamp
    completed_at: Timestamp | None
    summary: dict[str, Any] | None
    error_message: str | None
    initiated_by: str | None
    created_at: Timestamp
    created_by: str | None


class Finding(BaseModel):
    id: int
    audit_id: int
    check_id: str
    check_name: str
    severity: Severity
    status: FindingStatus
    current_value: str | None
    expected_value: str | None
    details: dict[str, Any] | None
    recommendation: str | None
    created_at: Timestamp
