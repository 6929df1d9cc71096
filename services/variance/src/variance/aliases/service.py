"""The organisation alias map (no SQL, no HTTP): listing, adding (one alias per ThreatLocker name),
removing, and recomputing the latest report so the site check reflects a change at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.errors import ApiError
from hub_shared.runtime import ServiceRuntime
from hub_shared.timefmt import rfc3339
from variance.aliases import repository as repo
from variance.aliases.schemas import AliasBody
from variance.checks.service import Skipped, run_checks_now
from variance.reports.service import forget_latest
from variance.settings import VarianceSettings


def alias_view(row: RowMapping) -> dict[str, Any]:
    return {
        "id": row["id"],
        "ninja_name": row["ninja_name"],
        "threatlocker_name": row["threatlocker_name"],
        "notes": row["notes"],
        "created_by": row["created_by"],
        "created_at": rfc3339(row["created_at"]),
    }


async def recompute(runtime: ServiceRuntime, session: AsyncSession) -> dict[str, Any] | None:
    """The latest report computed again in the caller's transaction (None: nothing to compute)."""
    settings = runtime.settings
    assert isinstance(settings, VarianceSettings)
    forget_latest(runtime)
    result = await run_checks_now(session, settings)
    if isinstance(result, Skipped):
        return None
    return {"report_date": result.report_date.isoformat(), "exception_counts": result.counts}


async def list_aliases(session: AsyncSession) -> dict[str, Any]:
    rows = await repo.list_all(session)
    return {"aliases": [alias_view(row) for row in rows], "total": len(rows)}


async def create_alias(
    runtime: ServiceRuntime, session: AsyncSession, body: AliasBody, created_by: str, *, again: bool
) -> dict[str, Any]:
    """409 when the ThreatLocker name (trimmed, any case) already has an alias."""
    existing = await repo.find_by_threatlocker_name(session, body.threatlocker_name)
    if existing is not None:
        raise ApiError(
            409,
            f"An alias for the ThreatLocker organisation '{existing['threatlocker_name']}' already exists",
            extra={"alias": alias_view(existing)},
        )
    row = await repo.create(
        session,
        ninja_name=body.ninja_name,
        threatlocker_name=body.threatlocker_name,
        notes=body.notes,
        created_by=created_by,
    )
    return {**alias_view(row), "recomputed": await recompute(runtime, session) if again else None}


async def delete_alias(runtime: ServiceRuntime, session: AsyncSession, alias_id: int, *, again: bool) -> dict[str, Any]:
    row = await repo.remove(session, alias_id)
    if row is None:
        raise ApiError(404, "Alias not found")
    return {
        "success": True,
        "message": "Alias deleted",
        "alias": alias_view(row),
        "recomputed": await recompute(runtime, session) if again else None,
    }
