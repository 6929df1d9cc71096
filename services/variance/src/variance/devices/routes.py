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
from variance.devices import service
from variance.web import Session, parse_int

router = APIRouter(prefix="/api/devices", tags=["devices"])
VENDORS = {"ninja": "ninja", "threatlocker": "threatlocker"}
MAX_LIMIT = 200


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
    return await service.search(session, term, chosen, size)
