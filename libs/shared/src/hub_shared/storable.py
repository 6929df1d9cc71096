"""What PostgreSQL can store, checked before any SQL runs, so bad input is a 400 rather than a 500."""

from __future__ import annotations

import math
from typing import Any


def storable_text(value: str) -> bool:
    """Whether PostgreSQL can hold ``value`` as text: no NUL character and no lone surrogate (a JSON
    ``\\ud800`` escape has no UTF-8 form). Either would make the database fail the request."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_json(value: Any, *, max_depth: int | None = None) -> str | None:
    """Why ``jsonb`` could not hold ``value`` (a text or key it cannot store, a non-finite number, nesting
    deeper than ``max_depth``), or None when it can. Walked iteratively: hostile nesting cannot exhaust
    Python's recursion limit."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if max_depth is not None and depth > max_depth:
            return f"is nested more than {max_depth} levels deep"
        if isinstance(item, str):
            if not storable_text(item):
                return "contains text that cannot be stored (NUL or an unpaired surrogate)"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "contains NaN or Infinity, which are not valid JSON numbers"
        elif isinstance(item, dict):
            for key, child in item.items():
                if not storable_text(key):
                    return "contains a key that cannot be stored (NUL or an unpaired surrogate)"
                pending.append((child, depth + 1))
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
    return None
