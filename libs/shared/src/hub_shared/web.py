"""The one home of what every route shares: the transaction and caller dependencies, typed settings
access, the parse/format helpers, how a validation failure maps to the spec's error code, and how a route
documents the statuses it answers (the contract guide, ``notes/contract-guide.md``, shows them in use).

- ``Session`` — the request's transaction (committed before the response is written).
- ``settings_dependency(VarianceSettings)`` — the service's settings, typed.
- ``Annotated[Identity, requires("qbr:read")]`` — the gateway-vouched caller holding a scope (401/403 otherwise).
- ``error_code("INVALID_PERIOD", missing="MISSING_PERIOD")`` — put in a parameter's or body field's
  ``json_schema_extra``: what a failed validation of that field answers (always 400, in the route's
  envelope). ``validation_codes(...)`` does the same for a whole route (``openapi_extra=``), and each
  envelope family has its defaults (``hub_shared.errors``).
- ``error_responses(400, 404, 409)`` — ``responses=`` documenting those statuses; the app factory fills
  in the envelope schema of the route's family and drops FastAPI's 422 (``finish_openapi``).
- ``binary_response(...)`` — ``responses=`` for a file download (CSV, XLSX, PDF).
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.db import session_dependency
from hub_shared.errors import ApiError, EnvelopeFamily, family_of
from hub_shared.identity import Identity, require_scope
from hub_shared.storable import storable_text, unstorable_json
from hub_shared.timefmt import parse_iso_date, rfc3339

__all__ = [
    "DATE_FORMAT_MESSAGE",
    "FALSE_WORDS",
    "TRUE_WORDS",
    "UNSTORABLE_MESSAGE",
    "BareError",
    "EnvelopeError",
    "Identity",
    "IsoDay",
    "QueryFlag",
    "Session",
    "StorableJson",
    "StorableText",
    "binary_response",
    "compose_object",
    "dumps",
    "error_code",
    "error_responses",
    "finish_openapi",
    "parse_date",
    "parse_flag",
    "requires",
    "rfc3339",
    "settings_dependency",
    "settings_of",
    "validation_codes",
    "validation_failure",
]

S = TypeVar("S")

# --------------------------------------------------------------------------------------------------
# Dependencies
# --------------------------------------------------------------------------------------------------

Session = Annotated[AsyncSession, Depends(session_dependency, scope="function")]


def requires(scope: str) -> Any:
    """``Annotated[Identity, requires("qbr:read")]``: the gateway-vouched caller holding ``scope``
    (401 without one, 403 without the scope)."""
    return Depends(require_scope(scope))


def settings_of(request: Request, cls: type[S]) -> S:
    """The running service's settings, checked to be ``cls``."""
    settings = request.app.state.runtime.settings
    if not isinstance(settings, cls):
        raise TypeError(f"this service runs with {type(settings).__name__}, not {cls.__name__}")
    return settings


def settings_dependency(cls: type[S]) -> Callable[[Request], S]:
    """FastAPI dependency giving the service's settings typed: ``Annotated[X, Depends(settings_dependency(X))]``."""

    def dependency(request: Request) -> S:
        return settings_of(request, cls)

    dependency.__name__ = f"{cls.__name__}_dependency"
    return dependency


# --------------------------------------------------------------------------------------------------
# Parsing and formatting
# --------------------------------------------------------------------------------------------------

DATE_FORMAT_MESSAGE = "Invalid date format. Use YYYY-MM-DD"
UNSTORABLE_MESSAGE = "contains characters that cannot be stored (NUL or an unpaired surrogate)"
# The words every hub route accepts for a boolean (any case, surrounding blanks ignored).
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


