"""The organisation alias map (bare envelope family): ``GET/POST /api/organization-aliases``,
``DELETE /api/organization-aliases/{id}``.

Organisation names identical in both vendors (trimmed, any case) match without an entry. Reading is
public; changing needs a gateway-vouched caller with ``variance:write``. A change recomputes the latest
report at once (``recompute=false`` to skip), so the site check reflects it without waiting for the next
collection.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from hub_shared.web import Identity, QueryFlag, Session, error_responses, requires
from variance.aliases import service
from variance.aliases.schemas import AliasBody, AliasCreated, AliasDeleted, AliasList

router = APIRouter(prefix="/api/organization-aliases", tags=["organisation aliases"])
Writer = Annotated[Identity, requires("variance:write")]
Recompute = Annotated[
    QueryFlag, Query(alias="recompute", description="Recompute the latest report at once (default true)")
]


@router.get("", summary="The organisation alias map", response_model=AliasList)
async def list_aliases(session: Session) -> dict[str, Any]:
    return await service.list_aliases(session)


@router.post(
    "",
    status_code=201,
    summary="Map a ThreatLocker organisation name to a Ninja one",
    response_model=AliasCreated,
    responses=error_responses(400, 409, descriptions={409: "The ThreatLocker name already has an alias"}),
)
async def create_alias(
    request: Request,
    session: Session,
    body: AliasBody,
    identity: Writer,
    recompute_report: Recompute = True,
) -> dict[str, Any]:
    return await service.create_alias(request.app.state.runtime, session, body, identity.user, again=recompute_report)


@router.delete(
    "/{alias_id}",
    summary="Remove an alias",
    response_model=AliasDeleted,
    responses=error_responses(400, 404, descriptions={404: "Alias not found"}),
)
async def delete_alias(
    request: Request,
    session: Session,
    alias_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    _identity: Writer,
    recompute_report: Recompute = True,
) -> dict[str, Any]:
    return await service.delete_alias(request.app.state.runtime, session, alias_id, again=recompute_report)
