"""Request bodies of the finding routes, as documented in OpenAPI (``findings/service.py`` checks them)."""

from __future__ import annotations

from typing import Any

from tenantsweep.audits.schemas import json_body
from tenantsweep.catalog import (
    FINDING_STATUSES,
    MAX_CHECK_ID,
    MAX_CHECK_NAME,
    MAX_VALUE_TEXT,
    SEVERITIES,
)
from tenantsweep.settings import TenantSweepSettings

FINDING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["check_id", "check_name", "severity", "status"],
    "properties": {
        "check_id": {"type": "string", "maxLength": MAX_CHECK_ID, "description": "unique within the audit"},
        "check_name": {"type": "string", "maxLength": MAX_CHECK_NAME},
        "severity": {"type": "string", "enum": list(SEVERITIES), "description": "any case"},
        "status": {"type": "string", "enum": list(FINDING_STATUSES), "description": "any case"},
        "current_value": {
            "type": ["string", "number", "boolean", "null"],
            "maxLength": MAX_VALUE_TEXT,
            "description": 'a number or boolean is stored as its JSON text (45 → "45", true → "true")',
        },
        "expected_value": {"type": ["string", "number", "boolean", "null"], "maxLength": MAX_VALUE_TEXT},
        "details": {"type": ["object", "null"]},
        "recommendation": {"type": ["string", "number", "boolean", "null"], "maxLength": MAX_VALUE_TEXT},
    },
}
FINDING_EXAMPLE = {
    "check_id": "MFA_ENFORCEMENT",
    "check_name": "MFA Enforcement",
    "severity": "Critical",
    "status": "fail",
    "current_value": "MFA not enforced for 45 users",
    "expected_value": "MFA required for all users",
    "details": {"users_without_mfa": 45, "total_users": 100},
    "recommendation": "Enable MFA via Conditional Access policy",
}

ADD_FINDING = json_body(FINDING_SCHEMA, FINDING_EXAMPLE)


def bulk_body(max_findings: int) -> dict[str, Any]:
    return json_body(
        {
            "type": "object",
            "required": ["findings"],
            "properties": {"findings": {"type": "array", "maxItems": max_findings, "items": FINDING_SCHEMA}},
        },
        {"findings": [FINDING_EXAMPLE]},
    )


# The default TENANTSWEEP_BULK_MAX_FINDINGS (the route enforces the setting; the spec itself sets no limit).
BULK_FINDINGS = bulk_body(TenantSweepSettings.model_fields["tenantsweep_bulk_max_findings"].default)
