"""What the QBR routes share beyond ``hub_shared.web``: the callers they accept, the success/data answer,
the router (strict JSON bodies with exact decimals, coded validation failures), the typed parameters, and
the spec's ``500 SERVER_ERROR``.

Errors use the QBR envelope ``{"success": false, "error": {"code", "message", "status"}}`` (the shared
app factory picks it from the ``/api/qbr`` path). Codes: ``INVALID_PERIOD``, ``MISSING_PERIOD``,
``MISSING_DATA`` and ``NO_DATA`` from the spec; ``INVALID_PARAMETER`` (a bad query value the replaced
system silently replaced by its default), ``INVALID_DATA`` (a body field of the wrong type),
``INVALID_METRIC`` (a name outside the catalogue) and ``PROTECTED_METRIC`` (409: a collected value a
manual entry would overwrite without ``force_update``). Parameters and body fields raise
:func:`hub_shared.bodies.coded` errors with those codes and texts; anything else answers in the
success/data family's defaults. An unexpected failure (the database down, a bug) answers 500
``SERVER_ERROR``, the spec's code, rather than the shared default ``INTERNAL_ERROR``
(:class:`ServerErrorEnvelope`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator, Field, StringConstraints
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub_shared.bodies import Envelope, coded, strict_json_route
from hub_shared.errors import error_body
from hub_shared.logging import get_logger
from hub_shared.runtime import ServiceRuntime
from hub_shared.web import Identity, QueryFlag, error_code, requires

__all__ = ["Envelope", "QueryFlag", "number"]
from qbr.numbers import as_float as number
from qbr.periods import MONTH_FORMAT_MESSAGE, QUARTER_FORMAT_MESSAGE, Month, Quarter

# Protected routes: the gateway-vouched caller with the QBR scope (a signed-in person holds every scope).
Reader = Annotated[Identity, requires("qbr:read")]
Writer = Annotated[Identity, requires("qbr:write")]

log = get_logger(__name__)

DEFAULT_ORGANIZATION_ID = 1
SERVER_ERROR = "SERVER_ERROR"
MAX_ID = 2_147_483_647
# Years 2000-2100 (domain-rules.md), months 01-12, quarters Q1-Q4: the same text in ECMAScript and Python.
MONTH_PATTERN = r"^(?:20[0-9]{2}|2100)-(?:0[1-9]|1[0-2])$"
QUARTER_PATTERN = r"^(?:20[0-9]{2}|2100)-Q[1-4]$"
MISSING_PERIOD_MESSAGE = "Period parameter is required (format: YYYY-Q1)"
_DIGITS = re.compile(r"[0-9]{1,10}")


def ok(data: dict[str, Any]) -> dict[str, Any]:
    return {"success": True, "data": data}


def qbr_router(prefix: str) -> APIRouter:
    """A router of QBR routes: JSON numbers read as exact decimals, whatever the body's content type."""
    return APIRouter(
        prefix=prefix,
        tags=["qbr"],
        route_class=strict_json_route(exact_decimals=True),
        strict_content_type=False,
    )


# ---------------------------------------------------------------------------------------------- parameters


def positive_id(name: str, code: str = "INVALID_PARAMETER") -> BeforeValidator:
    """A positive integer (at most 2^31 - 1) written as plain digits; anything else is ``code``."""

    def run(value: Any) -> Any:
        text = value if isinstance(value, str) else str(value)
        if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
            raise coded(code, f"{name} must be a positive integer")
        return int(text)

    return BeforeValidator(run)


def _month_text(value: Any) -> Any:
    if not isinstance(value, str) or not re.fullmatch(MONTH_PATTERN, value):
        raise coded("INVALID_PERIOD", MONTH_FORMAT_MESSAGE)
    return value


def _quarter_text(value: Any) -> Any:
    if not isinstance(value, str) or not re.fullmatch(QUARTER_PATTERN, value):
        raise coded("INVALID_PERIOD", QUARTER_FORMAT_MESSAGE)
    return value


def _required_quarter_text(value: Any) -> Any:
    """A required quarter: blank counts as missing (the spec's ``MISSING_PERIOD``), as the replaced system read it."""
    if isinstance(value, str) and not value.strip():
        raise coded("MISSING_PERIOD", MISSING_PERIOD_MESSAGE)
    if not isinstance(value, str) or not re.fullmatch(QUARTER_PATTERN, value):
        raise coded("INVALID_PERIOD", QUARTER_FORMAT_MESSAGE)
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
MonthText = Annotated[str, StringConstraints(pattern=MONTH_PATTERN)]
QuarterText = Annotated[str, StringConstraints(pattern=QUARTER_PATTERN)]
OrganizationId = Annotated[
    Id, positive_id("organization_id"), Query(description="the organisation (default 1)", examples=[1])
]
# A month or quarter parameter: checked text (the route reads it with Month.parse / Quarter.parse).
MonthParam = Annotated[MonthText, BeforeValidator(_month_text)]
QuarterParam = Annotated[QuarterText, BeforeValidator(_quarter_text)]
RequiredQuarterParam = Annotated[QuarterText, BeforeValidator(_required_quarter_text)]


def month_of(text: str | None) -> Month | None:
    return None if text is None else Month.parse(text)


def quarter_of(text: str | None) -> Quarter | None:
    return None if text is None else Quarter.parse(text)


def flag_query(name: str, description: str) -> Any:
    """``Annotated[QueryFlag, flag_query(...)]``: a boolean query parameter in the hub's words (true/false,
    1/0, yes/no, on/off; any case), refused with the QBR text."""
    message = f"Invalid value for {name}: use true or false"
    return Query(description=description, json_schema_extra=error_code("INVALID_PARAMETER", message=message))


# ---------------------------------------------------------------------------------------------- 500


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
