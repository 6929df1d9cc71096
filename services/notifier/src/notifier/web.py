"""What every notifier route shares: the transaction, the caller (``notifications:read`` / ``:write``),
the success/data envelope, storable text, and the documented error answers.

(Local equivalents of ``hub_shared.web`` until that lands; the names match so moving over is mechanical.)
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Depends, Request
from pydantic import AfterValidator, BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.db import session_dependency
from hub_shared.identity import Identity, require_scope
from hub_shared.runtime import ServiceRuntime
from hub_shared.storable import storable_text
from notifier.settings import NotifierSettings

Session = Annotated[AsyncSession, Depends(session_dependency, scope="function")]
Reader = Annotated[Identity, Depends(require_scope("notifications:read"))]
Writer = Annotated[Identity, Depends(require_scope("notifications:write"))]

T = TypeVar("T")


def _storable(value: str) -> str:
    if not storable_text(value):
        raise ValueError("contains characters that cannot be stored (NUL or an unpaired surrogate)")
    return value


StorableText = AfterValidator(_storable)


class Answer(BaseModel, Generic[T]):
    """The success/data envelope: ``{"success": true, "data": ...}``."""

    success: Literal[True] = True
    data: T


class ErrorDetail(BaseModel):
    code: str
    message: str
    status: int


class ErrorEnvelope(BaseModel):
    model_config = ConfigDict(extra="allow")

    success: Literal[False] = False
    error: ErrorDetail


_DESCRIPTIONS = {
    400: "Invalid input",
    401: "No authenticated caller",
    403: "The caller lacks the scope",
    404: "Not found",
    409: "Conflicts with the current state",
    503: "A service the route needs is unavailable",
}


def error_responses(*statuses: int, descriptions: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    merged = {**_DESCRIPTIONS, **(descriptions or {})}
    return {status: {"model": ErrorEnvelope, "description": merged.get(status, "Error")} for status in statuses}


def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def settings_of(request: Request) -> NotifierSettings:
    settings = runtime_of(request).settings
    assert isinstance(settings, NotifierSettings)
    return settings
