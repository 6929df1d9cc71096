"""What every notifier route shares: the transaction, the caller (``notifications:read`` / ``:write``),
the success/data envelope ``{"success": true, "data": ...}`` and the service's runtime and settings.
Everything else comes from ``hub_shared.web`` (storable text, documented error statuses)."""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

from fastapi import Request
from pydantic import BaseModel

from hub_shared.runtime import ServiceRuntime
from hub_shared.web import Identity, Session, StorableText, error_responses, requires
from notifier.settings import NotifierSettings

__all__ = [
    "Answer",
    "Reader",
    "Session",
    "StorableText",
    "Writer",
    "error_responses",
    "runtime_of",
    "settings_of",
]

Reader = Annotated[Identity, requires("notifications:read")]
Writer = Annotated[Identity, requires("notifications:write")]

T = TypeVar("T")


class Answer(BaseModel, Generic[T]):
    """The success/data envelope."""

    success: Literal[True] = True
    data: T


def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def settings_of(request: Request) -> NotifierSettings:
    settings = runtime_of(request).settings
    assert isinstance(settings, NotifierSettings)
    return settings
