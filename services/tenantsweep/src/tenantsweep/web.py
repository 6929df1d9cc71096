"""What every TenantSweep route shares: the transaction, the caller, the success/data envelope, typed
parameters, and the route class that reads JSON bodies strictly and answers every failed validation with
the spec's TenantSweep error shape ``{"success": false, "error": {"code", "message", "status"}}`` — 400,
never FastAPI's 422.

Body models and parameter types raise :class:`pydantic_core.PydanticCustomError` whose type is the spec's
code (``MISSING_FIELDS``, ``INVALID_STATUS``, …) and whose message is the spec's text; an ``extra``
mapping in its context rides along at the top of the error body (the bulk route's ``errors`` and
``invalid_findings``). Any other failure gets the code of where it happened: ``INVALID_ID`` in the path,
``INVALID_PARAMETER`` in the query, ``INVALID_DATA`` in the body, ``INVALID_JSON`` for a body that is not
JSON and ``MISSING_DATA`` for none at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError
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
MALFORMED = "Malformed JSON body"
MISSING_BODY = "Request body is required"
NOT_AN_OBJECT = "Request body must be a JSON object"
_CODE = re.compile(r"[A-Z][A-Z0-9_]+")
_DEFAULT_CODES = {"path": "INVALID_ID", "query": "INVALID_PARAMETER", "header": "INVALID_PARAMETER"}


def settings_of(request: Request) -> TenantSweepSettings:
    settings: TenantSweepSettings = request.app.state.runtime.settings
    return settings


def ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def coded(problem: InputError, extra: dict[str, Any] | None = None) -> PydanticCustomError:
    """A catalogue problem as a validation error carrying its spec code."""
    context: dict[str, Any] = {"message": problem.message}
    if extra is not None:
        context["extra"] = extra
    return PydanticCustomError(problem.code, "{message}", context)


def error_for(exc: RequestValidationError) -> ApiError:
    """The first problem of a failed validation, in the spec's words."""
    errors = exc.errors()
    if not errors:
        return ApiError(400, "Invalid request", code="INVALID_DATA")
    error = errors[0]
    kind, loc = str(error.get("type", "")), tuple(error.get("loc", ()))
    where = str(loc[0]) if loc else "body"
    name = ".".join(str(part) for part in loc[1:]) or where
    if _CODE.fullmatch(kind):
        extra = (error.get("ctx") or {}).get("extra")
        return ApiError(400, str(error.get("msg", kind)), code=kind, extra=dict(extra) if extra else None)
    if kind == "json_invalid":
        return ApiError(400, MALFORMED, code="INVALID_JSON")
    if where == "body":
        if kind == "missing" and len(loc) == 1:
            return ApiError(400, MISSING_BODY, code="MISSING_DATA")
        return ApiError(400, f"Invalid value for {name}: {error.get('msg', 'invalid')}", code="INVALID_DATA")
    message = f"Invalid value for {name}: {error.get('msg', 'invalid')}"
    if where == "path":
        message = f"Invalid {name.replace('_', ' ')} '{str(error.get('input', ''))[:40]}': must be a positive integer"
    return ApiError(400, message, code=_DEFAULT_CODES.get(where, "INVALID_PARAMETER"))


class StrictJSONRequest(Request):
    """A request whose JSON body is read the catalogue's way: NaN, infinities and numbers out of range are
    malformed JSON (``jsonb`` cannot hold them), a UTF-8 byte-order mark is ignored."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            raw = await self.body()
            try:
                self._json = parse_json(raw)
            except (ValueError, RecursionError):
                raise json.JSONDecodeError(MALFORMED, "", 0) from None
        return self._json


class TenantSweepRoute(APIRoute):
    """Every TenantSweep route: strict JSON bodies, and validation failures as the spec's 400s."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(StrictJSONRequest(request.scope, request.receive))
            except RequestValidationError as exc:
                raise error_for(exc) from None

        return route


def tenantsweep_router() -> APIRouter:
    """A router of TenantSweep routes (a JSON body is read as JSON whatever its content type says, as
    scanners often send none)."""
    return APIRouter(
        prefix="/api/tenantsweep", tags=["tenantsweep"], route_class=TenantSweepRoute, strict_content_type=False
    )


def require_object(data: Any) -> dict[str, Any]:
    """A body model's input: a non-empty JSON object (else the spec's ``INVALID_DATA`` / ``MISSING_DATA``)."""
    if not isinstance(data, dict):
        raise PydanticCustomError("INVALID_DATA", NOT_AN_OBJECT)
    if not data:
        raise PydanticCustomError("MISSING_DATA", MISSING_BODY)
    return data


def any_case(words: Sequence[str]) -> str:
    """A regular expression (the same in ECMAScript and Python) matching any of ``words`` in any case."""

    def letters(word: str) -> str:
        return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)

    return "(?:" + "|".join(letters(word) for word in words) + ")"


def checked(check: Callable[[Any], Any]) -> BeforeValidator:
    """A validator running a catalogue check; its :class:`InputError` becomes a coded validation error."""

    def run(value: Any) -> Any:
        try:
            return check(value)
        except InputError as problem:
            raise coded(problem) from None

    return BeforeValidator(run)


_ID = re.compile(r"[0-9]{1,19}")
_INTEGER = re.compile(r"-?[0-9]{1,30}")


def id_text(name: str) -> BeforeValidator:
    """A path or query id: a positive integer that fits a bigint, written as plain digits (else
    ``INVALID_ID``; pydantic alone would take ``1.0``, ``+1`` or ``1_0``)."""

    def run(value: Any) -> int:
        text = value if isinstance(value, str) else str(value)
        if not _ID.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
            message = f"Invalid {name} '{text[:40]}': must be a positive integer"
            raise PydanticCustomError("INVALID_ID", "{message}", {"message": message})
        return int(text)

    return BeforeValidator(run)


def integer_text(name: str) -> BeforeValidator:
    """A query integer written as plain digits (``INVALID_PARAMETER`` otherwise)."""

    def run(value: Any) -> Any:
        if isinstance(value, str) and not _INTEGER.fullmatch(value):
            message = f"Invalid value for {name}: must be an integer"
            raise PydanticCustomError("INVALID_PARAMETER", "{message}", {"message": message})
        return value

    return BeforeValidator(run)
