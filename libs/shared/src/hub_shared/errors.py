"""The spec's error envelopes, and the exception every route raises to produce one.

The dashboard knows two families (``reference/response-shapes.md`` §0.1): the *bare* family
``{"error": "<text>"}`` used by system, collector, variance, exception, search and Windows 11 routes, and
the *success/data* family ``{"success": false, "error": {"code", "message", "status"}}`` used by QBR,
TenantSweep and Ninja usage routes. Which one applies follows from the path, so every error — a route's
own, a validation failure, an unknown path, an unexpected crash — is answered in the family the
dashboard expects for that route.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse

SUCCESS_DATA_PREFIXES = ("/api/qbr", "/api/tenantsweep", "/api/ninja", "/api/notifications")

_DEFAULT_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


class ApiError(Exception):
    """Raise from a route (or service) to answer with the route's error envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _DEFAULT_CODES.get(status, HTTPStatus(status).phrase.upper().replace(" ", "_"))
        self.extra = extra or {}
        self.headers = headers


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)


def uses_success_data_envelope(path: str) -> bool:
    return _under(path, SUCCESS_DATA_PREFIXES)


@dataclass(frozen=True)
class EnvelopeFamily:
    """One error envelope the dashboard knows, and the codes a failed validation answers with in it.

    ``codes`` (success/data families only) names the code of each kind of validation failure: ``query``
    and ``header`` (a bad parameter), ``path`` (a bad id in the path), ``body`` (a bad body field),
    ``malformed`` (a body that is not JSON) and ``missing_body`` (no body where one is required). A route or
    a parameter can name its own code instead (``hub_shared.web.error_code``).
    """

    name: str
    prefixes: tuple[str, ...]
    success_data: bool
    codes: dict[str, str] = field(default_factory=dict)

    def validation_code(self, kind: str) -> str | None:
        if not self.success_data:
            return None
        return self.codes.get(kind, self.codes.get("query", _DEFAULT_CODES[400]))


BARE = EnvelopeFamily("bare", (), success_data=False)
SUCCESS_DATA = EnvelopeFamily(
    "success_data",
    ("/api/qbr", "/api/ninja", "/api/notifications"),
    success_data=True,
    codes={
        "query": "INVALID_PARAMETER",
        "header": "INVALID_PARAMETER",
        "path": "INVALID_PARAMETER",
        "body": "INVALID_DATA",
        "malformed": "INVALID_DATA",
        "missing_body": "MISSING_DATA",
    },
)
# TenantSweep's routes share the success/data shape but spell their validation codes their own way.
TENANTSWEEP = EnvelopeFamily(
    "tenantsweep",
    ("/api/tenantsweep",),
    success_data=True,
    codes={
        "query": "INVALID_PARAMETER",
        "header": "INVALID_PARAMETER",
        "path": "INVALID_ID",
        "body": "INVALID_DATA",
        "malformed": "INVALID_JSON",
        "missing_body": "MISSING_DATA",
    },
)
FAMILIES = (TENANTSWEEP, SUCCESS_DATA)


def family_of(path: str) -> EnvelopeFamily:
    """The envelope family of a public path (the bare ``{"error"}`` family unless a prefix says otherwise)."""
    for family in FAMILIES:
        if _under(path, family.prefixes):
            return family
    return BARE


def error_body(
    path: str, status: int, message: str, code: str | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The envelope for ``path``; ``extra`` fields ride along (e.g. the running ``batch_id`` of a 409)."""
    if uses_success_data_envelope(path):
        resolved = code or _DEFAULT_CODES.get(status, "ERROR")
        return {
            "success": False,
            "error": {"code": resolved, "message": message, "status": status},
            **(extra or {}),
        }
    return {"error": message, **(extra or {})}


class SafeJSONResponse(JSONResponse):
    """JSON that always encodes: an error message quoting the caller's input may hold a lone surrogate
    (``"\\ud800"`` is valid JSON text), which UTF-8 cannot carry; it is then written as a JSON escape."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def error_response(
    path: str,
    status: int,
    message: str,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    return SafeJSONResponse(error_body(path, status, message, code, extra), status_code=status, headers=headers)
