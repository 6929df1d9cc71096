"""SmartNumber thresholds (QBR envelope, protected): ``GET`` and ``POST /api/qbr/thresholds``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from qbr.audit.repository import Actor
from qbr.thresholds import repository as repo
from qbr.thresholds import service
from qbr.web import Reader, Session, Writer, json_object, ok, openapi_body, organization_id_param

router = APIRouter(prefix="/api/qbr/thresholds", tags=["qbr"])


@router.get("", summary="Green/yellow/red bands of the SmartNumbers")
async def list_thresholds(
    session: Session, _caller: Reader, organization_id: Annotated[str | None, Query(description="default 1")] = None
) -> dict[str, Any]:
    organization = organization_id_param(organization_id)
    rows = await repo.list_for(session, organization)
    return ok({"organization_id": organization, "thresholds": [service.threshold_view(row) for row in rows]})


@router.post(
    "",
    summary="Set the bands of one or more SmartNumbers",
    openapi_extra=openapi_body(service.ThresholdsDoc),
)
async def update_thresholds(request: Request, session: Session, caller: Writer) -> dict[str, Any]:
    update = service.parse_update(await json_object(request, service.MISSING_MESSAGE))
    count = await service.apply_update(session, update, Actor(caller.user, "identity"))
    return ok({"organization_id": update.organization_id, "updated_count": count})