def parse_flag(value: str | None, name: str, *, default: bool | None = None, code: str | None = None) -> bool:
    """A boolean query value in the hub's words; blank → ``default`` (a 400 when there is none)."""
    text = (value or "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    if not text and default is not None:
        return default
    raise ApiError(400, f"Invalid value for {name}: use true or false", code=code)


def _flag_word(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError("use true or false")
    return value


# A typed boolean query parameter with the hub's words (documented as a boolean).
QueryFlag = Annotated[bool, BeforeValidator(_flag_word)]


def parse_date(value: str | None, message: str = DATE_FORMAT_MESSAGE, *, code: str | None = None, **extra: Any) -> date:
    """A ``YYYY-MM-DD`` day; anything else is a 400 with ``message`` (and ``extra`` fields)."""
    try:
        return parse_iso_date(value or "")
    except ValueError:
        raise ApiError(400, message, code=code, extra=extra or None) from None


def _iso_day(value: Any) -> Any:
    if isinstance(value, str):
        if value != value.strip():
            raise ValueError("use YYYY-MM-DD")
        return parse_iso_date(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("use YYYY-MM-DD")


# A typed ``YYYY-MM-DD`` day (documented as ``format: date``); pydantic's own date also takes ``0`` and
# timestamps, which no hub route accepts.
IsoDay = Annotated[date, BeforeValidator(_iso_day)]


def today_in(zone: Any) -> date:
    """Today in ``zone`` (``HUB_TIMEZONE`` defines snapshot dates)."""
    return datetime.now(zone).date()


def _storable(value: str | None) -> str | None:
    if value is not None and not storable_text(value):
        raise ValueError(UNSTORABLE_MESSAGE)
    return value


def _storable_json(value: Any) -> Any:
    reason = unstorable_json(value)
    if reason is not None:
        raise ValueError(reason)
    return value


# Pydantic annotations for body fields that end up in PostgreSQL.
StorableText = AfterValidator(_storable)
StorableJson = AfterValidator(_storable_json)


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as the pre-rendered fast paths write it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def compose_object(parts: list[tuple[str, Any]]) -> bytes:
    """A JSON object from ``(key, value)`` pairs; ``bytes`` values are already-rendered JSON (from SQL)."""
    pieces = []
    for key, value in parts:
        rendered = value if isinstance(value, bytes) else dumps(value)
        pieces.append(dumps(key) + b":" + rendered)
    return b"{" + b",".join(pieces) + b"}"


# --------------------------------------------------------------------------------------------------
# Validation failures → the spec's codes (always 400, in the route's envelope)
# --------------------------------------------------------------------------------------------------

CODE_KEY = "x-error-code"
MESSAGE_KEY = "x-error-message"
MISSING_CODE_KEY = "x-missing-code"
MISSING_MESSAGE_KEY = "x-missing-message"
MALFORMED_CODE_KEY = "x-malformed-code"
MISSING_BODY_CODE_KEY = "x-missing-body-code"


def error_code(
    code: str | None = None,
    *,
    message: str | None = None,
    missing: str | None = None,
    missing_message: str | None = None,
) -> dict[str, Any]:
    """``json_schema_extra`` for a parameter or body field (or a model's ``model_config``): the code (and
    optionally the exact message) its failed validation answers, and those of its absence."""
    marker: dict[str, Any] = {}
    for key, value in (
        (CODE_KEY, code),
        (MESSAGE_KEY, message),
        (MISSING_CODE_KEY, missing),
        (MISSING_MESSAGE_KEY, missing_message),
    ):
        if value is not None:
            marker[key] = value
    return marker


def validation_codes(
    default: str | None = None, *, malformed: str | None = None, missing_body: str | None = None
) -> dict[str, Any]:
    """``openapi_extra`` for a route: the code of any of its validation failures no field names, of a
    body that is not JSON, and of a missing body."""
    marker: dict[str, Any] = {}
    for key, value in ((CODE_KEY, default), (MALFORMED_CODE_KEY, malformed), (MISSING_BODY_CODE_KEY, missing_body)):
        if value is not None:
            marker[key] = value
    return marker


def _extra(info: Any) -> dict[str, Any]:
    extra = getattr(info, "json_schema_extra", None)
    return extra if isinstance(extra, dict) else {}


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``annotation`` (``X``, ``X | None``, ``list[X]``, ``Annotated[X, …]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _model_of(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, set, frozenset, dict):
        for argument in typing.get_args(annotation):
            found = _model_of(argument)
            if found is not None:
                return found
    return None


def _model_markers(model: type[BaseModel] | None, parts: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
    """Markers from the outermost model down to the deepest field ``parts`` reach (deepest last)."""
    while model is not None:
        config_extra = model.model_config.get("json_schema_extra")
        if isinstance(config_extra, dict):
            yield config_extra
        while parts and not isinstance(parts[0], str):
            parts = parts[1:]  # list indexes
        if not parts:
            return
        name, parts = parts[0], parts[1:]
        info = next(
            (info for key, info in model.model_fields.items() if name in (key, info.alias, info.validation_alias)),
            None,
        )
        if info is None:
            return
        yield _extra(info)
        model = _model_of(info.annotation)


def _params(route: APIRoute, location: str) -> Iterator[Any]:
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        pending.extend(dependant.dependencies)
        yield from {
            "query": dependant.query_params,
            "path": dependant.path_params,
            "header": dependant.header_params,
            "cookie": dependant.cookie_params,
            "body": dependant.body_params,
        }.get(location, [])


def _markers(route: Any, loc: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Every marker that applies to the failed field at ``loc``, least specific first."""
    if not isinstance(route, APIRoute):
        return []
    found: list[dict[str, Any]] = [route.openapi_extra or {}]
    location, rest = (loc[0], loc[1:]) if loc else ("", ())
    if location == "body":
        bodies = list(_params(route, "body"))
        if len(bodies) == 1 and not getattr(bodies[0].field_info, "embed", False):
            found.append(_extra(bodies[0].field_info))
            found.extend(_model_markers(_model_of(bodies[0].field_info.annotation), rest))
        elif rest:
            param = next((p for p in bodies if rest[0] in (p.alias, p.name)), None)
            if param is not None:
                found.append(_extra(param.field_info))
                found.extend(_model_markers(_model_of(param.field_info.annotation), rest[1:]))
        return found
    if rest:
        param = next((p for p in _params(route, location) if rest[0] in (p.alias, p.name)), None)
        if param is not None:
            found.append(_extra(param.field_info))
    return found


def _describe(item: dict[str, Any]) -> str:
    location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "header")]
    where = ".".join(location) or "request"
    if item.get("type") == "json_invalid":
        return "Malformed JSON body"
    if item.get("type") == "missing" and not location:
        return "Request body is required"
    # A validator's own ValueError text, without pydantic's "Value error, " in front of it.
    text = str(item.get("msg", "invalid")).removeprefix("Value error, ")
    return f"Invalid value for {where}: {text}"


def validation_failure(route: Any, errors: list[dict[str, Any]], family: EnvelopeFamily) -> tuple[str | None, str]:
    """The code and message a failed validation answers with: the first failure decides the code (a
    marker on its field, else on its route, else the family's default); the message lists them all unless
    the deciding marker spells one."""
    code: str | None = None
    message: str | None = None
    for index, item in enumerate(errors):
        loc = tuple(item.get("loc", ()))
        kind = item.get("type")
        location = str(loc[0]) if loc else "body"
        missing = kind == "missing"
        markers = _markers(route, loc)
        if kind == "json_invalid":
            chosen = next((m[MALFORMED_CODE_KEY] for m in reversed(markers) if MALFORMED_CODE_KEY in m), None)
            item_code, item_message = chosen or family.validation_code("malformed"), None
        elif missing and location == "body" and len(loc) == 1:
            chosen = next(
                (
                    m.get(MISSING_BODY_CODE_KEY, m.get(MISSING_CODE_KEY))
                    for m in reversed(markers)
                    if MISSING_BODY_CODE_KEY in m or MISSING_CODE_KEY in m
                ),
                None,
            )
            item_code, item_message = chosen or family.validation_code("missing_body"), None
        elif missing:
            deciding = next((m for m in reversed(markers) if MISSING_CODE_KEY in m), None)
            if deciding is not None:
                item_code, item_message = deciding[MISSING_CODE_KEY], deciding.get(MISSING_MESSAGE_KEY)
            else:
                deciding = next((m for m in reversed(markers) if CODE_KEY in m), None)
                fallback = family.validation_code("missing_body" if location == "body" else location)
                item_code, item_message = (deciding or {}).get(CODE_KEY) or fallback, None
        else:
            deciding = next((m for m in reversed(markers) if CODE_KEY in m), None)
            item_code = (deciding or {}).get(CODE_KEY) or family.validation_code(location)
            item_message = (deciding or {}).get(MESSAGE_KEY)
        if index == 0:
            code = item_code if family.success_data else None
            message = item_message
            if message is not None:
                break
    if message is None:
        message = "; ".join(dict.fromkeys(_describe(item) for item in errors)) or "Invalid request"
    return code, message


def describe_validation_error(request: Request, exc: RequestValidationError) -> tuple[str | None, str]:
    path = request.url.path
    return validation_failure(request.scope.get("route"), list(exc.errors()), family_of(path))


# --------------------------------------------------------------------------------------------------
# Documenting what a route answers
# --------------------------------------------------------------------------------------------------


class BareError(BaseModel):
    """The bare family's error (system, collector, variance, exception, device, Windows 11 routes)."""

    model_config = ConfigDict(extra="allow", title="Error")
    error: str


class ErrorDetail(BaseModel):
    model_config = ConfigDict(title="ErrorDetail")
    code: str
    message: str
    status: int


class EnvelopeError(BaseModel):
    """The success/data family's error (QBR, TenantSweep, Ninja usage routes)."""

    model_config = ConfigDict(extra="allow", title="ErrorEnvelope")
    success: Literal[False]
    error: ErrorDetail


STATUS_DESCRIPTIONS = {
    400: "Invalid input (the spec's code in the envelope)",
    401: "Authentication required",
    403: "The caller lacks the scope",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict with the current state",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Internal server error",
    502: "The owning service is unreachable",
    503: "Unavailable (a dependency is down or not configured)",
    504: "The owning service did not answer in time",
}


def error_responses(*statuses: int, descriptions: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """``responses=`` documenting each error status a route answers; the app factory gives each the
    envelope schema of the route's family (a route may still pass its own ``model`` for a status)."""
    notes = descriptions or {}
    return {status: {"description": notes.get(status, STATUS_DESCRIPTIONS.get(status, "Error"))} for status in statuses}


def binary_response(*media_types: str, description: str = "The file") -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a download: the 200 answer is a file of one of ``media_types`` (use with
    ``response_class=Response`` so FastAPI does not also claim ``application/json``)."""
    content = {media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in media_types}
    return {200: {"description": description, "content": content}}


def _schema_of(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return schema, schema.pop("$defs", {})


ERROR_SCHEMA_NAMES = {False: "Error", True: "ErrorEnvelope"}
_REMOVED_COMPONENTS = ("HTTPValidationError", "ValidationError")


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter is omitted, never null: ``anyOf: [X, null]`` documents as ``X``."""
    options = schema.get("anyOf")
    if not isinstance(options, list) or {"type": "null"} not in options:
        return schema
    rest = [option for option in options if option != {"type": "null"}]
    if len(rest) != 1:
        return schema
    return {**rest[0], **{key: value for key, value in schema.items() if key != "anyOf"}}


def finish_openapi(document: dict[str, Any], *, edge_statuses: tuple[int, ...] = ()) -> dict[str, Any]:
    """Make a generated document say what the API answers: no FastAPI 422 (validation is a 400 in the
    route's envelope), a 400 on every operation that takes input, every error status with its family's
    envelope schema, and ``edge_statuses`` (what the gateway itself may answer) on every operation."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (BareError, EnvelopeError):
        schema, definitions = _schema_of(model)
        components.update(definitions)
        components[str(model.model_config.get("title"))] = schema
    for path, item in document.get("paths", {}).items():
        family = family_of(path)
        ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAMES[family.success_data]}"}
        for method, operation in item.items():
            if not isinstance(operation, dict) or method not in ("get", "put", "post", "delete", "patch"):
                continue
            for key in (CODE_KEY, MALFORMED_CODE_KEY, MISSING_BODY_CODE_KEY):
                operation.pop(key, None)
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _without_null(parameter.get("schema", {}))
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            takes_input = bool(operation.get("parameters")) or "requestBody" in operation
            wanted = [*edge_statuses, *((400,) if takes_input else ()), *((413,) if "requestBody" in operation else ())]
            for status in wanted:
                responses.setdefault(str(status), {"description": STATUS_DESCRIPTIONS.get(status, "Error")})
            for status, response in responses.items():
                if status[:1] in ("4", "5") and "content" not in response:
                    response["content"] = {"application/json": {"schema": dict(ref)}}
    text = json.dumps(document)
    for name in _REMOVED_COMPONENTS:
        if f'"#/components/schemas/{name}"' not in text:
            components.pop(name, None)
    return document
