"""What every TenantSweep route shares: the transaction, the caller, the success/data envelope, and strict
parsing of ids, query values and JSON bodies — a bad value answers 400 in the spec's TenantSweep error
shape ``{"success": false, "error": {"code", "message", "status"}}``, never a crash or a silent default.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.db import session_dependency
from hub_shared.errors import ApiError
from hub_shared.identity import Identity, require_scope
from tenantsweep.catalog import InputError, parse_json
from tenantsweep.settings import TenantSweepSettings

Session = Annotated[AsyncSession, Depends(session_dependency, scope="function")]
# The gateway already refuses unauthenticated callers; the service checks the signed identity again, so a
# request that bypasses the gateway (or forges the header) is not believed either.
Reader = Annotated[Identity, Depends(require_scope("tenantsweep:read"))]
Writer = Annotated[Identity, Depends(require_scope("tenantsweep:write"))]

MAX_ID = 2**63 - 1
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_ID = re.compile(r"[0-9]{1,19}")
_INT = re.compile(r"-?[0-9]{1,100}")  # bounded: no huge conversions; the range check decides the rest


def settings_of(request: Request) -> TenantSweepSettings:
    settings: TenantSweepSettings = request.app.state.runtime.settings
    return settings


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"success": True, "data": data}, status_code=status)


def bad_input(problem: InputError) -> ApiError:
    return ApiError(400, problem.message, code=problem.code)


def parse_id(value: str, name: str = "audit id") -> int:
    """A path or query id: a positive integer that fits a bigint."""
    text = value.strip()
    if not _ID.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
        raise ApiError(400, f"Invalid {name} '{value[:40]}': must be a positive integer", code="INVALID_ID")
    return int(text)


def parse_flag(value: str | None, name: str, *, default: bool) -> bool:
    """``true``/``false`` (also 1/0, yes/no, on/off; any case); anything else is a 400."""
    if value is None or not value.strip():
        return default
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ApiError(400, f"Invalid value for {name}: use true or false", code="INVALID_PARAMETER")


def parse_int(value: str | None, name: str, *, default: int, minimum: int, maximum: int | None) -> int:
    """An integer query value within ``minimum``..``maximum`` (``None``: no upper bound); else a 400."""
    if value is None or not value.strip():
        return default
    text = value.strip()
    if not _INT.fullmatch(text):
        raise ApiError(400, f"Invalid value for {name}: must be an integer", code="INVALID_PARAMETER")
    number = int(text)
    if number < minimum:
        bound = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ApiError(400, f"Invalid value for {name}: must be {bound}", code="INVALID_PARAMETER")
    if maximum is not None and number > maximum:
        raise ApiError(
            400, f"Invalid value for {name}: must be between {minimum} and {maximum}", code="INVALID_PARAMETER"
        )
    return number


async def read_json_object(request: Request) -> dict[str, Any]:
    """The request body as a non-empty JSON object (the spec's ``MISSING_DATA`` when empty)."""
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "Request body is required", code="MISSING_DATA")
    try:
        payload = parse_json(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "Malformed JSON body", code="INVALID_JSON") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "Request body must be a JSON object", code="INVALID_DATA")
    if not payload:
        raise ApiError(400, "Request body is required", code="MISSING_DATA")
    return payload
