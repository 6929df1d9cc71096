"""What every variance repository's SQL shares (no I/O): the catalogue's states, type codes and the
collector's name as bind parameters, and LIKE patterns with their wildcards taken literally.

SQL never spells a lifecycle state or a type code: it writes ``{state(ACTIVE)}`` or
``{type_code("DUPLICATE_TL")}``, which render ``CAST(:state_active AS text)``, and passes
``CATALOG_PARAMS`` with its own parameters (``bind(...)``). Renaming a state in ``catalog.py`` therefore
changes every statement at once, and a typo fails at once (an unknown name raises here).
"""

from __future__ import annotations

from typing import Any

from variance.catalog import BY_CODE, COLLECTOR_ACTOR, STATUSES, VARIANCE_TYPES

STATE_PARAMS: dict[str, str] = {f"state_{status}": status for status in STATUSES}
TYPE_PARAMS: dict[str, str] = {f"type_{kind.code.lower()}": kind.code for kind in VARIANCE_TYPES}
CATALOG_PARAMS: dict[str, Any] = {**STATE_PARAMS, **TYPE_PARAMS, "collector": COLLECTOR_ACTOR}
COLLECTOR = "CAST(:collector AS text)"
# ``NOTIFY`` channel of report changes (the lifecycle sends, ``reports.tracker`` listens).
REPORT_CHANGES_CHANNEL = "variance_reports"


def state(status: str) -> str:
    """A lifecycle state as a bound parameter (``CAST(:state_active AS text)``)."""
    if status not in STATUSES:
        raise KeyError(status)
    return f"CAST(:state_{status} AS text)"


def states(*statuses: str) -> str:
    """Several states, for ``IN (...)``."""
    return ", ".join(state(status) for status in statuses)


def type_code(code: str) -> str:
    """A variance type code as a bound parameter (``CAST(:type_duplicate_tl AS text)``)."""
    if code not in BY_CODE:
        raise KeyError(code)
    return f"CAST(:type_{code.lower()} AS text)"


def bind(params: dict[str, Any] | None = None, /, **more: Any) -> dict[str, Any]:
    """A statement's parameters with the catalogue's (unused ones are ignored by the driver)."""
    return {**CATALOG_PARAMS, **(params or {}), **more}


def like_pattern(value: str) -> str:
    """A substring pattern with LIKE's wildcards taken literally (use with ``ESCAPE '\\'``)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
