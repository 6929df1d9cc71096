"""Device search across both vendors: ``GET /api/devices/search?q=&vendor=&limit=`` (bare family).

Fixed against the replaced system: each vendor is searched in its own newest snapshot (one vendor's
older date no longer hides it), ``%`` and ``_`` in ``q`` are literal, a bad ``vendor`` or ``limit`` is a
400. Results are grouped by canonical key (the match key cut to 15 characters, so a NetBIOS-truncated
Ninja name and the full ThreatLocker name land together), and every entry carries both vendors'
hostnames and display names when the group has them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from hub_shared.web import Session, error_responses
from variance.devices import service
from variance.devices.schemas import DeviceSearch
from variance.params import bare_error, int_text

router = APIRouter(prefix="/api/devices", tags=["devices"])
MAX_LIMIT = 200
TERM_REQUIRED = "Search term (q) is required"
# Some character that is not blank, and no NUL (PostgreSQL cannot store it).
TERM = r"^[^\x00]*[^\s\x00][^\x00]*$"


@router.get(
    "/search",
    summary="Find devices by hostname in both vendors' newest snapshots",
    response_model=DeviceSearch,
    responses=error_responses(400),
)
async def search_devices(
    session: Session,
    q: Annotated[
        str,
        Query(
            max_length=200,
            pattern=TERM,
            description="Hostname (or part of it); matched case-insensitively, also by canonical key",
            json_schema_extra=bare_error(TERM_REQUIRED, missing=TERM_REQUIRED),
        ),
    ],
    vendor: Annotated[
        Literal["ninja", "threatlocker", "Ninja", "ThreatLocker"] | None,
        Query(
            description="Only this vendor (default both)",
            json_schema_extra=bare_error("Invalid vendor: use ninja or threatlocker"),
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, description=f"At most this many entries (capped at {MAX_LIMIT})"), int_text("limit", 1)
    ] = 50,
) -> DeviceSearch:
    chosen = vendor.lower() if vendor else None
    return DeviceSearch.model_validate(await service.search(session, q.strip() or q, chosen, min(limit, MAX_LIMIT)))
