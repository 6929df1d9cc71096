"""The audit routes' bodies and answers as pydantic models, and what the repository stores.

The body models validate with the catalogue's checks (``catalog.py``), so every problem answers with the
spec's own code and text (``MISSING_FIELDS`` "Both tenant_name and tenant_id are required",
``INVALID_STATUS`` "Status must be one of: running, completed, failed", ``INVALID_DATA`` "tenant_name
must be a string", …); the same models are the OpenAPI document's request bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub_shared.bodies import any_case, coded
from tenantsweep.api import input_error, require_object
from tenantsweep.catalog import (
    AUDIT_STATUSES,
    MAX_ERROR_MESSAGE,
    MAX_NAME,
    MAX_SUMMARY_CHARS,
    InputError,
    clean_json_object,
    clean_name,
    clean_text,
    parse_audit_status,
)
from tenantsweep.views import Audit, Finding, Severity

MISSING_TENANT = "Both tenant_name and tenant_id are required"
UPDATABLE_FIELDS = ("status", "summary", "error_message")
# Text with something besides spaces (the checks trim names and ids).
NON_BLANK = r"\S"
STATUS_PATTERN = f"^[ \\t]*{any_case(AUDIT_STATUSES)}[ \\t]*$"

# ---------------------------------------------------------------------------------------------- bodies


class NewAuditBody(BaseModel):
    """``POST /api/tenantsweep/audits``: a run starts ``running``."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "tenant_name": "ACME Corp",
                "tenant_id": "abc-123-def-456",
                "initiated_by": "user@enersystems.com",
            }
        }
    )

    tenant_name: str = Field(min_length=1, max_length=MAX_NAME, pattern=NON_BLANK)
    tenant_id: str = Field(min_length=1, max_length=MAX_NAME, pattern=NON_BLANK)
    initiated_by: str | None = Field(
        default=None,
        max_length=MAX_NAME,
        description="default: the signed-in caller (email) or API token (token:<name>)",
    )

    @model_validator(mode="before")
    @classmethod
    def _check(cls, data: Any) -> Any:
        payload = require_object(data)
        if payload.get("tenant_name") is None or payload.get("tenant_id") is None:
            raise coded("MISSING_FIELDS", MISSING_TENANT)
        common: dict[str, Any] = {"max_length": MAX_NAME, "required": True, "missing_message": MISSING_TENANT}
        try:
            return {
                "tenant_name": clean_name(payload["tenant_name"], "tenant_name", **common),
                "tenant_id": clean_text(payload["tenant_id"], "tenant_id", **common),
                "initiated_by": clean_text(payload.get("initiated_by"), "initiated_by", max_length=MAX_NAME) or None,
            }
        except InputError as problem:
            raise input_error(problem) from None


class AuditUpdateBody(BaseModel):
    """``PATCH /api/tenantsweep/audits/{id}``: at least one of the fields; finishing sets ``completed_at``."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {"status": "completed", "summary": {"Critical": 1, "High": 2}},
            "anyOf": [{"required": [name]} for name in UPDATABLE_FIELDS],
        }
    )

    status: str | None = Field(
        default=None, pattern=STATUS_PATTERN, description="running, completed or failed (any case)"
    )
    summary: dict[str, Any] | None = Field(default=None, description='stored as sent, e.g. {"Critical": 1}')
    error_message: str | None = Field(default=None, max_length=MAX_ERROR_MESSAGE)

    @model_validator(mode="before")
    @classmethod
    def _check(cls, data: Any) -> Any:
        payload = require_object(data)
        if not any(name in payload for name in UPDATABLE_FIELDS):
            raise coded("MISSING_FIELDS", f"Provide at least one of: {', '.join(UPDATABLE_FIELDS)}")
        try:
            checked: dict[str, Any] = {}
            if payload.get("status") is not None:
                checked["status"] = parse_audit_status(payload["status"])
            if "summary" in payload:
                checked["summary"] = clean_json_object(payload["summary"], "summary", max_chars=MAX_SUMMARY_CHARS)
            if "error_message" in payload:
                checked["error_message"] = clean_text(
                    payload["error_message"], "error_message", max_length=MAX_ERROR_MESSAGE, strip=False
                )
            return checked
        except InputError as problem:
            raise input_error(problem) from None

    def change(self) -> AuditUpdate:
        """What the PATCH asks for (a key sent as null sets the value to null; a key left out keeps it)."""
        sent = self.model_fields_set
        return AuditUpdate(
            status=self.status,
            set_summary="summary" in sent,
            summary=self.summary,
            set_error="error_message" in sent,
            error_message=self.error_message,
        )


# ---------------------------------------------------------------------------------------------- stored


@dataclass(frozen=True)
class NewAudit:
    tenant_name: str
    tenant_id: str
    initiated_by: str | None
    created_by: str


@dataclass(frozen=True)
class AuditUpdate:
    """What a PATCH asks for; ``set_summary`` / ``set_error`` say whether the key was sent at all."""

    status: str | None = None
    set_summary: bool = False
    summary: dict[str, Any] | None = None
    set_error: bool = False
    error_message: str | None = None


@dataclass(frozen=True)
class AuditFilter:
    tenant_name: str | None = None  # substring, any case
    tenant_id: str | None = None  # exact, any case
    status: str | None = None


# ---------------------------------------------------------------------------------------------- answers


class AuditSummary(Audit):
    """An audit with its findings' count and per-severity counts (severities with a count only)."""

    findings_count: int
    severity_summary: dict[Severity, int]


class AuditDetail(AuditSummary):
    """The spec's "audit with findings"; ``findings`` is left out with ``include_findings=false``."""

    findings: list[Finding] = Field(default_factory=list, description="left out with include_findings=false")


class AuditPage(BaseModel):
    audits: list[AuditSummary]
    total_count: int
    limit: int
    offset: int
