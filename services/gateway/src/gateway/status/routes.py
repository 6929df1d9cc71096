"""``GET /api/status`` — the dashboard's system overview (bare envelope family)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.collectors.service import cleanup_stale
from gateway.settings import GatewaySettings
from gateway.status.service import system_status
from hub_shared.db import session_dependency

router = APIRouter(tags=["system"])


@router.get("/api/status", summary="Data freshness, collector health, warnings and counts")
async def status(
    request: Request, session: Annotated[AsyncSession, Depends(session_dependency, scope="function")]
) -> dict[str, Any]:
    settings: GatewaySettings = request.app.state.runtime.settings
    await cleanup_stale(session, settings.stale_job_seconds)
    return await system_status(session, datetime.now(settings.timezone).date())
