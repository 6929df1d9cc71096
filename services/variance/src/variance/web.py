"""What every route of the service shares: the transaction dependency, settings, and strict parsing of
query values (a bad value answers 400 in the route's envelope instead of being ignored or crashing).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import AfterValidator
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.app import UNSTORABLE_MESSAGE
from hub_shared.db import session_dependency
from hub_shared.errors import ApiError
from hub_shared.storable import storable_text, unstorable_json
from variance.settings import VarianceSettings

Session = Annotated[AsyncSession, Depends(session_dependency, scope="function")]
DATE_FORMAT_MESSAGE = "Invalid date format. Use YYYY-MM-DD"
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def settings_of(request: Request) -> VarianceSettings:
    settings: VarianceSettings = request.app.state.runtime.settings
    return settings


def today_of(request: Request) -> date:
    """Today in HUB_TIMEZONE, the zone that defines snapshot dates."""
    return datetime.now(settings_of(request).timezone).date()


def parse_date(value: str | None, message: str = DATE_FORMAT_MESSAGE, **extra: Any) -> date:
    text = (value or "").strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, message, extra=extra or None) from None


def _storable(value: str | None) -> str | None:
    if value is not None and not storable_text(value):
        raise ValueError(UNSTORABLE_MESSAGE)
    return value


def _storable_json(value: Any) -> Any:
    """A free-form JSON value that ``jsonb`` can hold: finite numbers, storable strings and keys."""
    reason = unstorable_json(value)
    if reason is not None:
        raise ValueError(reason)
    return value


# Pydantic annotations for body fields that end up in PostgreSQL.
StorableText = AfterValidator(_storable)
StorableJson = AfterValidator(_storable_json)


def parse_flag(value: str | None, name: str) -> bool:
    """``true``/``false`` (also 1/0, yes/no, on/off; any case); anything else is a 400."""
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ApiError(400, f"Invalid value for {name}: use true or false")


def parse_int(value: str | None, name: str, *, default: int, minimum: int, maximum: int | None = None) -> int:
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ApiError(400, f"Invalid value for {name}: must be an integer") from None
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ApiError(400, f"Invalid value for {name}: must be {bounds}")
    return number


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def compose_object(parts: list[tuple[str, Any]]) -> bytes:
    """A JSON object from ``(key, value)`` pairs; ``bytes`` values are already-rendered JSON (from SQL)."""
    pieces = []
    for key, value in parts:
        rendered = value if isinstance(value, bytes) else dumps(value)
        pieces.append(dumps(key) + b":" + rendered)
    return b"{" + b",".join(pieces) + b"}"
