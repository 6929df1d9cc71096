"""The organisation alias map (bare envelope family): ``GET/POST /api/organization-aliases``,
``DELETE /api/organization-aliases/{id}``.

Organisation names identical in both vendors (trimmed, any case) match without an entry. Reading is
public; changing needs a gateway-vouched caller with ``variance:write``. A change recomputes the latest
report at once (``recompute=false`` to skip), so the site check reflects it without waiting for the next
collection.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import RowMapping

from hub_shared.app import rfc3339
from hub_shared.errors import ApiError
from hub_shared.identity import Identity, require_scope
from variance.aliases import repository as repo
from variance.aliases.schemas import AliasBody
from variance.checks.service import Skipped, run_checks
from variance.reports.tracker import forget_latest
from variance.web import Session, parse_flag, settings_of

router = APIRouter(prefix="/api/organization-aliases", tags=["organisation aliases"])
Writer = Annotated[Identity, Depends(require_scope("variance:write"))]


def alias_view(row: RowMapping) -> dict[str, Any]:
    return {
        "id": row["id"],
        "ninja_name": row["ninja_name"],
        "threatlocker_name": row["threatlocker_name"],
        "notes": row["notes"],
        "created_by": row["created_by"],
        "created_at": rfc3339(row["created_at"]),
    }


async def recompute(request: Request, session: Session) -> dict[str, Any] | None:
    settings = settings_of(request)
    forget_latest(request.app.state.runtime.state)
    result = await run_checks(
        session,
        today=datetime.now(settings.timezone).date(),
        window_days=settings.variance_report_window_days,
        exempt_locations=settings.exempt_locations,
        work_mem=settings.variance_work_mem,
    )
    if isinstance(result, Skipped):
        return None
    return {"report_date": result.report_date.isoformat(), "exception_counts": result.counts}


@router.get("", summary="The organisation alias map")
async def list_aliases(session: Session) -> dict[str, Any]:
    rows = await repo.list_all(session)
    return {"aliases": [alias_view(row) for row in rows], "total": len(rows)}


@router.post("", status_code=201, summary="Map a ThreatLocker organisation name to a Ninja one")
async def create_alias(
    request: Request,
    session: Session,
    body: AliasBody,
    identity: Writer,
    recompute_report: Annotated[str | None, Query(alias="recompute")] = None,
) -> JSONResponse:
    again = parse_flag(recompute_report, "recompute") if recompute_report is not None else True
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
        created_by=identity.user,
    )
    payload = {**alias_view(row), "recomputed": await recompute(request, session) if again else None}
    return JSONResponse(payload, status_code=201)


@router.delete("/{alias_id}", summary="Remove an alias")
async def delete_alias(
    request: Request,
    session: Session,
    alias_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    _identity: Writer,
    recompute_report: Annotated[str | None, Query(alias="recompute")] = None,
) -> dict[str, Any]:
    again = parse_flag(recompute_report, "recompute") if recompute_report is not None else True
    row = await repo.remove(session, alias_id)
    if row is None:
        raise ApiError(404, "Alias not found")
    return {
        "success": True,
        "message": "Alias deleted",
        "alias": alias_view(row),
        "recomputed": await recompute(request, session) if again else None,
    }
