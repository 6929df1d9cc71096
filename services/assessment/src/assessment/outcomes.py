"""What an assessment outcome is, independent of storage and HTTP: the verdict names, the counts a run
reports (and how they add up), the compatibility rate, and how a requirement result is stored and shown.
Pure functions only; the runs and results domains share them."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from assessment.readiness import ALREADY_INSTALLED_REQUIREMENT, RequirementResult, Verdict

COMPATIBLE = Verdict.COMPATIBLE.value
AFTER_FIX = Verdict.COMPATIBLE_AFTER_FIX.value
INCOMPATIBLE = Verdict.INCOMPATIBLE.value
NOT_ASSESSED = Verdict.NOT_ASSESSED.value

COUNT_KEYS: tuple[str, ...] = (
    "total_windows_devices",
    "total_compatible_devices",
    "already_compatible_devices",
    "compatible_for_upgrade_devices",
    "compatible_after_fix_devices",
    "incompatible_devices",
    "not_assessed_devices",
    "excluded_devices",
)


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


def compatibility_rate(counts: Mapping[str, int]) -> float | int:
    """Compatible ÷ Windows devices × 100, one decimal; the integer 0 when there are none (as the spec)."""
    total = counts.get("total_windows_devices", 0)
    if not total:
        return 0
    return round(counts.get("total_compatible_devices", 0) * 100 / total, 1)


# ---------------------------------------------------------------------------------- stored results

# The spec's words for requirement statuses (response-shapes.md §6).
RESPONSE_STATUS = {"passed": "PASS", "failed": "FAIL", "insufficient_data": "ERROR"}


def requirement_row(result: RequirementResult) -> dict[str, Any]:
    """The stored form of one requirement result; its id is a hash of the content."""
    row: dict[str, Any] = {
        "key": result.key,
        "requirement": result.requirement,
        "status": result.status.value,
        "current_value": result.current_value,
        "required_value": result.required_value,
        "reason": result.reason,
        "remediation": result.remediation,
        "fixable": result.fixable,
    }
    content = "\x1f".join(str(row[name]) for name in sorted(row))
    digest = hashlib.md5(content.encode(), usedforsecurity=False).digest()
    row["result_id"] = int.from_bytes(digest[:8], "big", signed=True)
    return row


def requirement_view(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A stored requirement result in the spec's deficiency / passed-requirement shape (plus key, fixable)."""
    return {
        "requirement": row["requirement"],
        "status": RESPONSE_STATUS[row["status"]],
        "current_value": row["current_value"],
        "required": row["required_value"],
        "reason": row["reason"],
        "remediation": row["remediation"],
        "key": row["key"],
        "fixable": row["fixable"],
    }


def already_installed_requirement(release: str | None) -> dict[str, Any]:
    """The passed requirement the replaced system gave devices already on 24H2 (status counts it)."""
    current = release or "24H2"
    return {
        "requirement": ALREADY_INSTALLED_REQUIREMENT,
        "status": "PASS",
        "current_value": current,
        "required": "Windows 11 24H2 or newer",
        "reason": f"Windows 11 {current} is already installed",
        "remediation": None,
        "key": "already_installed",
        "fixable": False,
    }
