"""What the TenantSweep routes share beyond ``hub_shared.web``: the callers they accept, the success/data
answer, the router (strict JSON bodies, coded validation failures), and the checks of ids and query
integers written as plain digits.

Body models and parameter types raise :func:`hub_shared.bodies.coded` errors carrying the spec's code
(``MISSING_FIELDS``, ``INVALID_STATUS``, …) and text; any other failure answers in the TenantSweep family's
defaults (``INVALID_ID`` in the path, ``INVALID_PARAMETER`` in the query, ``INVALID_DATA`` in the body,
``INVALID_JSON`` for a body that is not JSON, ``MISSING_DATA`` for none at all).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BeforeValidator

from hub_shared.bodies import coded, strict_json_route
from hub_shared.web import Identity, requires, settings_dependency
from tenantsweep.catalog import InputError
from tenantsweep.settings import TenantSweepSettings

# The gateway already refuses unauthenticated callers; the service checks the signed identity again, so a
# request that bypasses the gateway (or forges the header) is not believed either.
Reader = Annotated[Identity, requires("tenantsweep:read")]
Writer = Annotated[Identity, requires("tenantsweep:write")]
Settings = Annotated[TenantSweepSettings, Depends(settings_dependency(TenantSweepSettings))]

MAX_ID = 2**63 - 1
NOT_AN_OBJECT = "Request body must be a JSON object"
MISSING_BODY = "Request body is required"
_ID = re.compile(r"[0-9]{1,19}")
_INTEGER = re.compile(r"-?[0-9]{1,30}")


def ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def tenantsweep_router() -> APIRouter:
    """A router of TenantSweep routes (a JSON body is read as JSON whatever its content type says, as
    scanners often send none)."""
    return APIRouter(
        prefix="/api/tenantsweep",
        tags=["tenantsweep"],
        route_class=strict_json_route(),
        strict_content_type=False,
    )


def input_error(error: InputError) -> Exception:
    """A catalogue problem as a coded validation error."""
    return coded(error.code, error.message)


def require_object(data: Any) -> dict[str, Any]:
    """A body model's input: a non-empty JSON object (else the spec's ``INVALID_DATA`` / ``MISSING_DATA``)."""
    if not isinstance(data, dict):
        raise coded("INVALID_DATA", NOT_AN_OBJECT)
    if not data:
        raise coded("MISSING_DATA", MISSING_BODY)
    return data


def checked(check: Callable[[Any], Any]) -> BeforeValidator:
    """A validator running a catalogue check; its :class:`InputError` becomes a coded validation error."""

    def run(value: Any) -> Any:
        try:
            return check(value)
        except InputError as error:
            raise input_error(error) from None

    return BeforeValidator(run)


def id_text(name: str) -> BeforeValidator:
    """A path or query id: a positive integer that fits a bigint, written as plain digits (else
    ``INVALID_ID``; pydantic alone would take ``1.0``, ``+1`` or ``1_0``)."""

    def run(value: Any) -> int:
        text = value if isinstance(value, str) else str(value)
        if not _ID.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
            raise coded("INVALID_ID", f"Invalid {name} '{text[:40]}': must be a positive integer")
        return int(text)

    return BeforeValidator(run)


def integer_text(name: str) -> BeforeValidator:
    """A query integer written as plain digits (``INVALID_PARAMETER`` otherwise)."""

    def run(value: Any) -> Any:
        if isinstance(value, str) and not _INTEGER.fullmatch(value):
            raise coded("INVALID_PARAMETER", f"Invalid value for {name}: must be an integer")
        return value

    return BeforeValidator(run)
