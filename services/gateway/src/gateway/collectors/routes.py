"""Collector-run routes of the public API (bare envelope family; ``reference/response-shapes.md`` §1)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import RowMapping

from gateway.auth.identity import request_identity
from gateway.collectors import service
from gateway.collectors.schemas import (
    Batch,
    CleanupResult,
    CollectorsStatus,
    History,
    JobWithBatch,
    LatestRuns,
    Progress,
    RunAccepted,
    RunCollectorsBody,
    RunConflictAnswer,
)
from gateway.settings import GatewaySettings
from hub_shared.errors import ApiError
from hub_shared.timefmt import rfc3339
from hub_shared.web import Session, error_responses, settings_dependency

router = APIRouter(prefix="/api/collectors", tags=["collectors"])
Settings = Annotated[GatewaySettings, Depends(settings_dependency(GatewaySettings))]
# Run ids as the gateway makes them (``bc_``/``ni_``/``th_``/``cv_``/``w24_`` + 8 hex); anything else is a 400.
BatchId = Annotated[str, Path(pattern=r"^bc_[0-9a-f]{8}$", examples=["bc_1a2b3c4d"])]
JobId = Annotated[str, Path(pattern=r"^[a-z0-9]{2,3}_[0-9a-f]{8}$", examples=["ni_1a2b3c4d"])]
COLLECTOR_LIST = r"^\s*(ninja|threatlocker|connectwise)\s*(,\s*(ninja|threatlocker|connectwise)\s*)*,?\s*$"


def ts(value: datetime | None) -> str | None:
    return rfc3339(value) if value is not None else None


def job_view(job: RowMapping) -> dict[str, Any]:
    seconds = service.duration_seconds(job["started_at"], job["ended_at"])
    return {
        "job_id": job["job_id"],
        "batch_id": job["batch_id"],
        "job_name": job["job_name"],
        "status": job["status"],
        "started_at": ts(job["started_at"]),
        "updated_at": ts(job["updated_at"]),
        "ended_at": ts(job["ended_at"]),
        "progress_percent": job["progress_percent"],
        "message": job["message"],
        "error": job["error"],
        "duration_seconds": seconds,
        "queued_at": ts(job["created_at"]),
        "last_heartbeat": ts(job["last_heartbeat"]),
    }


def job_with_batch_view(job: RowMapping) -> dict[str, Any]:
    return {
        **job_view(job),
        "batch_status": job["batch_status"],
        "batch_progress_percent": job["batch_progress_percent"],
        "estimated_completion": ts(job["estimated_completion"]),
        "batch_message": job["batch_message"],
    }


def batch_view(batch: RowMapping, jobs: list[RowMapping]) -> dict[str, Any]:
    return {
        "batch_id": batch["batch_id"],
        "status": batch["status"],
        "progress_percent": batch["progress_percent"],
        "estimated_completion": ts(batch["estimated_completion"]),
        "started_at": ts(batch["started_at"]),
        "updated_at": ts(batch["updated_at"]),
        "ended_at": ts(batch["ended_at"]),
        "message": batch["message"],
        "error": batch["error"],
        "trigger": batch["trigger"],
        "requested_by": batch["requested_by"],
        "snapshot_date": batch["snapshot_date"].isoformat() if batch["snapshot_date"] else None,
        "run_cross_vendor": batch["run_cross_vendor"],
        "collectors": [job_view(job) for job in jobs],
        "duration_seconds": service.duration_seconds(batch["started_at"], batch["ended_at"]),
    }


@router.post(
    "/run",
    status_code=202,
    summary="Start a collection (answers at once; poll the batch)",
    response_model=RunAccepted,
    responses={
        **error_responses(
            400,
            503,
            descriptions={
                400: "Invalid body, a future snapshot_date, or ConnectWise asked for but not configured "
                "(missing_settings names the variables to set)",
                503: "ConnectWise asked for but its collector is not reachable",
            },
        ),
        409: {
            "model": RunConflictAnswer,
            "description": "A collection is already running for one of these collectors (running_jobs lists them)",
        },
    },
)
async def run_collectors(
    request: Request,
    session: Session,
    settings: Settings,
    body: Annotated[RunCollectorsBody | None, Body()] = None,
) -> JSONResponse:
    body = body or RunCollectorsBody()
    if body.snapshot_date is not None and body.snapshot_date > datetime.now(settings.timezone).date():
        raise ApiError(400, "snapshot_date cannot be in the future")
    if "connectwise" in body.vendors():
        client: httpx.AsyncClient = request.app.state.runtime.state["http"]
        try:
            await service.check_connectwise(client, settings.upstream_url("collector_connectwise"))
        except service.ConnectWiseUnavailable as exc:
            # Not configured is the caller's to fix (400, naming the settings); unreachable is ours (503).
            raise ApiError(400 if exc.missing else 503, str(exc), extra={"missing_settings": exc.missing}) from exc
    identity = request_identity(request)
    run = service.RunRequest(
        vendors=body.vendors(),
        run_cross_vendor=body.run_cross_vendor,
        snapshot_date=body.snapshot_date,
        trigger="manual",
        requested_by=identity.user if identity.authenticated else None,
    )
    try:
        batch, jobs = await service.start_run(session, request.app.state.runtime.tables, run, producer="gateway")
    except service.RunConflict as conflict:
        raise ApiError(
            409,
            str(conflict),
            extra={
                "batch_id": conflict.batch_id,
                "status": "conflict",
                "running_jobs": [job_view(job) for job in conflict.jobs],
            },
        ) from conflict
    names = ", ".join(run.vendors)
    # Only device collections get a cross-vendor job (a ConnectWise-only run has none to announce).
    cross_vendor = any(job["job_name"] == service.CROSS_VENDOR_JOB[0] for job in jobs)
    payload = {
        **batch_view(batch, jobs),
        "message": f"Collection queued: {names}" + (" with cross-vendor checks" if cross_vendor else ""),
        "failed_jobs": [],
        "status_url": f"/api/collectors/runs/batch/{batch['batch_id']}",
    }
    return JSONResponse(payload, status_code=202, headers={"location": payload["status_url"]})


@router.get("/runs/batch/{batch_id}", summary="A batch with its jobs", responses=error_responses(404))
async def get_batch(batch_id: BatchId, session: Session) -> Batch:
    batch = await service.get_batch(session, batch_id)
    if batch is None:
        raise ApiError(404, "Batch not found")
    view = batch_view(batch, await service.jobs_of(session, batch_id))
    view["updated_at"] = rfc3339(datetime.now(UTC)) if batch["status"] in service.ACTIVE else view["updated_at"]
    return Batch.model_validate(view)


@router.get("/runs/job/{job_id}", summary="One job with its batch", responses=error_responses(404))
async def get_job(job_id: JobId, session: Session) -> JobWithBatch:
    job = await service.job_with_batch(session, job_id)
    if job is None:
        raise ApiError(404, "Job not found")
    return JobWithBatch.model_validate(job_with_batch_view(job))


@router.get("/runs/latest", summary="Newest run of each collector")
async def latest_runs(
    session: Session,
    collectors: Annotated[
        str, Query(max_length=200, pattern=COLLECTOR_LIST, description="Comma-separated: ninja, threatlocker")
    ] = "ninja,threatlocker",
) -> LatestRuns:
    names = [name.strip() for name in collectors.split(",") if name.strip()]
    unknown = [name for name in names if name not in service.COLLECTOR_JOBS]
    if unknown or not names:
        raise ApiError(
            400, f"Unknown collector(s): {', '.join(unknown) or '(none)'}; use ninja, threatlocker, connectwise"
        )
    runs = []
    for name in names:
        job = await service.latest_job(session, service.COLLECTOR_JOBS[name][0])
        if job is not None:
            runs.append(job_with_batch_view(job))
    return LatestRuns.model_validate(
        {"latest_runs": runs, "total_runs": len(runs), "generated_at": rfc3339(datetime.now(UTC))}
    )


@router.get("/status", summary="State of the collector workers")
async def collectors_status(request: Request, session: Session, settings: Settings) -> CollectorsStatus:
    client: httpx.AsyncClient = request.app.state.runtime.state["http"]
    result: dict[str, Any] = {}
    for vendor, (job_name, _prefix) in service.COLLECTOR_JOBS.items():
        ready = await _service_ready(client, settings.upstream_url(f"collector_{vendor}"))
        job = await service.latest_job(session, job_name)
        if job is not None and job["status"] in service.ACTIVE:
            state = "running" if job["status"] == "running" else "queued"
        else:
            state = "active" if ready else "inactive"
        result[vendor] = {
            "status": state,
            "last_run": ts(job["started_at"] or job["created_at"]) if job is not None else None,
            "last_status": job["status"] if job is not None else None,
            "last_message": job["message"] if job is not None else None,
            "worker_ready": ready,
        }
    return CollectorsStatus.model_validate(result)


async def _service_ready(client: httpx.AsyncClient, base_url: str) -> bool:
    try:
        response = await client.get(f"{base_url}/ready", timeout=2.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


@router.get("/history", summary="Recent collector runs, newest first")
async def history(session: Session, limit: Annotated[int, Query(ge=1, le=100)] = 10) -> History:
    jobs = await service.history(session, limit)
    rows = []
    for job in jobs:
        view = job_view(job)
        rows.append({**view, "duration": service.format_duration(view["duration_seconds"])})
    return History.model_validate(
        {"collection_history": rows, "total_runs": len(rows), "generated_at": rfc3339(datetime.now(UTC))}
    )


def _cleaned_view(cleaned: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**job, "started_at": ts(job["started_at"])} for job in cleaned]


@router.get("/progress", summary="Collections in progress (stale ones are failed first)")
async def progress(session: Session, settings: Settings) -> Progress:
    cleaned = await service.cleanup_stale(session, settings.stale_job_seconds)
    now = datetime.now(UTC)
    active = []
    for job in await service.active_collector_jobs(session):
        since = job["started_at"] or job["created_at"]
        elapsed = int((now - since).total_seconds())
        heartbeat_age = (now - job["last_heartbeat"]).total_seconds() if job["last_heartbeat"] else None
        alive = heartbeat_age is not None and heartbeat_age < settings.stale_job_seconds
        active.append(
            {
                "job_id": job["job_id"],
                "batch_id": job["batch_id"],
                "job_name": job["job_name"],
                "started_at": ts(since),
                "status": job["status"],
                "message": job["message"],
                "progress_percent": job["progress_percent"],
                "is_active": job["status"] == "running",
                "process_running": alive,
                "last_heartbeat": ts(job["last_heartbeat"]),
                "elapsed_seconds": elapsed,
                "elapsed_time": f"{elapsed // 60}m {elapsed % 60}s" if elapsed else None,
            }
        )
    return Progress.model_validate(
        {
            "active_collections": active,
            "total_active": len(active),
            "cleaned_stale_jobs": _cleaned_view(cleaned),
            "generated_at": rfc3339(now),
        }
    )


@router.post("/cleanup-stale", summary="Fail jobs whose heartbeat stopped")
async def cleanup_stale(session: Session, settings: Settings) -> CleanupResult:
    cleaned = await service.cleanup_stale(session, settings.stale_job_seconds)
    return CleanupResult.model_validate(
        {
            "success": True,
            "cleaned_jobs": _cleaned_view(cleaned),
            "total_cleaned": len(cleaned),
            "message": f"Cleaned up {len(cleaned)} stale job(s)" if cleaned else "No stale jobs found",
        }
    )
