"""From a ThreatLocker computer row to one snapshot row (pure functions, no I/O).

``computerName`` often reads ``"HOST | User or note"`` and ``hostname`` may carry a domain; both
become the one clean hostname and match key of ``hub_shared.hostnames``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from hub_shared.hostnames import clean_hostname


def parse_timestamp(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    # ThreatLocker's timestamps are UTC even when they carry no zone.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_int(value: Any) -> int | None:
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def map_computer(raw: Mapping[str, Any], *, snapshot_date: date) -> tuple[Any, ...]:
    """One row in ``models.snapshot_devices`` column order."""
    raw_hostname = raw.get("hostname")
    hostname = clean_hostname(raw_hostname) or clean_hostname(raw.get("computerName"))
    return (
        snapshot_date,
        str(raw["computerId"]),
        raw.get("computerName"),
        raw_hostname,
        hostname,
        hostname.lower(),
        raw.get("organizationId"),
        raw.get("organization") or raw.get("organizationName"),
        raw.get("group") or raw.get("computerGroupName"),
        raw.get("computerGroupId"),
        parse_int(raw.get("osType")),
        raw.get("operatingSystem"),
        raw.get("mode") or raw.get("action"),
        raw.get("threatLockerVersion"),
        parse_timestamp(raw.get("lastCheckin")),
        raw.get("lastCheckinIPAddress"),
        parse_timestamp(raw.get("dateAdded")),
        parse_int(raw.get("denyCountOneDay")),
        parse_int(raw.get("denyCountThreeDays")),
        parse_int(raw.get("denyCountSevenDays")),
        raw.get("username"),
        raw.get("isIsolated"),
        raw.get("isLockDownMode"),
        raw.get("isTamperProtectionDisabled"),
    )
