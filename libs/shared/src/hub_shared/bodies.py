"""JSON bodies read strictly, and validation errors that name the spec's code themselves.

- :func:`coded` — raise it from a pydantic validator (a body model's, or an ``Annotated`` parameter's)
  when the failure has its own code and text in the spec (``MISSING_FIELDS`` "Both tenant_name and
  tenant_id are required"); its ``extra`` rides along at the top of the error body (a bulk route's
  per-item ``errors``). Any other failure keeps the generic mapping of ``hub_shared.web`` (markers, then
  the envelope family's defaults).
- :func:`strict_json_route` — an ``APIRouter(route_class=...)`` whose JSON bodies are parsed with the
  rules PostgreSQL needs (``NaN``, ``Infinity`` and numbers beyond a double are malformed JSON, not
  values; a UTF-8 byte-order mark is ignored; optionally every decimal number an exact ``Decimal``), and
  whose coded validation errors answer 400 with their code, message and extra fields.
- :class:`Envelope` — the success/data family's answer ``{"success": true, "data": ...}`` as a response
  model (``Envelope[Audit]``).
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Callable, Coroutine, Sequence
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic_core import PydanticCustomError

from hub_shared.errors import ApiError

MALFORMED_MESSAGE = "Malformed JSON body"
T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    """The success/data family's answer (QBR, TenantSweep, Ninja usage): ``{"success": true, "data": ...}``."""

    success: Literal[True] = True
    data: T


_SPECIAL = frozenset("\\^$.|?*+()[]{}/")
_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,}")


def _encodable(value: Any) -> Any:
    """``value`` with every lone surrogate written as its escape (pydantic cannot carry one in an error, and
    a message quoting the caller's ``"\ud800"`` would otherwise crash instead of answering 400)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_encodable(key): _encodable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encodable(item) for item in value]
    return value


def coded(code: str, message: str, extra: dict[str, Any] | None = None) -> PydanticCustomError:
    """A validation error answering 400 ``code`` with exactly ``message`` (and ``extra`` fields)."""
    context: dict[str, Any] = {"message": _encodable(message)}
    if extra:
        context["extra"] = _encodable(extra)
    return PydanticCustomError(code, "{message}", context)


def coded_failure(exc: RequestValidationError) -> ApiError | None:
    """The 400 a failed validation answers when its first failure is :func:`coded` (else None)."""
    errors = exc.errors()
    if not errors:
        return None
    first = errors[0]
    kind = str(first.get("type", ""))
    if not _CODE.fullmatch(kind):
        return None
    extra = (first.get("ctx") or {}).get("extra")
    return ApiError(400, str(first.get("msg", kind)), code=kind, extra=dict(extra) if extra else None)


def any_case(words: Sequence[str]) -> str:
    """A regular expression, the same in ECMAScript and Python, matching any of ``words`` in any case (for
    a ``pattern`` that documents a value the route matches case-insensitively)."""

    def letters(word: str) -> str:
        return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else f"\\{c}" if c in _SPECIAL else c for c in word)

    return "(?:" + "|".join(letters(word) for word in words) + ")"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses as infinity, which PostgreSQL's JSON cannot hold
        raise ValueError(f"number out of range: {text}")
    return value


def parse_json(raw: bytes, *, exact_decimals: bool = False) -> Any:
    """A request body as JSON (``ValueError`` or ``RecursionError`` when it is not JSON we can store)."""
    # Windows PowerShell's UTF-8 writes a byte-order mark, which json refuses; it carries no meaning here.
    raw = raw.removeprefix(codecs.BOM_UTF8)
    parse_float: Callable[[str], Any] = Decimal if exact_decimals else _finite_float
    return json.loads(raw, parse_constant=_reject_constant, parse_float=parse_float)


def strict_json_route(*, exact_decimals: bool = False) -> type[APIRoute]:
    """A route class reading JSON bodies with :func:`parse_json` and answering :func:`coded` failures."""

    class StrictJSONRequest(Request):
        async def json(self) -> Any:
            if not hasattr(self, "_json"):
                raw = await self.body()
                try:
                    self._json = parse_json(raw, exact_decimals=exact_decimals)
                except (ValueError, RecursionError):
                    raise json.JSONDecodeError(MALFORMED_MESSAGE, "", 0) from None
            return self._json

    class StrictJSONRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def route(request: Request) -> Response:
                try:
                    return await handler(StrictJSONRequest(request.scope, request.receive))
                except RequestValidationError as exc:
                    failure = coded_failure(exc)
                    if failure is None:
                        raise
                    raise failure from None

            return route

    return StrictJSONRoute
