"""Comparing two audits check by check, and the per-tenant overview (no SQL, no HTTP).

A check is *failing* when its status is ``fail`` or ``warning``. Comparing an audit with an earlier one
(``against``), every ``check_id`` of either lands in at most one of:

- ``new_failures``: failing now; not failing before (passed, could not run, or not checked at all);
- ``fixed``: failing before, ``pass`` now;
- ``still_failing``: failing in both (the status may have moved between ``fail`` and ``warning``);
- ``not_rechecked``: failing before, but now missing or ``error`` — nobody knows whether it was fixed.

Independently, ``changed_severity`` lists every check present in both whose severity changed. Each entry
carries both sides (``severity``/``status``/``finding_id`` now, ``previous_*`` before; null where the
check is absent), and each list is ordered by severity rank, then check id.

Trend (overview): the latest completed audit's failing checks per severity against the completed audit
before it. The most severe level whose count changed decides: fewer → ``improving``, more →
``worsening``; no change anywhere → ``unchanged``; ``new`` when there is only one completed audit,
``none`` when there is none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.timefmt import rfc3339
from tenantsweep.catalog import SEVERITIES, SEVERITY_RANK, is_failing
from tenantsweep.insights import repository as repo
from tenantsweep.insights.schemas import AuditCounts, CheckResult, TenantRuns

__all__ = ["AuditCounts", "CheckResult", "TenantRuns", "compare", "overview", "previous_completed", "trend"]

COMPARE_SETS = ("new_failures", "fixed", "still_failing", "not_rechecked", "changed_severity")


def _entry(now: CheckResult | None, before: CheckResult | None) -> dict[str, Any]:
    shown = now or before
    assert shown is not None
    return {
        "check_id": shown.check_id,
        "check_name": shown.check_name,
        "severity": now.severity if now else None,
        "status": now.status if now else None,
        "previous_severity": before.severity if before else None,
        "previous_status": before.status if before else None,
        "finding_id": now.finding_id if now else None,
        "previous_finding_id": before.finding_id if before else None,
    }


def compare(current: Sequence[CheckResult], previous: Sequence[CheckResult]) -> dict[str, list[dict[str, Any]]]:
    """The sets above, keyed by name (see the module's description)."""
    now = {result.check_id: result for result in current}
    before = {result.check_id: result for result in previous}
    sets: dict[str, list[tuple[tuple[int, str], dict[str, Any]]]] = {name: [] for name in COMPARE_SETS}
    for check_id in now.keys() | before.keys():
        this, that = now.get(check_id), before.get(check_id)
        shown = this or that
        assert shown is not None
        key = (SEVERITY_RANK[shown.severity], check_id)
        target: str | None = None
        if this is not None and is_failing(this.status):
            target = "still_failing" if that is not None and is_failing(that.status) else "new_failures"
        elif that is not None and is_failing(that.status):
            target = "fixed" if this is not None and this.status == "pass" else "not_rechecked"
        if target is not None:
            sets[target].append((key, _entry(this, that)))
        if this is not None and that is not None and this.severity != that.severity:
            sets["changed_severity"].append((key, _entry(this, that)))
    return {name: [entry for _, entry in sorted(items, key=lambda item: item[0])] for name, items in sets.items()}


def _ts(value: Any) -> str | None:
    return rfc3339(value) if value is not None else None


def audit_brief(row: Mapping[Any, Any], counts: AuditCounts | None) -> dict[str, Any]:
    counts = counts or AuditCounts()
    return {
        "id": row["id"],
        "status": row["status"],
        "started_at": _ts(row["started_at"]),
        "completed_at": _ts(row["completed_at"]),
        "findings_count": sum(counts.total.values()),
        "failing_count": sum(counts.failing.values()),
        "severity_counts": dict(counts.total),
        "failing_counts": dict(counts.failing),
    }


def trend(latest: AuditCounts | None, previous: AuditCounts | None) -> dict[str, Any]:
    if latest is None or previous is None:
        return {
            "direction": "none" if latest is None else "new",
            "failing_change": None,
            "failing_change_by_severity": None,
        }
    deltas = {name: latest.failing[name] - previous.failing[name] for name in SEVERITIES}
    deciding = next((delta for delta in deltas.values() if delta != 0), 0)
    direction = "improving" if deciding < 0 else "worsening" if deciding > 0 else "unchanged"
    return {"direction": direction, "failing_change": sum(deltas.values()), "failing_change_by_severity": deltas}


def tenant_row(runs: TenantRuns, counts: Mapping[int, AuditCounts]) -> dict[str, Any]:
    latest = runs.completed[0] if runs.completed else None
    previous = runs.completed[1] if len(runs.completed) > 1 else None
    latest_counts = counts.get(int(latest["id"]), AuditCounts()) if latest is not None else None
    previous_counts = counts.get(int(previous["id"]), AuditCounts()) if previous is not None else None
    run = runs.latest_run
    return {
        "tenant_id": run["tenant_id"],
        "tenant_name": run["tenant_name"],
        "audits_count": runs.audits_count,
        "completed_audits_count": runs.completed_count,
        "latest_run": {
            "id": run["id"],
            "status": run["status"],
            "started_at": _ts(run["started_at"]),
            "completed_at": _ts(run["completed_at"]),
        },
        "latest_audit": audit_brief(latest, latest_counts) if latest is not None else None,
        "previous_audit": audit_brief(previous, previous_counts) if previous is not None else None,
        "trend": trend(latest_counts, previous_counts),
    }


async def previous_completed(session: AsyncSession, audit: Mapping[Any, Any]) -> RowMapping | None:
    """The same tenant's newest completed audit that started before ``audit``."""
    return await repo.previous_completed(session, audit)


async def compare_audits(session: AsyncSession, audit_id: int, other_id: int) -> dict[str, list[dict[str, Any]]]:
    """:func:`compare` of two stored audits."""
    return compare(await repo.check_results(session, audit_id), await repo.check_results(session, other_id))


async def overview(session: AsyncSession, tenant_name: str | None) -> list[dict[str, Any]]:
    """One row per tenant (those whose name contains ``tenant_name`` when given), by name."""
    tenants = await repo.tenant_runs(session, tenant_name)
    ids = [int(row["id"]) for runs in tenants for row in runs.completed]
    counts = await repo.audit_counts(session, ids)
    return [tenant_row(runs, counts) for runs in tenants]
