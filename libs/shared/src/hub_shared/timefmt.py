"""How the hub writes and reads moments and days — no HTTP here, so logic modules can use it freely."""

from __future__ import annotations

from datetime import UTC, date, datetime


def rfc3339(moment: datetime) -> str:
    """Every timestamp the hub emits: UTC, with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso_date(text: str) -> date:
    """A calendar day spelled exactly ``YYYY-MM-DD`` (``ValueError`` otherwise: no week dates, no ``20261201``)."""
    text = text.strip()
    if len(text) != 10:
        raise ValueError(text)
    return date.fromisoformat(text)
