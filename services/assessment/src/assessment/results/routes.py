"""Windows 11 24H2 routes (bare envelope; ``POST /run`` uses status/flat — response-shapes.md §6).

Counts (``GET /status``): only Windows workstations are in scope; servers, Macs, Linux machines and VM
guests are left out of every count except ``excluded_devices``. The counts always add up:

    total_windows_devices = total_compatible_devices + incompatible_devices + not_assessed_devices
    total_compatible_devices (= compatible_devices) = already_compatible_devices
                                                      + compatible_for_upgrade_devices
    compatible_after_fix_devices ⊆ compatible_for_upgrade_devices

- ``compatible_after_fix`` devices (TPM disabled, or Secure Boot capable but off — a firmware setting,
  "fixable, not incompatible") count as compatible, inside ``compatible_for_upgrade_devices``; they are
  listed by ``/compatible`` with status "Compatible after Fix" and the fix in ``required_fixes``.
- ``not_assessed_devices`` are Windows workstations with insufficient data (TPM fields missing, say);
  never counted compatible. ``/not-assessed`` lists them with what is missing (extra route).
- ``compatibility_rate`` = total_compatible_devices ÷ total_windows_devices × 100, one decimal (the
  integer 0 when there are no devices). The spec's ``compatible_devices`` and the replaced system's
  ``total_compatible_devices`` are both served, with the same value.

Lists: ``/incompatible`` (deficiencies with remediation), ``/compatible`` (passed requirements; devices
already on 24H2 only with ``include_already_installed=true``, as the replaced system left them out) and
``/not-assessed``; each sorted by organisation then hostname, with ``by_organization`` counts, an
optional ``organization`` filter (case-insensitive exact name; "Unknown" for devices without one),
``date`` (an assessed snapshot date, default the latest), ``limit`` and ``offset``. ``total_count`` is
the number of matching devices (not the page), and equals the matching status count. A device that is
incompatible now but was not on the previous assessed date (another verdict, or not there) has
``newly_incompatible: true``; ``GET /status`` counts them. ``GET /history/{device_id}`` (extra route) gives
one device's verdict per assessed date. ``last_assessment`` is when the shown date was last assessed.

Every timestamp is RFC 3339 UTC with ``Z``; device-level ones (``assessment_date``, ``last_contact``,
``last_update``) are whole seconds, as in the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.outcomes import INCOMPATIBLE, already_installed_requirement, compatibility_rate, requirement_view
from assessment.results import service
from assessment.results.schemas import (
    CompatibilityStatus,
    CompatibleList,
    DeviceHistory,
    IncompatibleList,
    NotAssessedList,
)
from assessment.results.service import DeviceList
from hub_shared.errors import ApiError
from hub_shared.timefmt import rfc3339
from hub_shared.web import IsoDay, QueryFlag, Session, error_responses

PREFIX = "/api/windows-11-24h2"
router = APIRouter(prefix=PREFIX, tags=["windows-11-24h2"])

DATA_SOURCE = "Database (NinjaRMM fields populated)"
GiB = 1024**3
MAX_LIMIT = 100_000

DateParam = Annotated[
    IsoDay | None,
    Query(alias="date", description="An assessed snapshot date, YYYY-MM-DD (default: the latest)"),
]
OrganizationParam = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        pattern=r"\S",
        description="Only this organisation (exact name, any case; 'Unknown' for devices without one)",
    ),
]
LimitParam = Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description="Page size (default: all)")]
OffsetParam = Annotated[int, Query(ge=0, le=10_000_000)]
# What a day's route answers besides 200: a bad value, or a date that was never assessed.
DAY_ERRORS = error_responses(400, 404, descriptions={404: "No assessment for that date"})


def parse_organization(value: str | None) -> str | None:
    return None if value is None else value.strip()


def ts(value: datetime | None) -> str | None:
    return rfc3339(value) if value is not None else None


def ts_seconds(value: datetime | None) -> str | None:
    return rfc3339(value.replace(microsecond=0)) if value is not None else None


# ------------------------------------------------------------------------------------------ status


@router.get("/status", summary="Windows 11 24H2 compatibility counts of the latest assessment", responses=DAY_ERRORS)
async def get_status(session: Session, snapshot_date: DateParam = None) -> CompatibilityStatus:
    status = await service.status(session, snapshot_date)
    if snapshot_date is not None and status.run is None:
        raise ApiError(404, f"No Windows 11 24H2 assessment for {snapshot_date.isoformat()}")
    counts = status.counts
    run = status.run
    body = {
        "total_windows_devices": counts["total_windows_devices"],
        "compatible_devices": counts["total_compatible_devices"],
        "total_compatible_devices": counts["total_compatible_devices"],
        "already_compatible_devices": counts["already_compatible_devices"],
        "compatible_for_upgrade_devices": counts["compatible_for_upgrade_devices"],
        "compatible_after_fix_devices": counts["compatible_after_fix_devices"],
        "incompatible_devices": counts["incompatible_devices"],
        "not_assessed_devices": counts["not_assessed_devices"],
        "excluded_devices": counts["excluded_devices"],
        "compatibility_rate": compatibility_rate(counts),
        "last_assessment": ts(run["assessed_at"]) if run is not None else None,
        "snapshot_date": run["snapshot_date"].isoformat() if run is not None else None,
        "previous_assessment_date": status.previous_date.isoformat() if status.previous_date else None,
        "newly_incompatible_devices": status.newly_incompatible,
    }
    return CompatibilityStatus.model_validate(body)


# ------------------------------------------------------------------------------------------- lists

_STATUS_LABELS = {
    "compatible": "Compatible for Upgrade",
    "compatible_after_fix": "Compatible after Fix",
    "incompatible": "Incompatible",
    "not_assessed": "Insufficient Data",
}


def billable_status(row: RowMapping) -> str:
    if row["is_spare"]:
        return "Spare"
    return "Billable" if row["is_billable"] else "Not Billable"


def device_view(
    row: RowMapping, requirements: Mapping[int, RowMapping], run: RowMapping, which: str, has_previous: bool
) -> dict[str, Any]:
    results = [requirement_view(requirements[result_id]) for result_id in row["requirement_ids"]]
    passed = [item for item in results if item["status"] == "PASS"]
    verdict = row["verdict"]
    already = bool(row["already_installed"])
    ram = row["ram_bytes"]
    view: dict[str, Any] = {
        "device_id": row["device_id"],
        "organization": row["organization"],
        "location": row["location_name"] or "Main Office",
        "system_name": row["system_name"] or row["hostname"],
        "hostname": row["hostname"],
        "display_name": row["display_name"] or row["hostname"],
        "device_type": row["device_type"] or "workstation",
        "billable_status": billable_status(row),
        "status": "Already Compatible" if already else _STATUS_LABELS[verdict],
        "verdict": verdict,
        "reason": row["reason"],
        "os_name": row["os_name"],
        "os_build": str(row["os_build"]) if row["os_build"] is not None else None,
        "os_version": row["os_release_id"],
        "os_architecture": row["os_architecture"],
        "snapshot_date": row["snapshot_date"].isoformat(),
        "assessment_date": ts_seconds(run["assessed_at"]),
        "last_update": ts_seconds(row["collected_at"]),
        "last_contact": ts_seconds(row["last_contact"]),
        "cpu_model": row["cpu_model"] or "Unknown",
        # 0 is "not reported", never a machine without memory.
        "memory_gib": round(ram / GiB, 1) if ram else None,
        "system_manufacturer": row["system_manufacturer"] or "Not Available",
        "system_model": row["system_model"] or "Not Available",
    }
    if which == "incompatible":
        view["deficiencies"] = [item for item in results if item["status"] != "PASS"]
        view["previous_verdict"] = row["previous_verdict"]
        view["newly_incompatible"] = has_previous and row["previous_verdict"] != INCOMPATIBLE
    elif which == "compatible":
        view["passed_requirements"] = (
            [already_installed_requirement(row["installed_release"]), *passed] if already else passed
        )
        view["required_fixes"] = [item for item in results if item["status"] == "FAIL" and item["fixable"]]
        view["already_installed"] = already
    else:
        view["deficiencies"] = [item for item in results if item["status"] != "PASS"]
        view["passed_requirements"] = passed
    return view


def list_body(
    listing: DeviceList, which: str, key: str, organization: str | None, limit: int | None, offset: int
) -> dict[str, Any]:
    run = listing.run
    devices = (
        [
            device_view(row, listing.requirements, run, which, listing.previous_date is not None)
            for row in listing.devices
        ]
        if run is not None
        else []
    )
    return {
        key: devices,
        "total_count": listing.total_count,
        "data_source": DATA_SOURCE,
        "last_updated": ts(run["assessed_at"]) if run is not None else rfc3339(datetime.now(UTC)),
        "snapshot_date": run["snapshot_date"].isoformat() if run is not None else None,
        "previous_assessment_date": listing.previous_date.isoformat() if listing.previous_date else None,
        "organization": organization,
        "by_organization": [{"organization": name, "device_count": count} for name, count in listing.by_organization],
        "returned_count": len(devices),
        "limit": limit,
        "offset": offset,
    }


async def _list(
    session: AsyncSession,
    which: str,
    key: str,
    *,
    snapshot_date: date | None,
    organization: str | None,
    limit: int | None,
    offset: int,
    include_already_installed: bool = False,
) -> dict[str, Any]:
    organization = parse_organization(organization)
    listing = await service.device_list(
        session,
        which,
        snapshot_date=snapshot_date,
        organization=organization,
        include_already_installed=include_already_installed,
        limit=limit,
        offset=offset,
    )
    if snapshot_date is not None and listing.run is None:
        raise ApiError(404, f"No Windows 11 24H2 assessment for {snapshot_date.isoformat()}")
    return list_body(listing, which, key, organization, limit, offset)


@router.get(
    "/incompatible", summary="Incompatible Windows devices with deficiencies and remediation", responses=DAY_ERRORS
)
async def get_incompatible(
    session: Session,
    organization: OrganizationParam = None,
    day: DateParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = 0,
) -> IncompatibleList:
    body = await _list(
        session,
        "incompatible",
        "incompatible_devices",
        snapshot_date=day,
        organization=organization,
        limit=limit,
        offset=offset,
    )
    return IncompatibleList.model_validate(body)


@router.get(
    "/compatible", summary="Windows devices compatible for upgrade, with passed requirements", responses=DAY_ERRORS
)
async def get_compatible(
    session: Session,
    organization: OrganizationParam = None,
    day: DateParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = 0,
    include_already_installed: QueryFlag = False,
) -> CompatibleList:
    body = await _list(
        session,
        "compatible",
        "compatible_devices",
        snapshot_date=day,
        organization=organization,
        limit=limit,
        offset=offset,
        include_already_installed=include_already_installed,
    )
    return CompatibleList.model_validate(body)


@router.get("/not-assessed", summary="Windows devices whose data is insufficient to assess", responses=DAY_ERRORS)
async def get_not_assessed(
    session: Session,
    organization: OrganizationParam = None,
    day: DateParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = 0,
) -> NotAssessedList:
    body = await _list(
        session,
        "not_assessed",
        "not_assessed_devices",
        snapshot_date=day,
        organization=organization,
        limit=limit,
        offset=offset,
    )
    return NotAssessedList.model_validate(body)


@router.get(
    "/history/{device_id}",
    summary="One device's verdict per assessed snapshot date",
    responses=error_responses(404, descriptions={404: "The device was never assessed"}),
)
async def get_history(session: Session, device_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> DeviceHistory:
    history = await service.device_history(session, device_id)
    if not history:
        raise ApiError(404, f"No Windows 11 24H2 assessment of device {device_id}")
    return DeviceHistory.model_validate(
        {
            "device_id": device_id,
            "history": [
                {
                    "snapshot_date": row["snapshot_date"].isoformat(),
                    "verdict": row["verdict"],
                    "reason": row["reason"],
                    "assessment_date": ts_seconds(row["assessed_at"]),
                }
                for row in history
            ],
        }
    )
