"""``POST /api/windows-11-24h2/run``: assess the latest Ninja snapshot now and answer when done
(status/flat family, ``reference/response-shapes.md`` §6)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from assessment.runs import service
from assessment.runs.schemas import RunAnswer, RunFailed
from assessment.runs.service import NoSnapshot
from assessment.settings import AssessmentSettings
from hub_shared.errors import ApiError
from hub_shared.identity import current_identity
from hub_shared.logging import get_logger
from hub_shared.timefmt import rfc3339
from hub_shared.web import Session, settings_dependency

log = get_logger(__name__)

router = APIRouter(prefix="/api/windows-11-24h2", tags=["windows-11-24h2"])
Settings = Annotated[AssessmentSettings, Depends(settings_dependency(AssessmentSettings))]


@router.post(
    "/run",
    summary="Assess the latest Ninja snapshot now (synchronous)",
    responses={
        404: {"model": RunFailed, "description": "No Ninja snapshot to assess"},
        500: {"model": RunFailed, "description": "The assessment failed"},
    },
)
async def run_assessment(request: Request, session: Session, settings: Settings) -> RunAnswer:
    identity = current_identity(request)
    try:
        summary = await service.assess_snapshot(
            session,
            None,
            trigger="manual",
            producer=request.app.state.runtime.spec.name,
            requested_by=identity.user if identity is not None and identity.authenticated else None,
            retention_days=settings.assessment_retention_days,
        )
    except NoSnapshot as exc:
        raise ApiError(
            404, str(exc), extra={"status": "error", "message": "No Ninja snapshot to assess", "output": ""}
        ) from exc
    except Exception as exc:
        log.exception("manual assessment failed")
        raise ApiError(
            500,
            f"{type(exc).__name__}: {exc}",
            extra={"status": "error", "message": "Assessment failed", "output": ""},
        ) from exc
    stamp = rfc3339(datetime.now(UTC))
    counts = summary.counts
    body = {
        "status": "success",
        "message": "Windows 11 24H2 assessment completed successfully",
        "output": service.summary_output(summary, stamp),
        "timestamp": stamp,
        "snapshot_date": summary.snapshot_date.isoformat(),
        "results": {
            **counts,
            "compatible_devices": counts["total_compatible_devices"],
            "compatibility_rate": summary.compatibility_rate,
        },
        "duration_seconds": round(summary.duration_ms / 1000, 3),
    }
    return RunAnswer.model_validate(body)
