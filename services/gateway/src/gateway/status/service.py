"""``/api/status``: data freshness per vendor, collector health, warnings, device and exception counts.

Field names and freshness rules follow ``reference/response-shapes.md`` §1 with its defects fixed: the
vendor is called "ThreatLocker", warnings read naturally, the failure count is not capped, timestamps
are RFC 3339 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.collectors import service as runs
from gateway.status import repository as repo
from hub_shared.snapshots import latest_common_snapshot_date
from hub_shared.timefmt import rfc3339

REPORT_WINDOW_DAYS = 7
COLLECTOR_LABELS = {"ninja-collector": "Ninja", "threatlocker-collector": "ThreatLocker"}


def freshness(latest: date | None, today: date) -> dict[str, Any]:
    if latest is None:
        return {
            "latest_date": None,
            "freshness_status": "no_data",
            "freshness_message": "No data available",
            "days_old": None,
        }
    days = (today - latest).days
    if days <= 0:
        status, message = "current", "Data is current"
    elif days == 1:
        status, message = "yesterday", "Data is from yesterday"
    else:
        status, message = ("stale" if days <= 3 else "very_stale"), f"Data is {days} days old"
    return {
        "latest_date": latest.isoformat(),
        "freshness_status": status,
        "freshness_message": message,
        "days_old": max(days, 0),
    }


def data_status(common: date | None, today: date) -> dict[str, Any]:
    if common is None:
        return {
            "status": "out_of_sync",
            "message": "No matching data found between vendors",
            "latest_date": None,
        }
    days = (today - common).days
    if days <= 1:
        return {"status": "current", "message": "Data is current", "latest_date": common.isoformat()}
    return {"status": "stale_data", "message": f"Data is {days} days old", "latest_date": common.isoformat()}


async def system_status(session: AsyncSession, today: date) -> dict[str, Any]:
    vendor_status: dict[str, Any] = {}
    device_counts: dict[str, int] = {}
    warnings: list[str] = []
    for vendor, view in repo.VENDOR_VIEWS.items():
        latest = await repo.latest_snapshot(session, view)
        vendor_status[vendor] = freshness(latest[0] if latest else None, today)
        if latest is None:
            device_counts[vendor] = 0
        elif vendor == "Ninja":
            device_counts[vendor] = await repo.ninja_counted_devices(session, latest[0])
        else:
            device_counts[vendor] = latest[1]
        state = vendor_status[vendor]
        if state["freshness_status"] == "no_data":
            warnings.append(f"{vendor} has no data yet")
        elif state["freshness_status"] in ("stale", "very_stale"):
            warnings.append(f"{vendor} data is {state['days_old']} days old")

    failures = await runs.recent_failures(session, datetime.now(UTC) - timedelta(hours=24))
    recent = [
        {
            "collector": COLLECTOR_LABELS.get(job["job_name"], job["job_name"]),
            "job_name": job["job_name"],
            "job_id": job["job_id"],
            "status": job["status"],
            "message": job["message"],
            "error": job["error"],
            "started_at": rfc3339(job["started_at"]) if job["started_at"] else None,
            "ended_at": rfc3339(job["ended_at"]) if job["ended_at"] else None,
        }
        for job in failures
    ]
    if recent:
        names = sorted({failure["collector"] for failure in recent})
        warnings.append(f"Recent collector failures: {', '.join(names)}")

    common = await latest_common_snapshot_date(session, today - timedelta(days=REPORT_WINDOW_DAYS))
    status = data_status(common, today)
    if status["status"] != "current":
        warnings.append(status["message"])
    exceptions = await repo.open_exception_counts(session)
    counts = exceptions or {}
    return {
        "data_status": status,
        "device_counts": device_counts,
        "vendor_status": vendor_status,
        "collector_health": {
            "has_recent_failures": bool(recent),
            "recent_failures": recent,
            "total_failures_last_24h": len(recent),
        },
        "warnings": warnings,
        "has_warnings": bool(warnings),
        "exception_counts": counts,
        "total_exceptions": sum(counts.values()),
        "generated_at": rfc3339(datetime.now(UTC)),
    }
