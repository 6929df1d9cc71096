"""Device search across both vendors' newest snapshots (no SQL, no HTTP): entries grouped by canonical
key (the match key cut to 15 characters, so a NetBIOS-truncated Ninja name and the full ThreatLocker
name land together), each carrying both vendors' hostnames and display names when the group has them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.hostnames import NETBIOS_LENGTH, clean_hostname, match_key
from variance.devices import repository as repo

TRUNCATION_WARNING = "Some hostnames may be truncated due to Ninja 15-character limit"


def entry_view(row: Any) -> dict[str, Any]:
    key = row["match_key"]
    ninja = row["vendor"] == "Ninja"
    return {
        "vendor": row["vendor"],
        "hostname": row["hostname"],
        "display_name": row["display_name"],
        "organization_name": row["organization_name"],
        "snapshot_date": row["snapshot_date"].isoformat(),
        "canonical_key": key[:NETBIOS_LENGTH],
        "match_key": key,
        "is_truncated": ninja and len(row["hostname"]) == NETBIOS_LENGTH,
        "device_id": row["device_id"],
        "site": row["site"],
        "device_type": row["device_type"],
        "billing_status": (None if row["is_spare"] is None else "spare" if row["is_spare"] else "billable"),
    }


async def search(session: AsyncSession, term: str, vendor: str | None, size: int) -> dict[str, Any]:
    """``term`` trimmed and non-empty; ``vendor`` ninja, threatlocker or None (both); at most ``size`` entries."""
    host = clean_hostname(term) or term
    rows = await repo.search(session, host=host, key=match_key(term) or term.lower(), vendor=vendor, limit=size + 1)
    truncated_results = len(rows) > size
    entries = [entry_view(row) for row in rows[:size]]
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        groups.setdefault(entry["canonical_key"], []).append(entry)
    for members in groups.values():
        ninja = next((m for m in members if m["vendor"] == "Ninja"), None)
        threatlocker = next((m for m in members if m["vendor"] == "ThreatLocker"), None)
        for member in members:
            member["ninja_hostname"] = ninja["hostname"] if ninja else None
            member["threatlocker_hostname"] = threatlocker["hostname"] if threatlocker else None
            member["ninja_display_name"] = ninja["display_name"] if ninja else None
            member["threatlocker_display_name"] = threatlocker["display_name"] if threatlocker else None
    truncated = sum(1 for entry in entries if entry["is_truncated"])
    return {
        "search_term": term,
        "total_results": len(entries),
        "vendors_found": sorted({entry["vendor"] for entry in entries}),
        "truncated_hostnames": truncated,
        "grouped_by_canonical_key": groups,
        "warning": TRUNCATION_WARNING if truncated else None,
        "results_truncated": truncated_results,
        "limit": size,
    }
