"""Ninja usage changes between two dates as the spec shows them (no SQL, no HTTP).

``by_organization`` is sorted by name and leaves out the MSP's own organisations
(``HUB_INTERNAL_ORGANIZATIONS``, one setting shared with QBR); the summary still counts them. With an
organisation filter, only devices that were in that organisation on either date count, and the
breakdown shows that organisation alone.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.errors import ApiError
from variance.settings import VarianceSettings
from variance.usage import repository as repo

VENDOR_ID = 3  # the spec's value (the replaced code sent 2)
VENDOR_NAME = "Ninja"


def billing(spare: bool | None) -> str:
    return "spare" if spare else "billable"


def summary_view(row: RowMapping) -> dict[str, Any]:
    start, end = int(row["start_total"]), int(row["end_total"])
    return {
        "start_total_devices": start,
        "end_total_devices": end,
        "net_change": end - start,
        "changes": {
            "added": int(row["added"]),
            "removed": int(row["removed"]),
            "org_changed": int(row["org_changed"]),
            "billing_changed": int(row["billing_changed"]),
        },
    }


def by_organization_view(
    rows: Iterable[RowMapping], internal: Iterable[str], organization: str | None
) -> dict[str, dict[str, int]]:
    skipped = {name.strip().lower() for name in internal}
    wanted = organization.strip().lower() if organization else None
    result: dict[str, dict[str, int]] = {}
    for row in rows:
        name = row["org"]
        if name.strip().lower() in skipped or (wanted is not None and name.strip().lower() != wanted):
            continue
        result[name] = {
            key: int(row[key])
            for key in ("start_count", "end_count", "added", "removed", "org_in", "org_out", "billing_changed")
        }
    return dict(sorted(result.items(), key=lambda item: item[0].lower()))


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _names(row: RowMapping) -> dict[str, Any]:
    return {
        "device_identity_id": row["id"],
        "hostname": row["hostname"],
        "display_name": row["display_name"],
        "ninja_hostname": row["hostname"],
        "threatlocker_hostname": row["tl_hostname"],
        "ninja_display_name": row["display_name"],
        "threatlocker_display_name": row["tl_display_name"],
    }


def changes_view(rows: Iterable[RowMapping]) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {"added": [], "removed": [], "org_changed": [], "billing_changed": []}
    for row in rows:
        change = row["change"]
        if change == "added":
            entry = {
                **_names(row),
                "organization_name": row["e_org"],
                "device_type": row["device_type"],
                "billing_status": billing(row["e_spare"]),
                "location_name": row["e_location"],
                "change_date": _date(row["change_date"]),
            }
        elif change == "removed":
            entry = {
                **_names(row),
                "organization_name": row["s_org"],
                "device_type": row["device_type"],
                "billing_status": billing(row["s_spare"]),
                "location_name": row["s_location"],
                "last_seen_date": _date(row["last_seen_date"]),
            }
        elif change == "org_changed":
            entry = {
                **_names(row),
                "from_organization": row["s_org"],
                "to_organization": row["e_org"],
                "device_type": row["device_type"],
                "billing_status": billing(row["e_spare"]),
                "from_billing_status": billing(row["s_spare"]),
                "location_name": row["e_location"],
                "change_date": _date(row["change_date"]),
            }
        else:
            entry = {
                **_names(row),
                "organization_name": row["e_org"],
                "device_type": row["device_type"],
                "from_billing_status": billing(row["s_spare"]),
                "to_billing_status": billing(row["e_spare"]),
                "location_name": row["e_location"],
                "change_date": _date(row["change_date"]),
            }
        result[change].append(entry)
    return result


def metadata(
    query_ms: int, detail_level: str, retention_days: int, organization: str | None, internal: list[str]
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "vendor_id": VENDOR_ID,
        "vendor_name": VENDOR_NAME,
        "query_time_ms": query_ms,
        "detail_level": detail_level,
        "data_retention_note": f"Device-level data available for last {retention_days} days",
        "excluded_organizations": internal,
        "vm_guests_excluded": True,
    }
    if organization:
        meta["organization_filter"] = organization
    return meta


async def usage_changes(
    session: AsyncSession,
    settings: VarianceSettings,
    start: date,
    end: date,
    level: str,
    organization: str | None,
    started: float,
) -> dict[str, Any]:
    """The ``data`` of a usage-changes answer (404 ``NO_DATA`` when a date has no device-level rows);
    ``started`` is the request's ``perf_counter`` (``metadata.query_time_ms``)."""
    for name, day in (("start_date", start), ("end_date", end)):
        if not await repo.has_device_data(session, day):
            raise ApiError(404, f"No Ninja data available for {name}: {day.isoformat()}", code="NO_DATA")
    totals = await repo.summary(session, start, end, organization)
    organizations = await repo.by_organization(session, start, end, organization)
    data: dict[str, Any] = {
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "summary": summary_view(totals),
        "by_organization": by_organization_view(organizations, settings.internal_organizations, organization),
    }
    if level == "full":
        data["changes"] = changes_view(await repo.changes(session, start, end, organization))
    data["metadata"] = metadata(
        int((time.perf_counter() - started) * 1000),
        level,
        settings.variance_retention_days,
        organization,
        settings.internal_organizations,
    )
    return data


async def available_dates(session: AsyncSession, start: date, end: date) -> list[date]:
    return await repo.available_dates(session, start, end)
