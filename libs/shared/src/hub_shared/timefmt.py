"""How the hub writes and reads moments and days — no HTTP here, so logic modules can use it freely."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def rfc3339(moment: datetime) -> str:
    """Every timestamp the hub emits: UTC, with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso_date(text: str) -> date:
    """A calendar day spelled exactly ``YYYY-MM-DD``, blanks around it ignored (``ValueError`` otherwise: no
    week dates, no ``20261201``, no timestamps)."""
    text = text.strip()
    if not _DAY.fullmatch(text):
        raise ValueError(f"{text[:40]!r} is not a YYYY-MM-DD date")
    return date.fromisoformat(text)
