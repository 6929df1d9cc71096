"""Device search across both vendors: ``GET /api/devices/search?q=&vendor=&limit=`` (bare family).

Fixed against the replaced system: each vendor is searched in its own newest snapshot (one vendor's
older date no longer hides it), ``%`` and ``_`` in ``q`` are literal, a bad ``vendor`` or ``limit`` is a
400. Results are grouped by canonical key (the match key cut to 15 characters, so a NetBIOS-truncated
Ninja name and the full ThreatLocker name land together), and every entry carries both vendors'
hostnames and display names when the group has them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hub_shared.errors import ApiError
from hub_shared.hostnames import NETBIOS_LENGTH, clean_hostname, match_key
from variance.devices import repository as repo
from variance.exceptions.repository import like_pattern
from variance.web import Session, parse_int

router = APIRouter(prefix="/api/devices", tags=["devices"])
VENDORS = {"ninja": "ninja", "threatlocker": "threatlocker"}
MAX_LIMIT = 200
TRUNCATION_WARNING = "Some hostnames may be truncated due to Ninja 15-character limit"


def _entry(row: Any) -> dict[str, Any]:
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


@router.get("/search", summary="Find devices by hostname in both vendors' newest snapshots")
async def search_devices(
    session: Session,
    q: Annotated[str | None, Query(max_length=200)] = None,
    vendor: Annotated[str | None, Query()] = None,
    limit: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    term = (q or "").strip()
    if not term:
        raise ApiError(400, "Search term (q) is required")
    chosen = None
    if vendor is not None and vendor.strip():
        chosen = VENDORS.get(vendor.strip().lower())
        if chosen is None:
            raise ApiError(400, "Invalid vendor: use ninja or threatlocker")
    size = min(parse_int(limit, "limit", default=50, minimum=1), MAX_LIMIT)
    host = clean_hostname(term) or term
    rows = await repo.search(
        session, pattern=like_pattern(host), key=match_key(term) or term.lower(), vendor=chosen, limit=size + 1
    )
    truncated_results = len(rows) > size
    entries = [_entry(row) for row in rows[:size]]
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
