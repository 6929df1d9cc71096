"""The notifier's vocabulary and pure rules (no I/O): conditions, severities, items, which rule wants
which item, quiet hours and digest periods, and the neutral message every channel renders.

An *item* is one thing a condition is about — an exception, a device, a vendor's collection — as a JSON
object ``{"key", "condition", "severity", "organization", "title", "details"}``. A condition *starts* for
an item when the item becomes active; only started items are notified (never every run).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

Severity = Literal["info", "warning", "critical"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "critical")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

Condition = Literal[
    "new_exceptions",
    "collection_failed",
    "sync_refused",
    "data_stale",
    "windows11_incompatible",
    "tenantsweep_regression",
]


@dataclass(frozen=True)
class ConditionInfo:
    name: Condition
    label: str
    severity: Severity
    description: str


CONDITIONS: dict[str, ConditionInfo] = {
    info.name: info
    for info in (
        ConditionInfo(
            "new_exceptions",
            "New variance exceptions",
            "warning",
            "Exceptions that appear in a variance report and were not in the previous one (by type, organisation)",
        ),
        ConditionInfo(
            "collection_failed",
            "Collection or job failed",
            "critical",
            "A collector or follow-up job failed; alerts again only after a success in between",
        ),
        ConditionInfo(
            "sync_refused",
            "Sync refused as incomplete",
            "warning",
            "A vendor's answer looked incomplete, so the previous snapshot was kept",
        ),
        ConditionInfo(
            "data_stale",
            "Data went stale",
            "critical",
            "No snapshot from a vendor for longer than NOTIFIER_STALE_HOURS",
        ),
        ConditionInfo(
            "windows11_incompatible",
            "Devices newly Windows 11 incompatible",
            "info",
            "Windows devices the latest assessment finds incompatible that the previous one did not",
        ),
        ConditionInfo(
            "tenantsweep_regression",
            "TenantSweep new failures or worse severity",
            "warning",
            "A finished audit with checks failing that passed before, or failing at a worse severity",
        ),
    )
}

# TenantSweep severities → ours.
FINDING_SEVERITY: dict[str, Severity] = {
    "Critical": "critical",
    "High": "critical",
    "Medium": "warning",
    "Low": "warning",
    "Info": "info",
}
FINDING_RANK = {"Info": 0, "Low": 1, "Medium": 2, "High": 3, "Critical": 4}


def item(
    condition: str,
    key: str,
    *,
    title: str,
    severity: Severity | None = None,
    organization: str | None = None,
    details: Mapping[Any, Any] | None = None,
) -> dict[str, Any]:
    return {
        "key": key,
        "condition": condition,
        "severity": severity or CONDITIONS[condition].severity,
        "organization": organization,
        "title": title,
        "details": dict(details or {}),
    }


def max_severity(items: Iterable[Mapping[Any, Any]]) -> Severity:
    best: Severity = "info"
    for entry in items:
        severity = entry.get("severity", "info")
        if SEVERITY_RANK.get(severity, 0) > SEVERITY_RANK[best]:
            best = severity
    return best


# ----------------------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class RuleView:
    """What the decision needs of a rule (built from its row)."""

    id: int
    name: str
    condition: str
    exception_types: tuple[str, ...] = ()
    organizations_include: tuple[str, ...] = ()
    organizations_exclude: tuple[str, ...] = ()
    severity_min: Severity = "info"
    delivery_mode: Literal["immediate", "digest"] = "immediate"
    quiet_start: time | None = None
    quiet_end: time | None = None
    quiet_allow_critical: bool = True
    snoozed_until: datetime | None = None

    @classmethod
    def of(cls, row: Mapping[Any, Any]) -> RuleView:
        return cls(
            id=int(row["id"]),
            name=str(row["name"]),
            condition=str(row["condition"]),
            exception_types=tuple(row["exception_types"] or ()),
            organizations_include=tuple(row["organizations_include"] or ()),
            organizations_exclude=tuple(row["organizations_exclude"] or ()),
            severity_min=row["severity_min"],
            delivery_mode=row["delivery_mode"],
            quiet_start=row["quiet_start"],
            quiet_end=row["quiet_end"],
            quiet_allow_critical=bool(row["quiet_allow_critical"]),
            snoozed_until=row["snoozed_until"],
        )

    def snoozed(self, now: datetime) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > now


def _fold(text: str | None) -> str:
    return (text or "").strip().casefold()


def rule_wants(rule: RuleView, entry: Mapping[Any, Any]) -> bool:
    """Whether a started item is one this rule notifies about (snoozes are checked separately)."""
    if entry["condition"] != rule.condition:
        return False
    if SEVERITY_RANK.get(entry["severity"], 0) < SEVERITY_RANK[rule.severity_min]:
        return False
    if rule.exception_types:
        wanted = {_fold(kind) for kind in rule.exception_types}
        details = entry.get("details") or {}
        if not ({_fold(details.get("type")), _fold(details.get("report_key"))} & wanted):
            return False
    organization = _fold(entry.get("organization"))
    if rule.organizations_include and organization not in {_fold(org) for org in rule.organizations_include}:
        return False
    return not (rule.organizations_exclude and organization in {_fold(org) for org in rule.organizations_exclude})


def in_quiet_hours(rule: RuleView, now: datetime, zone: ZoneInfo) -> bool:
    if rule.quiet_start is None or rule.quiet_end is None or rule.quiet_start == rule.quiet_end:
        return False
    local = now.astimezone(zone).time().replace(tzinfo=None)
    start, end = rule.quiet_start, rule.quiet_end
    if start < end:
        return start <= local < end
    return local >= start or local < end


def passes_quiet_hours(rule: RuleView, severity: str) -> bool:
    return rule.quiet_allow_critical and severity == "critical"


def digest_boundary(frequency: str, hour: int, now: datetime, zone: ZoneInfo) -> datetime:
    """The latest digest time at or before ``now``: daily at ``hour`` local, weekly on Monday at ``hour``."""
    local = now.astimezone(zone)
    boundary = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if boundary > local:
        boundary -= timedelta(days=1)
    if frequency == "weekly":
        boundary -= timedelta(days=boundary.weekday())
    # Re-localise after the date arithmetic (a DST change in between moves the wall clock otherwise).
    naive = boundary.replace(tzinfo=None)
    return naive.replace(tzinfo=zone).astimezone(UTC)


# ----------------------------------------------------------------------------------------- messages

MAX_MESSAGE_ITEMS = 200


def build_message(
    *,
    kind: str,
    title: str,
    items: Sequence[Mapping[Any, Any]],
    rule: RuleView | None,
    occurred_at: datetime,
    link: str | None = None,
    summary: str | None = None,
) -> dict[str, Any]:
    """The neutral message every channel renders (and the ``data`` of the webhook envelope)."""
    shown = [dict(entry) for entry in items[:MAX_MESSAGE_ITEMS]]
    conditions = sorted({str(entry["condition"]) for entry in items})
    return {
        "kind": kind,
        "title": title,
        "summary": summary or describe(items),
        "severity": max_severity(items) if items else "info",
        "rule": {"id": rule.id, "name": rule.name} if rule else None,
        "conditions": conditions,
        "occurred_at": occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "item_count": len(items),
        "items": shown,
        "truncated": len(items) > len(shown),
        "link": link,
    }


def describe(items: Sequence[Mapping[Any, Any]]) -> str:
    if not items:
        return "Nothing new."
    by_condition: dict[str, int] = {}
    for entry in items:
        by_condition[entry["condition"]] = by_condition.get(entry["condition"], 0) + 1
    parts = [f"{count} × {CONDITIONS[name].label}" for name, count in sorted(by_condition.items())]
    return "; ".join(parts)


def alert_title(rule: RuleView, items: Sequence[Mapping[Any, Any]]) -> str:
    label = CONDITIONS[rule.condition].label
    if len(items) == 1:
        return f"{label}: {items[0]['title']}"
    return f"{label}: {len(items)} items"
