"""The checks of JSON body values the QBR body models share (pure; they raise coded validation errors,
so a failure answers 400 with the spec's code: ``MISSING_DATA`` for an absent required value,
``INVALID_DATA`` for a wrong type or a value PostgreSQL could not hold).

Numbers arrive as exact ``Decimal`` (the QBR router parses JSON that way): ``0.30000000000000000004`` is
stored as written, and a number with more decimal places than ``numeric`` holds is refused, not rounded.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import WithJsonSchema

from hub_shared.bodies import coded
from hub_shared.storable import storable_text
from qbr.numbers import ValueOutOfRange, storable_value

MAX_ID = 2_147_483_647
# An exact number in a body: documented as a JSON number.
ExactNumber = Annotated[
    Decimal, WithJsonSchema({"type": "number", "exclusiveMinimum": -1e15, "exclusiveMaximum": 1e15})
]


def body_object(data: Any, missing_message: str) -> dict[str, Any]:
    """A body model's input: a JSON object with something in it (else ``MISSING_DATA``)."""
    if not isinstance(data, dict) or not data:
        raise coded("MISSING_DATA", missing_message)
    return data


def body_items(body: dict[str, Any], field: str, *, noun: str, maximum: int) -> list[tuple[str, dict[str, Any]]]:
    """The objects of a body's array ``field`` (present), each with where it is (``metrics[0]``)."""
    items = body[field]
    if not isinstance(items, list):
        raise coded("INVALID_DATA", f"{field} must be an array")
    if not items:
        raise coded("MISSING_DATA", f"{field} must contain at least one {noun}")
    if len(items) > maximum:
        raise coded("INVALID_DATA", f"{field} may contain at most {maximum} entries")
    found = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        if not isinstance(item, dict):
            raise coded("INVALID_DATA", f"{where} must be an object")
        found.append((where, item))
    return found


def body_name(value: Any, where: str) -> str:
    """A required name (trimmed): absent or blank → ``MISSING_DATA``, not text → ``INVALID_DATA``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise coded("MISSING_DATA", f"{where} is required")
    if not isinstance(value, str):
        raise coded("INVALID_DATA", f"{where} must be a string")
    return value.strip()


def body_decimal(value: Any, where: str, *, required: bool) -> Decimal | None:
    """A JSON number (not a boolean, not text) as an exact ``Decimal``; null allowed when not required."""
    if value is None:
        if required:
            raise coded("MISSING_DATA", f"{where} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise coded("INVALID_DATA", f"{where} must be a number")
    try:
        # A float only arrives from Python callers (the QBR router parses JSON numbers as Decimal).
        return storable_value(Decimal(str(value)) if isinstance(value, float) else Decimal(value))
    except ValueOutOfRange as exc:
        raise coded("INVALID_DATA", f"{where} {exc}") from None


def body_id(value: Any, where: str, *, default: int | None) -> int | None:
    """A positive integer; absent (``None``) → ``default``."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise coded("INVALID_DATA", f"{where} must be a positive integer")
    return value


def organization_of(body: dict[str, Any]) -> int:
    """A body's ``organization_id``: 1 when left out; null is not an id."""
    if "organization_id" in body and body["organization_id"] is None:
        raise coded("INVALID_DATA", "organization_id must be a positive integer")
    organization = body_id(body.get("organization_id"), "organization_id", default=1)
    assert organization is not None
    return organization


def body_text(value: Any, where: str, *, max_length: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise coded("INVALID_DATA", f"{where} must be a string")
    text = value.strip()
    if not storable_text(text):
        raise coded("INVALID_DATA", f"{where} contains characters that cannot be stored (NUL or invalid)")
    if len(text) > max_length:
        raise coded("INVALID_DATA", f"{where} must be at most {max_length} characters")
    return text or None
