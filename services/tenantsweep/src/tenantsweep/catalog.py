"""TenantSweep's fixed values and the checks every piece of input goes through (plain functions, no I/O).

- Audit status: ``running`` → ``completed`` | ``failed`` (a finished audit never changes again).
- Finding severity: ``Critical``, ``High``, ``Medium``, ``Low``, ``Info`` — matched in any case, stored in
  this canonical case, and always ordered by this rank (never alphabetically, as the replaced system did).
- Finding status: ``pass``, ``fail``, ``warning``, ``error`` — matched in any case, stored lower-case.
  ``fail`` and ``warning`` are *failing* (an issue to address); ``error`` means the check could not run,
  so it says nothing about whether an earlier failure was fixed.

Text that PostgreSQL cannot store (NUL characters, lone surrogates from ``\\ud800`` escapes), JSON numbers
it cannot store (NaN, infinities) and absurdly deep JSON are refused here as input errors, so they are a
400 and never reach the database as a crash.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from hub_shared.storable import storable_text, unstorable_json

RUNNING, COMPLETED, FAILED = "running", "completed", "failed"
AUDIT_STATUSES: tuple[str, ...] = (RUNNING, COMPLETED, FAILED)
FINISHED_STATUSES = frozenset({COMPLETED, FAILED})

SEVERITIES: tuple[str, ...] = ("Critical", "High", "Medium", "Low", "Info")
SEVERITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}
_SEVERITY_BY_LOWER = {name.lower(): name for name in SEVERITIES}

FINDING_STATUSES: tuple[str, ...] = ("pass", "fail", "warning", "error")
FAILING_STATUSES: tuple[str, ...] = ("fail", "warning")

AUDIT_STATUS_MESSAGE = f"Status must be one of: {', '.join(AUDIT_STATUSES)}"
SEVERITY_MESSAGE = f"Severity must be one of: {', '.join(SEVERITIES)}"
FINDING_STATUS_MESSAGE = f"Status must be one of: {', '.join(FINDING_STATUSES)}"

# Limits on stored text and JSON; generous for real scanner output, small enough to keep rows sane.
MAX_NAME = 255
MAX_CHECK_ID = 200
MAX_CHECK_NAME = 500
MAX_VALUE_TEXT = 50_000
MAX_ERROR_MESSAGE = 10_000
MAX_JSON_DEPTH = 32
MAX_DETAILS_CHARS = 1_000_000
MAX_SUMMARY_CHARS = 100_000


class InputError(ValueError):
    """Input the spec refuses with 400; ``code`` is the spec's error code, ``field`` what was wrong."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def clean_text(
    value: Any,
    field: str,
    *,
    max_length: int,
    required: bool = False,
    strip: bool = True,
    missing_code: str = "MISSING_FIELDS",
    missing_message: str | None = None,
) -> str | None:
    """A text field: a string (or null when optional), storable, within ``max_length`` characters.

    Identifiers and names are trimmed (``strip``); free text (values, recommendations) is kept as sent.
    """
    if value is None:
        if required:
            raise InputError(missing_code, missing_message or f"{field} is required", field)
        return None
    if not isinstance(value, str):
        raise InputError("INVALID_DATA", f"{field} must be a string", field)
    text = value.strip() if strip else value
    if required and not text.strip():
        raise InputError(missing_code, missing_message or f"{field} is required", field)
    if not storable_text(text):
        raise InputError("INVALID_DATA", f"{field} contains characters that cannot be stored (NUL or invalid)", field)
    if len(text) > max_length:
        raise InputError("INVALID_DATA", f"{field} is longer than {max_length} characters", field)
    return text


def clean_name(value: Any, field: str, *, max_length: int, **kwargs: Any) -> str | None:
    """A tenant name: trimmed text in Unicode NFC, so "Müller" typed on any keyboard is one tenant. The
    length limit applies to the name as stored (NFC), not as typed: a decomposed "Müller" (7 code points)
    is the stored 6, and a few characters (e.g. U+0958) grow under NFC."""
    # NFC at most triples a text's length, so a text 4 times over the limit cannot fit once normalised.
    text = clean_text(value, field, max_length=max_length * 4, **kwargs)
    if text is None:
        return None
    name = unicodedata.normalize("NFC", text)
    if len(name) > max_length:
        raise InputError("INVALID_DATA", f"{field} is longer than {max_length} characters", field)
    return name


def clean_json_object(value: Any, field: str, *, max_chars: int) -> dict[str, Any] | None:
    """A JSON object (or null) that PostgreSQL's ``jsonb`` will accept, within ``max_chars`` serialized."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InputError("INVALID_DATA", f"{field} must be a JSON object or null", field)
    reason = unstorable_json(value, max_depth=MAX_JSON_DEPTH)
    if reason is not None:
        raise InputError("INVALID_DATA", f"{field} {reason}", field)
    if len(dump_json(value)) > max_chars:
        raise InputError("INVALID_DATA", f"{field} is larger than {max_chars} characters of JSON", field)
    return value


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_audit_status(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in AUDIT_STATUSES:
        return value.strip().lower()
    raise InputError("INVALID_STATUS", AUDIT_STATUS_MESSAGE, "status")


def parse_severity(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in _SEVERITY_BY_LOWER:
        return _SEVERITY_BY_LOWER[value.strip().lower()]
    raise InputError("INVALID_SEVERITY", SEVERITY_MESSAGE, "severity")


def parse_finding_status(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in FINDING_STATUSES:
        return value.strip().lower()
    raise InputError("INVALID_STATUS", FINDING_STATUS_MESSAGE, "status")


def parse_severity_filter(value: str | None) -> tuple[str, ...] | None:
    """``?severity=`` as canonical severities: one name or a comma-separated list (any case); None = all."""
    if value is None or not value.strip():
        return None
    chosen = {parse_severity(part) for part in value.split(",") if part.strip()}
    return tuple(sorted(chosen, key=SEVERITY_RANK.__getitem__)) or None


def is_failing(status: str | None) -> bool:
    return status in FAILING_STATUSES
