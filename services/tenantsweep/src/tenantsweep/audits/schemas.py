"""Request bodies of the audit routes, as documented in OpenAPI.

Bodies are read and checked by ``audits/service.py`` (so that every problem answers with the spec's own
error code, e.g. ``MISSING_FIELDS`` or ``INVALID_STATUS``, rather than a generic validation error); these
schemas describe the same rules for ``/docs``.
"""

from __future__ import annotations

from typing import Any

from tenantsweep.catalog import AUDIT_STATUSES, MAX_ERROR_MESSAGE, MAX_NAME


def json_body(schema: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads its JSON body itself."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema, "example": example}},
        }
    }


CREATE_AUDIT = json_body(
    {
        "type": "object",
        "required": ["tenant_name", "tenant_id"],
        "properties": {
            "tenant_name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME},
            "tenant_id": {"type": "string", "minLength": 1, "maxLength": MAX_NAME},
            "initiated_by": {
                "type": ["string", "null"],
                "maxLength": MAX_NAME,
                "description": "default: the signed-in caller (email) or API token (token:<name>)",
            },
        },
    },
    {"tenant_name": "ACME Corp", "tenant_id": "abc-123-def-456", "initiated_by": "user@enersystems.com"},
)

UPDATE_AUDIT = json_body(
    {
        "type": "object",
        "minProperties": 1,
        "properties": {
            "status": {"type": "string", "enum": list(AUDIT_STATUSES)},
            "summary": {"type": ["object", "null"], "description": 'stored as sent, e.g. {"Critical": 1}'},
            "error_message": {"type": ["string", "null"], "maxLength": MAX_ERROR_MESSAGE},
        },
    },
    {"status": "completed", "summary": {"Critical": 1, "High": 2}},
)
