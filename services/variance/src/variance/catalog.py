"""The variance vocabulary (pure, no I/O): type codes, report keys, actions, lifecycle states, data status.

Type codes and report keys follow ``reference/response-shapes.md`` §0.5 and ``domain-rules.md``; the
export's ``variance_type`` accepts either form (the replaced system compared the spec's report keys
with the codes and exported nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class VarianceType:
    code: str
    report_key: str
    label: str
    action: str


VARIANCE_TYPES: tuple[VarianceType, ...] = (
    VarianceType(
        "MISSING_NINJA", "missing_in_ninja", "Missing in Ninja", "Add device to Ninja or remove from ThreatLocker"
    ),
    VarianceType(
        "DUPLICATE_TL", "threatlocker_duplicates", "ThreatLocker Duplicates", "Remove duplicate ThreatLocker entries"
    ),
    VarianceType("DUPLICATE_NINJA", "ninja_duplicates", "Ninja Duplicates", "Remove duplicate Ninja entries"),
    VarianceType(
        "SPARE_MISMATCH",
        "devices_that_should_not_have_threatlocker",
        "Spares with ThreatLocker",
        "Remove ThreatLocker from spare devices or update billing status",
    ),
    VarianceType(
        "DISPLAY_NAME_MISMATCH",
        "display_name_mismatches",
        "Display Name Mismatches",
        "Investigate - Reconcile naming differences",
    ),
    VarianceType("SITE_MISMATCH", "site_mismatches", "Site Mismatches", "Reconcile site assignments between vendors"),
)
TYPE_CODES: tuple[str, ...] = tuple(kind.code for kind in VARIANCE_TYPES)
BY_CODE: dict[str, VarianceType] = {kind.code: kind for kind in VARIANCE_TYPES}
BY_REPORT_KEY: dict[str, VarianceType] = {kind.report_key: kind for kind in VARIANCE_TYPES}

# Lifecycle states of an exception (identity = type + key, kept across days).
ACTIVE = "active"
RESOLVED = "resolved"
MANUALLY_FIXED = "manually_fixed"
COLLECTOR_VERIFIED = "collector_verified"
STALE = "stale"
STATUSES: tuple[str, ...] = (ACTIVE, RESOLVED, MANUALLY_FIXED, COLLECTOR_VERIFIED, STALE)
# Who the checks act as in the history (``actor``, and ``actor_source`` of their transitions).
COLLECTOR_ACTOR = "collector"
COLLECTOR_SOURCE = "collector"


class UnknownVarianceType(ValueError):
    pass


def unknown_variance_type(text: str) -> str:
    """What an unknown ``variance_type`` (or ``type``) answers."""
    allowed = ", ".join(("all", *BY_REPORT_KEY))
    return f"Unknown variance_type '{text}'. Use one of: {allowed} (or a type code: {', '.join(TYPE_CODES)})"


def parse_variance_type(value: str | None) -> VarianceType | None:
    """``all``/empty → no filter; a report key or a type code (any case) → that type; else an error."""
    text = (value or "").strip()
    if not text or text.lower() == "all":
        return None
    found = BY_REPORT_KEY.get(text.lower()) or BY_CODE.get(text.upper())
    if found is None:
        raise UnknownVarianceType(unknown_variance_type(text))
    return found


def is_resolved(status: str) -> bool:
    return status != ACTIVE


# ----------------------------------------------------------------------------------------- data status

CURRENT_MAX_DAYS = 1


def data_status(latest: date | None, today: date) -> dict[str, Any]:
    """``DataStatus`` of response-shapes §0.5; ``out_of_sync`` is a status to display, not an error."""
    if latest is None:
        return {"status": "out_of_sync", "message": "No matching data found between vendors", "latest_date": None}
    days = (today - latest).days
    if days <= CURRENT_MAX_DAYS:
        return {"status": "current", "message": "Data is current", "latest_date": latest.isoformat()}
    return {"status": "stale_data", "message": f"Data is {days} days old", "latest_date": latest.isoformat()}


def historical_status(report_date: date) -> dict[str, Any]:
    day = report_date.isoformat()
    return {"status": "historical", "message": f"Historical data for {day}", "latest_date": day}


def date_quality(days_old: int) -> str:
    """``data_quality`` of an available date: current (≤ 1 day), recent (≤ 3), else stale."""
    if days_old <= 1:
        return "current"
    if days_old <= 3:
        return "recent"
    return "stale"
