"""The organisation alias map (bare envelope family): ``GET/POST /api/organization-aliases``,
``DELETE /api/organization-aliases/{id}``.

Organisation names identical in both vendors (trimmed, any case) match without an entry. Reading is
public; changing needs a gateway-vouched caller with ``variance:write``. A change recomputes the latest
report at once (``recompute=false`` to skip), so the site check reflects it without waiting for the next
collection.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from hub_shared.identity import Identity, require_scope
from variance.aliases import service
from variance.aliases.schemas import AliasBody
from variance.web import Session, parse_flag

router = APIRouter(prefix="/api/organization-aliases", tags=["organisation aliases"])
Writer = Annotated[Identity, Depends(require_scope("variance:write"))]


@router.get("", summary="The organisation alias map")
async def list_aliases(session: Session) -> dict[str, Any]:
    return await service.list_aliases(session)


@router.post("", status_code=201, summary="Map a ThreatLocker organisation name to a Ninja one")
async def create_alias(
    request: Request,
    session: Session,
    body: AliasBody,
    identity: Writer,
    recompute_report: Annotated[str | None, Query(alias="recompute")] = None,
) -> JSONResponse:
    again = parse_flag(recompute_report, "recompute") if recompute_report is not None else True
    payload = await service.create_alias(request.app.state.runtime, session, body, identity.user, again=again)
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
    return await service.delete_alias(request.app.state.runtime, session, alias_id, again=again)
