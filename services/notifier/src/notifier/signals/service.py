"""Evaluating one signal: which items' conditions start (or end) with it, then the rules' decision.

- ``variance.completed``: the report's active exceptions (variance API) are the ``new_exceptions`` set;
  an exception id not in the previous set starts, one gone from it ends (so it may start again later).
- ``assessment.completed``: the incompatible devices (assessment API) are the ``windows11_incompatible`` set.
- ``job.updated`` failed: ``collection_failed`` starts for that job name (``ninja-collector``, …) unless it
  is already failing; a ``completed`` of the same job name ends it.
- ``collection.refused``: ``sync_refused`` starts for the vendor; its next ``snapshot.completed`` ends it
  (and ends ``data_stale``, and records when the vendor last delivered data).
- ``tenantsweep.audit_completed``: the audit compared with the tenant's previous completed audit
  (TenantSweep API); each new failure or worse severity is an item (an audit only happens once).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.events import (
    AssessmentCompletedEvent,
    AuditCompletedEvent,
    CollectionRefusedEvent,
    JobUpdatedEvent,
    SnapshotCompletedEvent,
    VarianceCompletedEvent,
)
from hub_shared.messaging import parse_event_payload
from notifier.catalog import FINDING_RANK, FINDING_SEVERITY, item
from notifier.deliveries.service import decide
from notifier.settings import NotifierSettings
from notifier.signals import repository as repo
from notifier.upstream import Upstream

EXCEPTION_LABELS = {
    "MISSING_NINJA": "Missing in Ninja",
    "DUPLICATE_TL": "ThreatLocker duplicate",
    "DUPLICATE_NINJA": "Ninja duplicate",
    "SPARE_MISMATCH": "Spare with ThreatLocker",
    "DISPLAY_NAME_MISMATCH": "Display name mismatch",
    "SITE_MISMATCH": "Site mismatch",
}
FAILING = ("fail", "warning")


def exception_item(row: Mapping[Any, Any]) -> dict[str, Any]:
    label = EXCEPTION_LABELS.get(str(row.get("type")), str(row.get("type")))
    hostname = row.get("hostname") or row.get("ninja_hostname") or row.get("threatlocker_hostname") or "?"
    return item(
        "new_exceptions",
        f"exception:{row['id']}",
        title=f"{label}: {hostname}",
        organization=row.get("organization"),
        details={
            "exception_id": row["id"],
            "type": row.get("type"),
            "report_key": row.get("report_key"),
            "hostname": hostname,
            "vendor": row.get("vendor"),
            "display_name": row.get("display_name"),
            "first_seen": row.get("first_seen"),
        },
    )


def device_item(row: Mapping[Any, Any]) -> dict[str, Any]:
    hostname = row.get("hostname") or row.get("system_name") or str(row["device_id"])
    reasons = ", ".join(str(d.get("name") or d.get("requirement") or "") for d in row.get("deficiencies") or [])
    return item(
        "windows11_incompatible",
        f"w11:{row['device_id']}",
        title=f"{hostname}: not Windows 11 24H2 compatible" + (f" ({reasons})" if reasons.strip(", ") else ""),
        organization=row.get("organization"),
        details={
            "device_id": row["device_id"],
            "hostname": hostname,
            "reason": row.get("reason"),
            "snapshot_date": row.get("snapshot_date"),
        },
    )


def audit_items(data: AuditCompletedEvent, comparison: Mapping[Any, Any]) -> list[dict[str, Any]]:
    audit = data.data
    found = []
    worse = [
        check
        for check in comparison.get("changed_severity") or []
        if check.get("status") in FAILING
        and FINDING_RANK.get(str(check.get("severity")), 0) > FINDING_RANK.get(str(check.get("previous_severity")), 0)
    ]
    for reason, checks in (("new failure", comparison.get("new_failures") or []), ("worse severity", worse)):
        for check in checks:
            severity = str(check.get("severity"))
            found.append(
                item(
                    "tenantsweep_regression",
                    f"tenantsweep:{audit.tenant_id.lower()}:{check['check_id']}:{audit.audit_id}",
                    title=f"{audit.tenant_name}: {check.get('check_name') or check['check_id']} ({severity}, {reason})",
                    severity=FINDING_SEVERITY.get(severity, "warning"),
                    organization=audit.tenant_name,
                    details={
                        "audit_id": audit.audit_id,
                        "tenant_id": audit.tenant_id,
                        "check_id": check["check_id"],
                        "severity": severity,
                        "previous_severity": check.get("previous_severity"),
                        "status": check.get("status"),
                        "previous_status": check.get("previous_status"),
                        "reason": reason,
                    },
                )
            )
    return found


async def replace_set(session: AsyncSession, condition: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The condition's active set becomes ``items``; returns the items that started."""
    current = {entry["key"] for entry in items}
    ended = sorted((await repo.active_keys(session, condition)) - current)
    await repo.deactivate(session, condition, ended)
    return await repo.activate(session, condition, items)


