"""``GET /api/status`` — the dashboard's system overview (bare envelope family)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from gateway.collectors.service import cleanup_stale
from gateway.settings import GatewaySettings
from gateway.status.schemas import SystemStatus
from gateway.status.service import system_status
from hub_shared.web import Session, settings_dependency

router = APIRouter(tags=["system"])
Settings = Annotated[GatewaySettings, Depends(settings_dependency(GatewaySettings))]


@router.get("/api/status", summary="Data freshness, collector health, warnings and counts")
async def status(session: Session, settings: Settings) -> SystemStatus:
    await cleanup_stale(session, settings.stale_job_seconds)
    return SystemStatus.model_validate(await system_status(session, datetime.now(settings.timezone).date()))
