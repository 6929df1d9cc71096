"""SmartNumber thresholds (QBR envelope, protected): ``GET`` and ``POST /api/qbr/thresholds``."""

from __future__ import annotations

from typing import Any

from hub_shared.web import Session, error_responses
from qbr.api import Envelope, OrganizationId, Reader, Writer, ok, qbr_router
from qbr.audit.service import Actor
from qbr.thresholds import service
from qbr.thresholds.schemas import Thresholds, ThresholdsBody, ThresholdsUpdated

router = qbr_router("/api/qbr/thresholds")


@router.get(
    "",
    summary="Green/yellow/red bands of the SmartNumbers",
    response_model=Envelope[Thresholds],
    responses=error_responses(400),
)
async def list_thresholds(session: Session, _caller: Reader, organization_id: OrganizationId = 1) -> dict[str, Any]:
    return ok({"organization_id": organization_id, "thresholds": await service.views(session, organization_id)})


@router.post(
    "",
    summary="Set the bands of one or more SmartNumbers",
    response_model=Envelope[ThresholdsUpdated],
    responses=error_responses(400),
)
async def update_thresholds(session: Session, caller: Writer, body: ThresholdsBody) -> dict[str, Any]:
    count = await service.apply_update(session, body.organization_id, body.inputs(), Actor(caller.user, "identity"))
    return ok({"organization_id": body.organization_id, "updated_count": count})