async def started_items(
    session: AsyncSession, settings: NotifierSettings, upstream: Upstream, payload: Mapping[Any, Any]
) -> tuple[list[dict[str, Any]], str]:
    """Apply one signal to the condition state; returns the started items and a one-line outcome."""
    event = parse_event_payload(dict(payload))
    if isinstance(event, VarianceCompletedEvent):
        day = event.data.report_date.isoformat()
        newest = await repo.watermark(session, "new_exceptions")
        if newest is not None and day < newest:
            # Reports of one batch may be computed concurrently: an older date arriving late must not
            # flip the newer report's exceptions off (they would "start" again next time).
            return [], f"variance report {day} is older than {newest}: ignored"
        await repo.set_watermark(session, "new_exceptions", day)
        rows = await upstream.exceptions_of(day)
        started = await replace_set(session, "new_exceptions", [exception_item(row) for row in rows])
        return started, f"variance report {day}: {len(rows)} active exceptions, {len(started)} new"
    if isinstance(event, AssessmentCompletedEvent):
        assessed = event.occurred_at.isoformat()
        newest = await repo.watermark(session, "windows11_incompatible")
        if newest is not None and assessed < newest:
            return [], f"assessment of {assessed} is older than {newest}: ignored"
        await repo.set_watermark(session, "windows11_incompatible", assessed)
        devices = await upstream.incompatible_devices()
        started = await replace_set(session, "windows11_incompatible", [device_item(row) for row in devices])
        return started, f"assessment: {len(devices)} incompatible, {len(started)} newly"
    if isinstance(event, JobUpdatedEvent):
        job = event.data
        key = f"job:{job.job_name}"
        if job.status == "completed":
            await repo.deactivate(session, "collection_failed", [key])
            return [], f"{job.job_name} completed"
        failure = item(
            "collection_failed",
            key,
            title=f"{job.job_name} failed: {job.error or job.message or 'no reason given'}"[:500],
            details={"job_id": job.job_id, "batch_id": job.batch_id, "error": job.error, "message": job.message},
        )
        started = await repo.activate(session, "collection_failed", [failure])
        return started, f"{job.job_name} failed" + ("" if started else " (already failing)")
    if isinstance(event, CollectionRefusedEvent):
        refused = event.data
        entry = item(
            "sync_refused",
            f"refused:{refused.vendor}",
            title=f"{refused.vendor} sync refused as incomplete: {refused.reason}"[:500],
            details={
                "vendor": refused.vendor,
                "snapshot_date": refused.snapshot_date.isoformat(),
                "reason": refused.reason,
            },
        )
        started = await repo.activate(session, "sync_refused", [entry])
        return started, f"{refused.vendor} sync refused" + ("" if started else " (already refused)")
    if isinstance(event, SnapshotCompletedEvent):
        snapshot = event.data
        await repo.record_snapshot(session, snapshot.vendor, snapshot.snapshot_date, event.occurred_at)
        await repo.deactivate(session, "sync_refused", [f"refused:{snapshot.vendor}"])
        await repo.deactivate(session, "data_stale", [f"stale:{snapshot.vendor}"])
        return [], f"{snapshot.vendor} snapshot {snapshot.snapshot_date.isoformat()}"
    if isinstance(event, AuditCompletedEvent):
        if event.data.status != "completed":
            return [], f"audit {event.data.audit_id} {event.data.status}"
        comparison = await upstream.audit_comparison(event.data.audit_id)
        if comparison is None:
            return [], f"audit {event.data.audit_id}: no previous completed audit to compare with"
        found = audit_items(event, comparison)
        return found, f"audit {event.data.audit_id}: {len(found)} new failures or worse severities"
    return [], f"{event.type}: nothing to evaluate"


async def evaluate(
    session: AsyncSession,
    settings: NotifierSettings,
    upstream: Upstream,
    signal: Mapping[Any, Any],
    now: datetime,
) -> str:
    started, outcome = await started_items(session, settings, upstream, signal["payload"])
    decided = await decide(
        session, settings, started, dedupe_key=f"event:{signal['event_id']}", signal_id=int(signal["id"]), now=now
    )
    return f"{outcome}; {decided['alerts']} deliveries, {decided['held']} held"


async def check_staleness(session: AsyncSession, settings: NotifierSettings, now: datetime) -> int:
    """``data_stale`` starts for a vendor whose last snapshot is older than ``NOTIFIER_STALE_HOURS``."""
    decided = 0
    for row in await repo.stale_vendors(session, now - timedelta(hours=settings.notifier_stale_hours)):
        hours = (now - row["received_at"]).total_seconds() / 3600
        entry = item(
            "data_stale",
            f"stale:{row['vendor']}",
            title=f"No {row['vendor']} snapshot for {hours:.0f} hours (last: {row['snapshot_date'].isoformat()})",
            details={"vendor": row["vendor"], "last_snapshot_date": row["snapshot_date"].isoformat()},
        )
        started = await repo.activate(session, "data_stale", [entry])
        if started:
            outcome = await decide(
                session,
                settings,
                started,
                dedupe_key=f"stale:{row['vendor']}:{row['received_at'].isoformat()}",
                signal_id=None,
                now=now,
            )
            decided += outcome["alerts"]
    return decided
