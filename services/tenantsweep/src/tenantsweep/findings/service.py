"""Findings (no SQL, no HTTP): adding one or many to an open audit, an audit's findings in severity-rank
order, the export's rows, and how a finding is shown.

``check_id`` is unique within an audit: it is what makes two audits comparable, and it makes a retried
request a visible conflict (409 ``DUPLICATE_CHECK``) instead of a silent duplicate. The caller opens (and
locks) the audit first (``audits.service.open_for_findings``). Bulk findings are stored with one COPY, in
the request's transaction: all or nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.errors import ApiError
from hub_shared.timefmt import rfc3339
from tenantsweep.findings import repository as repo
from tenantsweep.findings.schemas import ItemProblem, NewFinding, item_errors


async def add_one(session: AsyncSession, audit_id: int, finding: NewFinding) -> dict[str, Any]:
    existing = await repo.existing_checks(session, audit_id, [finding.check_id])
    if existing:
        raise ApiError(
            409,
            f"Audit {audit_id} already has a finding for check_id '{finding.check_id}' "
            f"(finding {existing[finding.check_id]})",
            code="DUPLICATE_CHECK",
            extra={"finding_id": existing[finding.check_id]},
        )
    return finding_view(await repo.insert(session, audit_id, finding))


async def add_many(session: AsyncSession, audit_id: int, findings: Sequence[NewFinding]) -> int:
    """Store every finding, or none when any repeats a check the audit already has (409)."""
    existing = await repo.existing_checks(session, audit_id, [finding.check_id for finding in findings])
    if existing:
        conflicts = [
            ItemProblem(index, "check_id", "DUPLICATE_CHECK", f"check_id '{finding.check_id}' is already recorded "
                        f"for audit {audit_id} (finding {existing[finding.check_id]})")
            for index, finding in enumerate(findings)
            if finding.check_id in existing
        ]  # fmt: skip
        raise ApiError(
            409,
            f"{len(conflicts)} of {len(findings)} findings repeat checks audit {audit_id} already has; "
            "none were stored",
            code="DUPLICATE_CHECK",
            extra={"total_submitted": len(findings), "invalid_count": len(conflicts), **item_errors(conflicts)},
        )
    return await repo.copy_findings(session, audit_id, findings)


async def of_audit(session: AsyncSession, audit_id: int, severities: Sequence[str] | None) -> list[dict[str, Any]]:
    """The audit's findings (only these severities when given), by severity rank, then check id."""
    return [finding_view(row) for row in await repo.list_for_audit(session, audit_id, severities)]


def export_rows(
    session: AsyncSession, audit_id: int, severities: Sequence[str] | None, batch_size: int
) -> AsyncIterator[Sequence[Any]]:
    """Batches of the export's rows (``repository.EXPORT_SQL``'s columns), in the findings order."""
    return repo.stream_for_export(session, audit_id, severities, batch_size)


def finding_view(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "audit_id": row["audit_id"],
        "check_id": row["check_id"],
        "check_name": row["check_name"],
        "severity": row["severity"],
        "status": row["status"],
        "current_value": row["current_value"],
        "expected_value": row["expected_value"],
        "details": row["details"],
        "recommendation": row["recommendation"],
        "created_at": rfc3339(row["created_at"]),
    }
