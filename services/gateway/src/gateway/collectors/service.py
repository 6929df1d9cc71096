"""Collector runs: starting a batch, projecting ``job.updated`` into jobs, deriving batch state,
failing jobs whose heartbeat stopped, and the daily schedule.

A batch has one job per requested collector (``ni_``, ``th_``) and, with ``run_cross_vendor``, the
follow-up jobs ``cv_`` (cross-vendor checks) and ``w24_`` (Windows 11 assessment, only when Ninja is
collected) that the variance and assessment services report under: their ids travel in
``collect.requested`` → ``snapshot.completed`` (``followup_jobs``), and those services report the job
after each snapshot they process. Failed and cancelled are final: a late or replayed update never
brings a failed job back to life; a completed job may complete again with a fresher message.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.collectors import repository as repo

# Reads the routes answer with, passed through as they are (routes never touch the repository).
from gateway.collectors.repository import (  # noqa: F401
    ACTIVE,
    active_collector_jobs,
    get_batch,
    history,
    job_with_batch,
    jobs_of,
    latest_job,
    recent_failures,
)
from hub_shared.events import Collector, CollectRequested, JobUpdated, Trigger, new_event, utcnow
from hub_shared.messaging import MessagingTables, enqueue
from hub_shared.metrics import JOB_HEARTBEAT_AGE

COLLECTOR_JOBS: dict[str, tuple[str, str]] = {
    "ninja": ("ninja-collector", "ni"),
    "threatlocker": ("threatlocker-collector", "th"),
    "connectwise": ("connectwise-collector", "cw"),
}
# Collectors whose snapshots the cross-vendor checks (and the Windows 11 assessment) follow.
DEVICE_COLLECTORS = frozenset({"ninja", "threatlocker"})
CROSS_VENDOR_JOB = ("cross-vendor-checks", "cv")
WINDOWS_11_JOB = ("windows-11-24h2-assessment", "w24")
DEFAULT_ESTIMATE_SECONDS = 300
TERMINAL = frozenset(repo.TERMINAL)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


@dataclass(frozen=True)
class RunRequest:
    vendors: tuple[Collector, ...]
    run_cross_vendor: bool
    snapshot_date: date | None
    trigger: Trigger
    requested_by: str | None = None


class RunConflict(Exception):
    def __init__(self, batch_id: str | None, jobs: list[RowMapping]) -> None:
        names = ", ".join(sorted({str(job["vendor"]) for job in jobs}))
        super().__init__(f"A collection is already running for: {names}")
        self.batch_id = batch_id
        self.jobs = jobs


async def start_run(
    session: AsyncSession, tables: MessagingTables, request: RunRequest, *, producer: str
) -> tuple[RowMapping, list[RowMapping]]:
    """Create the batch and its jobs and announce ``collect.requested`` (one transaction, the caller's)."""
    await repo.lock_run_creation(session)
    running = await repo.active_jobs_for(session, request.vendors)
    if running:
        raise RunConflict(running[0]["batch_id"], running)

    batch_id = new_id("bc")
    collector_jobs = [
        {"job_id": new_id(COLLECTOR_JOBS[vendor][1]), "job_name": COLLECTOR_JOBS[vendor][0], "vendor": vendor}
        for vendor in request.vendors
    ]
    followups: dict[str, str] = {}
    if request.run_cross_vendor and DEVICE_COLLECTORS.intersection(request.vendors):
        followups[CROSS_VENDOR_JOB[0]] = new_id(CROSS_VENDOR_JOB[1])
        if "ninja" in request.vendors:
            followups[WINDOWS_11_JOB[0]] = new_id(WINDOWS_11_JOB[1])
    followup_jobs = [{"job_id": job_id, "job_name": name, "vendor": None} for name, job_id in followups.items()]

    estimate = 0.0
    for vendor in request.vendors:
        typical = await repo.typical_duration_seconds(session, COLLECTOR_JOBS[vendor][0])
        estimate = max(estimate, typical if typical is not None else DEFAULT_ESTIMATE_SECONDS)
    await repo.insert_batch(
        session,
        batch_id=batch_id,
        trigger=request.trigger,
        requested_by=request.requested_by,
        snapshot_date=request.snapshot_date,
        run_cross_vendor=request.run_cross_vendor,
        estimated_completion=utcnow() + timedelta(seconds=estimate + 30 * len(followups)),
    )
    await repo.insert_jobs(session, [{**job, "batch_id": batch_id} for job in collector_jobs + followup_jobs])
    await enqueue(
        session,
        tables,
        *(
            new_event(
                CollectRequested(
                    batch_id=batch_id,
                    job_id=job["job_id"],
                    vendor=job["vendor"],
                    snapshot_date=request.snapshot_date,
                    trigger=request.trigger,
                    followup_jobs=followups,
                ),
                producer=producer,
            )
            for job in collector_jobs
        ),
    )
    batch = await repo.get_batch(session, batch_id)
    assert batch is not None
    return batch, await repo.jobs_of(session, batch_id)


class ConnectWiseUnavailable(Exception):
    """ConnectWise cannot be collected: not configured (``missing`` names the settings) or not reachable."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


async def check_connectwise(client: httpx.AsyncClient, base_url: str) -> None:
    """Ask the ConnectWise collector whether it is configured; raises ConnectWiseUnavailable if not."""
    try:
        response = await client.get(f"{base_url}/configuration", timeout=5.0)
        body = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as exc:
        raise ConnectWiseUnavailable(f"The ConnectWise collector is not reachable ({type(exc).__name__})") from exc
    if not isinstance(body, dict):
        raise ConnectWiseUnavailable(f"The ConnectWise collector answered HTTP {response.status_code}")
    if not body.get("configured"):
        missing = [str(name) for name in body.get("missing") or []]
        raise ConnectWiseUnavailable(f"ConnectWise is not configured: set {', '.join(missing)}", missing)


PRESUMED_STALE = "Job appears to have failed or was interrupted - no heartbeat received"
NO_COLLECTOR_SUCCEEDED = "Cancelled - no collectors succeeded"


def presumed_dead_job(job: RowMapping) -> bool:
    """Failed by the stale check, or cancelled because no collector of its batch succeeded: the gateway's
    conclusions from silence, not the job's own report."""
    return (job["status"], job["message"]) in (("failed", PRESUMED_STALE), ("cancelled", NO_COLLECTOR_SUCCEEDED))


async def apply_job_update(session: AsyncSession, update: JobUpdated) -> bool:
    """Project one ``job.updated``; returns False when it was ignored (stale, or the job is finished)."""
    job = await repo.get_job(session, update.job_id, for_update=True)
    if job is None:
        vendor = next((v for v, (name, _) in COLLECTOR_JOBS.items() if name == update.job_name), None)
        batch_id = update.batch_id if update.batch_id and await repo.get_batch(session, update.batch_id) else None
        await repo.upsert_job_from_event(
            session,
            {
                "job_id": update.job_id,
                "batch_id": batch_id,
                "job_name": update.job_name,
                "vendor": vendor,
                "status": "queued",
                "progress_percent": 0,
            },
        )
        job = await repo.get_job(session, update.job_id, for_update=True)
        assert job is not None
    # Terminal states are final, with two exceptions: a follow-up job re-completing with a fresher result
    # (variance recomputes after each vendor's snapshot of the batch), and a job the gateway only presumed
    # dead, which a later sign of life overrules (a broker outage longer than the stale limit).
    presumed_dead = presumed_dead_job(job)
    if (
        job["status"] in TERMINAL
        and not presumed_dead
        and not (job["status"] == "completed" and update.status == "completed")
    ):
        return False
    if job["last_heartbeat"] is not None and update.heartbeat < job["last_heartbeat"]:
        return False  # an older update arriving late
    now = utcnow()
    values: dict[str, Any] = {
        "status": update.status,
        "message": update.message,
        "error": update.error,
        "last_heartbeat": update.heartbeat,
        "updated_at": now,
    }
    if update.progress_percent is not None:
        values["progress_percent"] = update.progress_percent
    if job["started_at"] is None and update.status != "queued":
        values["started_at"] = update.heartbeat
    if presumed_dead and update.status not in TERMINAL:
        values["ended_at"] = None
    if update.status in TERMINAL:
        values["ended_at"] = update.heartbeat
        if update.status == "completed":
            values["progress_percent"] = 100
    await repo.update_job(session, update.job_id, values)
    if job["batch_id"]:
        await refresh_batch(session, job["batch_id"])
    return True


async def refresh_batch(session: AsyncSession, batch_id: str) -> None:
    """Derive a batch's status, progress, message and times from its jobs."""
    batch = await repo.get_batch(session, batch_id, for_update=True)
    if batch is None:
        return
    now = utcnow()
    jobs = await repo.jobs_of(session, batch_id)
    collectors = [job for job in jobs if job["vendor"]]
    collectors_done = collectors and all(job["status"] in TERMINAL for job in collectors)
    if collectors_done and not any(job["status"] == "completed" for job in collectors):
        for job in jobs:
            if not job["vendor"] and job["status"] not in TERMINAL:
                await repo.update_job(
                    session,
                    job["job_id"],
                    {
                        "status": "cancelled",
                        "message": NO_COLLECTOR_SUCCEEDED,
                        "ended_at": now,
                        "updated_at": now,
                    },
                )
        jobs = await repo.jobs_of(session, batch_id)
    values = derive_batch(jobs)
    values["updated_at"] = now
    await repo.update_batch(session, batch_id, values)


def derive_batch(jobs: list[RowMapping]) -> dict[str, Any]:
    statuses = [job["status"] for job in jobs]
    progress = [100 if job["status"] in TERMINAL else int(job["progress_percent"] or 0) for job in jobs]
    started = [job["started_at"] for job in jobs if job["started_at"] is not None]
    values: dict[str, Any] = {
        "progress_percent": round(sum(progress) / len(progress)) if progress else 0,
        "started_at": min(started) if started else None,
        "ended_at": None,
        "error": None,
    }
    if jobs and all(status in TERMINAL for status in statuses):
        collectors = [job for job in jobs if job["vendor"]]
        succeeded = [job for job in collectors if job["status"] == "completed"]
        failed = [job["job_name"] for job in jobs if job["status"] == "failed"]
        values["ended_at"] = max(job["ended_at"] or job["updated_at"] for job in jobs)
        # A finished batch has no estimate left: it completed then (not at the start-time guess).
        values["estimated_completion"] = values["ended_at"]
        if not succeeded and collectors:
            values["status"] = "failed"
            values["message"] = f"All collectors failed: {', '.join(job['job_name'] for job in collectors)}"
            values["error"] = "; ".join(
                str(job["error"] or job["message"]) for job in collectors if job["status"] == "failed"
            )
        elif failed:
            values["status"] = "completed"
            values["message"] = (
                f"Partial success: {len(succeeded)} collector(s) succeeded, {len(failed)} failed: {', '.join(failed)}"
            )
        else:
            values["status"] = "completed"
            values["message"] = "All collectors completed successfully"
        return values
    running = [job for job in jobs if job["status"] == "running"]
    if running or any(status in TERMINAL for status in statuses):
        values["status"] = "running"
        values["message"] = (
            "; ".join(f"{job['job_name']}: {job['message']}" for job in running if job["message"]) or "Running"
        )
    else:
        values["status"] = "queued"
        values["message"] = "Queued"
    return values


async def cleanup_stale(session: AsyncSession, stale_after_seconds: float) -> list[dict[str, Any]]:
    """Fail every active job whose heartbeat stopped; no process inspection, only heartbeats."""
    now = utcnow()
    cleaned = []
    batches_touched: set[str] = set()
    for job in await repo.stale_jobs(session, now - timedelta(seconds=stale_after_seconds)):
        last_sign = job["last_heartbeat"] or job["started_at"] or job["created_at"]
        silent = int((now - last_sign).total_seconds())
        reason = f"No heartbeat for {silent} seconds"
        await repo.update_job(
            session,
            job["job_id"],
            {
                "status": "failed",
                "message": PRESUMED_STALE,
                "error": reason,
                "ended_at": now,
                "updated_at": now,
            },
        )
        started = job["started_at"] or job["created_at"]
        cleaned.append(
            {
                "job_id": job["job_id"],
                "job_name": job["job_name"],
                "started_at": started,
                "seconds_running": int((now - started).total_seconds()),
                "reason": reason,
            }
        )
        if job["batch_id"]:
            batches_touched.add(job["batch_id"])
    for batch_id in sorted(batches_touched):
        await refresh_batch(session, batch_id)
    return cleaned


async def export_heartbeat_ages(session: AsyncSession) -> dict[str, float]:
    """Set ``hub_job_heartbeat_age_seconds`` per job name from the active jobs (0 for names with none left), so
    the alert sees a silent worker before the stale check fails its job."""
    ages = await repo.heartbeat_ages(session)
    for name in _exported_job_names - ages.keys():
        JOB_HEARTBEAT_AGE.labels(name).set(0)
    for name, age in ages.items():
        JOB_HEARTBEAT_AGE.labels(name).set(age)
    _exported_job_names.update(ages)
    return ages


_exported_job_names: set[str] = set()


def format_duration(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60}s"
    return f"{seconds // 3600}h {(seconds % 3600) // 60}m"


def duration_seconds(started: datetime | None, ended: datetime | None) -> int | None:
    if started is None or ended is None:
        return None
    return int((ended - started).total_seconds())
