"""What every QBR route shares: the transaction, settings, the caller, the success envelope, and strict
parsing of query values and JSON bodies into the spec's error codes.

Errors use the QBR envelope ``{"success": false, "error": {"code", "message", "status"}}`` (the shared
app factory picks it from the ``/api/qbr`` path). Codes: ``INVALID_PERIOD``, ``MISSING_PERIOD``,
``MISSING_DATA`` and ``NO_DATA`` from the spec; ``INVALID_PARAMETER`` (a bad query value the replaced
system silently replaced by its default), ``INVALID_DATA`` (a body field of the wrong type),
``INVALID_METRIC`` (a name outside the catalogue) and ``PROTECTED_METRIC`` (409: a collected value a
manual entry would overwrite without ``force_update``). An unexpected failure (the database down, a
bug) answers 500 ``SERVER_ERROR``, the spec's code, rather than the shared default ``INTERNAL_ERROR``
(:class:`ServerErrorEnvelope`).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub_shared.db import session_dependency
from hub_shared.errors import ApiError, error_body
from hub_shared.identity import Identity, require_scope
from hub_shared.logging import get_logger
from hub_shared.runtime import ServiceRuntime
from hub_shared.storable import storable_text
from qbr.numbers import ValueOutOfRange, storable_value
from qbr.periods import InvalidPeriod, Month, Quarter
from qbr.settings import QbrSettings

Session = Annotated[AsyncSession, Depends(session_dependency, scope="function")]
# Protected routes: the gateway-vouched caller with the QBR scope (a signed-in person holds every scope).
Reader = Annotated[Identity, Depends(require_scope("qbr:read"))]
Writer = Annotated[Identity, Depends(require_scope("qbr:write"))]

log = get_logger(__name__)

DEFAULT_ORGANIZATION_ID = 1
SERVER_ERROR = "SERVER_ERROR"
MAX_ID = 2_147_483_647
# Query flags, spelled as the hub's other services accept them.
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def settings_of(request: Request) -> QbrSettings:
    settings: QbrSettings = request.app.state.runtime.settings
    return settings


def ok(data: dict[str, Any]) -> dict[str, Any]:
    return {"success": True, "data": data}


def invalid_period(message: str) -> ApiError:
    return ApiError(400, message, code="INVALID_PERIOD")


def parse_month(value: str) -> Month:
    try:
        return Month.parse(value)
    except InvalidPeriod as exc:
        raise invalid_period(str(exc)) from None


def parse_quarter(value: str) -> Quarter:
    try:
        return Quarter.parse(value)
    except InvalidPeriod as exc:
        raise invalid_period(str(exc)) from None


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def parse_id(value: str | None, name: str, *, default: int | None) -> int | None:
    """A positive integer query value; blank → ``default``; anything else → 400 INVALID_PARAMETER."""
    if blank(value):
        return default
    assert value is not None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise ApiError(400, f"{name} must be a positive integer", code="INVALID_PARAMETER")
    return int(text)


def parse_flag(value: str | None, name: str, *, default: bool) -> bool:
    """A boolean query value: ``true``/``false`` (also 1/0, yes/no, on/off; any case); blank → ``default``;
    anything else → 400 INVALID_PARAMETER (the replaced system read every other text as false)."""
    if blank(value):
        return default
    assert value is not None
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ApiError(400, f"Invalid value for {name}: use true or false", code="INVALID_PARAMETER")


def organization_id_param(value: str | None) -> int:
    parsed = parse_id(value, "organization_id", default=DEFAULT_ORGANIZATION_ID)
    assert parsed is not None
    return parsed


def number(value: Decimal | None) -> float | None:
    """A stored value as the JSON number the spec shows (``574.0``)."""
    return None if value is None else float(value)


async def json_object(request: Request, missing_message: str) -> dict[str, Any]:
    """The request's JSON object body; absent or not an object → 400 MISSING_DATA, malformed → INVALID_DATA."""
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, missing_message, code="MISSING_DATA")
    try:
        body = json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ApiError(400, "Malformed JSON body", code="INVALID_DATA") from None
    if not isinstance(body, dict) or not body:
        raise ApiError(400, missing_message, code="MISSING_DATA")
    return body


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def body_decimal(value: Any, where: str, *, required: bool) -> Decimal | None:
    """A JSON number (not a boolean, not text) as an exact ``Decimal``; null allowed when not required."""
    if value is None:
        if required:
            raise ApiError(400, f"{where} is required", code="MISSING_DATA")
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise ApiError(400, f"{where} must be a number", code="INVALID_DATA")
    if isinstance(value, float) and not math.isfinite(value):
        raise ApiError(400, f"{where} must be a finite number", code="INVALID_DATA")
    result = Decimal(value) if isinstance(value, int | Decimal) else Decimal(str(value))
    try:
        return storable_value(result)
    except ValueOutOfRange as exc:
        raise ApiError(400, f"{where} {exc}", code="INVALID_DATA") from None


def body_id(value: Any, where: str, *, default: int | None) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ApiError(400, f"{where} must be a positive integer", code="INVALID_DATA")
    return value


def body_text(value: Any, where: str, *, max_length: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"{where} must be a string", code="INVALID_DATA")
    text = value.strip()
    if not storable_text(text):
        raise ApiError(400, f"{where} contains characters that cannot be stored (NUL or invalid)", code="INVALID_DATA")
    if len(text) > max_length:
        raise ApiError(400, f"{where} must be at most {max_length} characters", code="INVALID_DATA")
    return text or None


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON body the route reads by hand (nested models inlined, so the
    schema has no references to resolve)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/$defs/"):
                return inline(definitions[reference.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return {"requestBody": {"required": True, "content": {"application/json": {"schema": inline(schema)}}}}


class ServerErrorEnvelope:
    """A crash inside a route answers the spec's ``500 SERVER_ERROR`` in the QBR envelope (with the
    request id), instead of the shared app's generic ``INTERNAL_ERROR`` (pure ASGI, inside the shared
    request-context middleware, so the request is still logged and counted as a 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            if started:
                raise
            path = scope.get("path", "")
            log.exception("unhandled error", path=path)
            request_id = scope.get("state", {}).get("request_id")
            body = error_body(path, 500, "Internal server error", SERVER_ERROR, {"request_id": request_id})
            await JSONResponse(body, status_code=500)(scope, receive, send)


def configure_app(app: FastAPI, _runtime: ServiceRuntime) -> None:
    app.add_middleware(ServerErrorEnvelope)
