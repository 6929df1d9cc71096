"""The typed request parameters several variance routes share (the document states them exactly; a value
outside them is a 400 in the route's envelope, a value inside them is accepted).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, NoReturn

from fastapi import Query, Request
from pydantic import AfterValidator, BeforeValidator

from hub_shared import web
from hub_shared.errors import ApiError
from hub_shared.web import DATE_FORMAT_MESSAGE, QueryFlag, error_code
from variance.catalog import BY_REPORT_KEY, TYPE_CODES, unknown_variance_type
from variance.settings import VarianceSettings

__all__ = [
    "DATE_FORMAT_MESSAGE",
    "NO_NUL",
    "DateText",
    "Flag",
    "OptionalFlag",
    "Text300",
    "VarianceTypeFilter",
    "bare_error",
    "date_schema",
    "day_or",
    "int_text",
    "one_of",
    "reject",
    "settings_of",
    "today_of",
]

# Free text that PostgreSQL can store (no NUL): documented, so schema-valid text is never refused.
NO_NUL = r"^[^\x00]*$"

# Every spelling a variance type filter accepts: all, the spec's report keys, the type codes (also in
# lower case, as the export file names spell them).
VARIANCE_TYPE_VALUES: tuple[str, ...] = (
    "all",
    *BY_REPORT_KEY,
    *TYPE_CODES,
    *(code.lower() for code in TYPE_CODES),
)


def reject(message: str, **extra: Any) -> NoReturn:
    """Answer 400 with exactly ``message`` (raised inside a validator, it passes pydantic untouched)."""
    raise ApiError(400, message, extra=extra or None)


def _known_type(value: str | None) -> str | None:
    if value is not None and value not in VARIANCE_TYPE_VALUES:
        reject(unknown_variance_type(value))
    return value


def int_text(name: str, minimum: int, maximum: int | None = None) -> BeforeValidator:
    """An integer query value with the replaced system's messages (``must be an integer``, ``must be
    between a and b``); pair it with ``Query(ge=..., le=...)`` so the document states the range."""

    def check(value: Any) -> int:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str):
            try:
                number = int(value.strip())
            except ValueError:
                number = None
        if number is None:
            reject(f"Invalid value for {name}: must be an integer")
        if number < minimum or (maximum is not None and number > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            reject(f"Invalid value for {name}: must be {bounds}")
        return number

    return BeforeValidator(check)


def one_of(allowed: tuple[str, ...], message: Any) -> BeforeValidator:
    """A text that must be one of ``allowed``; anything else answers ``message(value)`` (or its extra)."""

    def check(value: Any) -> Any:
        if value not in allowed:
            text, extra = message(value)
            reject(text, **extra)
        return value

    return BeforeValidator(check)


def bare_error(message: str | None = None, *, missing: str | None = None) -> dict[str, Any]:
    """``json_schema_extra`` for a bare-family field: the exact message of its failed validation (and of
    its absence). The bare envelope carries no code; the markers need one to apply."""
    return error_code(
        "INVALID_PARAMETER" if message else None,
        message=message,
        missing="MISSING_PARAMETER" if missing else None,
        missing_message=missing,
    )


def date_schema(message: str = DATE_FORMAT_MESSAGE, *, missing: str | None = None) -> dict[str, Any]:
    """``json_schema_extra`` of a ``YYYY-MM-DD`` text (the route parses it, answering ``message``)."""
    return {"format": "date", **bare_error(message, missing=missing)}


FLAG_WORDS = "true or false (also 1/0, yes/no, on/off; any case)"
Flag = Annotated[QueryFlag, Query(description=FLAG_WORDS)]
OptionalFlag = Annotated[QueryFlag | None, Query(description=FLAG_WORDS)]
VarianceTypeFilter = Annotated[
    str | None,
    Query(
        description="all (default), a report key (missing_in_ninja, ...) or a type code",
        json_schema_extra={"enum": list(VARIANCE_TYPE_VALUES)},
    ),
    AfterValidator(_known_type),
]
DateText = Annotated[str, Query(json_schema_extra=date_schema())]


def day_or(*words: str, message: str) -> dict[str, Any]:
    """``json_schema_extra`` of a text that is one of ``words`` or a ``YYYY-MM-DD`` day."""
    return {"anyOf": [{"enum": list(words)}, {"format": "date"}], **bare_error(message)}


Text300 = Annotated[str | None, Query(max_length=300, pattern=NO_NUL)]


def settings_of(request: Request) -> VarianceSettings:
    return web.settings_of(request, VarianceSettings)


def today_of(request: Request) -> date:
    """Today in HUB_TIMEZONE, the zone that defines snapshot dates."""
    return web.today_in(settings_of(request).timezone)


VendorName = Literal["ninja", "threatlocker", "Ninja", "ThreatLocker"]
