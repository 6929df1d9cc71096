"""Audit runs (no SQL, no HTTP): creating, finishing, fetching and listing them, and how they are shown.

- Create: ``tenant_name`` and ``tenant_id`` are required; ``initiated_by`` defaults to the caller the
  gateway vouched for (the email of a signed-in person, ``token:<name>`` for an API token).
- Update: ``status`` (``running`` | ``completed`` | ``failed``, any case), ``summary`` (a JSON object,
  stored as sent) and ``error_message``, each optional but at least one present. Finishing sets
  ``completed_at``. A finished audit never changes again (409 ``AUDIT_FINISHED``) — except that repeating
  exactly the request that finished it answers 200 with the audit unchanged, so a client may retry.
- Detail: the audit, its findings (filtered), their count and per-severity counts (after the filter,
  severities with a count only); ``findings_count`` and ``severity_summary`` stay with
  ``include_findings=false`` (only ``findings`` is left out).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.errors import ApiError
from hub_shared.identity import Identity
from hub_shared.timefmt import rfc3339
from tenantsweep.audits import repository as repo
from tenantsweep.audits.events import announce_if_finished
from tenantsweep.audits.schemas import AuditFilter, AuditUpdate, AuditUpdateBody, NewAudit, NewAuditBody
from tenantsweep.catalog import FINISHED_STATUSES, RUNNING, SEVERITY_RANK
from tenantsweep.findings import service as findings


class AuditFinished(Exception):
    """The audit is completed or failed: it cannot be reopened, changed, or given more findings."""

    def __init__(self, audit_id: int, status: str, action: str = "changed") -> None:
        super().__init__(f"Audit {audit_id} is {status}; a finished audit cannot be {action}")
        self.audit_id = audit_id
        self.status = status


def finished(exc: AuditFinished) -> ApiError:
    return ApiError(409, str(exc), code="AUDIT_FINISHED")


def not_found(audit_id: int) -> ApiError:
    return ApiError(404, f"Audit with ID {audit_id} not found", code="NOT_FOUND")


async def get(session: AsyncSession, audit_id: int, *, lock: bool = False) -> RowMapping:
    """The audit (404 ``NOT_FOUND`` when unknown); ``lock`` holds it until the transaction ends."""
    row = await repo.get(session, audit_id, lock=lock)
    if row is None:
        raise not_found(audit_id)
    return row


async def open_for_findings(session: AsyncSession, audit_id: int) -> None:
    """404 for an unknown audit, 409 for a finished one; otherwise it stays locked until the commit (so an
    audit cannot finish halfway through a bulk insert)."""
    audit = await get(session, audit_id, lock=True)
    if audit["status"] in FINISHED_STATUSES:
        raise finished(AuditFinished(audit_id, str(audit["status"]), "given more findings"))


async def create(session: AsyncSession, body: NewAuditBody, caller: Identity) -> dict[str, Any]:
    audit = NewAudit(
        tenant_name=body.tenant_name,
        tenant_id=body.tenant_id,
        initiated_by=body.initiated_by or caller.user,
        created_by=caller.user,
    )
    return audit_view(await repo.create(session, audit))


async def update(session: AsyncSession, audit_id: int, body: AuditUpdateBody) -> dict[str, Any]:
    change = body.change()
    row = await get(session, audit_id, lock=True)
    try:
        if needs_change(row, change):
            before, row = row, await repo.update(session, audit_id, change)
            await announce_if_finished(session, before, row)
    except AuditFinished as exc:
        raise finished(exc) from None
    return audit_view(row)


async def detail(
    session: AsyncSession, row: RowMapping, *, include_findings: bool, severities: Sequence[str] | None
) -> dict[str, Any]:
    """The spec's "audit with findings" (see the module's description)."""
    view = audit_view(row)
    audit_id = int(row["id"])
    if include_findings:
        shown = await findings.of_audit(session, audit_id, severities)
        view["findings"] = shown
        counts = [(str(finding["severity"]), 1) for finding in shown]
    else:
        counts = (await repo.severity_counts(session, [audit_id], severities))[audit_id]
    summary = severity_summary(counts)
    view["findings_count"] = sum(summary.values())
    view["severity_summary"] = summary
    return view


async def page(session: AsyncSession, filters: AuditFilter, *, limit: int, offset: int) -> dict[str, Any]:
    """A page of audits, newest first, each with its findings' counts."""
    rows, total = await repo.list_audits(session, filters, limit=limit, offset=offset)
    counts = await repo.severity_counts(session, [int(row["id"]) for row in rows])
    audits = []
    for row in rows:
        summary = severity_summary(counts[int(row["id"])])
        audits.append({**audit_view(row), "findings_count": sum(summary.values()), "severity_summary": summary})
    return {"audits": audits, "total_count": total, "limit": limit, "offset": offset}


async def latest_completed(session: AsyncSession, tenant_name: str) -> RowMapping:
    """The newest completed audit of a tenant: an exact name first, else one that differs only in case."""
    row = await repo.latest_completed_by_name(session, tenant_name)
    if row is None:
        raise ApiError(404, f"No completed audit found for tenant '{tenant_name}'", code="NOT_FOUND")
    return row


def needs_change(audit: Mapping[Any, Any], update: AuditUpdate) -> bool:
    """Whether ``update`` changes ``audit``; raises :class:`AuditFinished` when it would change a finished one."""
    differs = (
        (update.status is not None and update.status != audit["status"])
        or (update.set_summary and update.summary != audit["summary"])
        or (update.set_error and update.error_message != audit["error_message"])
    )
    if audit["status"] in FINISHED_STATUSES and differs:
        action = "reopened" if update.status == RUNNING else "changed"
        raise AuditFinished(int(audit["id"]), str(audit["status"]), action)
    return differs


def _ts(value: Any) -> str | None:
    return rfc3339(value) if value is not None else None


def audit_view(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The spec's Audit, plus ``created_by`` (who the gateway vouched for when it was created)."""
    return {
        "id": row["id"],
        "tenant_name": row["tenant_name"],
        "tenant_id": row["tenant_id"],
        "status": row["status"],
        "started_at": _ts(row["started_at"]),
        "completed_at": _ts(row["completed_at"]),
        "summary": row["summary"],
        "error_message": row["error_message"],
        "initiated_by": row["initiated_by"],
        "created_at": _ts(row["created_at"]),
        "created_by": row["created_by"],
    }


def severity_summary(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """``{"Critical": 1, ...}``: severities with at least one finding, in rank order."""
    totals: dict[str, int] = {}
    for severity, count in counts:
        if count > 0:
            totals[severity] = totals.get(severity, 0) + int(count)
    return {name: totals[name] for name in sorted(totals, key=SEVERITY_RANK.__getitem__)}
