"""A job the gateway presumed dead comes back when it reports again (a broker outage longer than the
stale limit): the stale check's verdict and the cancellation it caused are overruled by the job itself."""

from __future__ import annotations

from datetime import timedelta

from gateway.collectors import repository as repo
from gateway.collectors import service
from gateway.models import messaging
from hub_shared.db import Database
from hub_shared.events import JobUpdated, utcnow


def update(job: dict, status: str, *, seconds: float, message: str | None = None) -> JobUpdated:
    return JobUpdated(
        batch_id=job["batch_id"],
        job_id=job["job_id"],
        job_name=job["job_name"],
        status=status,
        message=message,
        heartbeat=utcnow() + timedelta(seconds=seconds),
    )


async def test_a_job_failed_as_stale_is_overruled_by_its_later_reports(database: Database) -> None:
    request = service.RunRequest(vendors=("threatlocker",), run_cross_vendor=True, snapshot_date=None, trigger="manual")
    async with database.transaction() as session:
        batch, jobs = await service.start_run(session, messaging, request, producer="tests")
    collector, checks = sorted((dict(job) for job in jobs), key=lambda job: job["vendor"] is None)

    async with database.transaction() as session:
        # The follow-up is not due to report yet; the collector has been silent past the limit.
        await repo.update_job(session, checks["job_id"], {"last_heartbeat": utcnow() + timedelta(minutes=5)})
    async with database.transaction() as session:
        cleaned = await service.cleanup_stale(session, stale_after_seconds=0)
        assert [item["job_id"] for item in cleaned] == [collector["job_id"]]
    async with database.transaction() as session:
        found = {job["job_id"]: job for job in await repo.jobs_of(session, batch["batch_id"])}
        assert found[collector["job_id"]]["status"] == "failed"
        assert found[checks["job_id"]]["status"] == "cancelled"  # because no collector succeeded
        assert (await repo.get_batch(session, batch["batch_id"]))["status"] == "failed"

    # The broker is back: the collector's own reports arrive, then the follow-up's.
    async with database.transaction() as session:
        assert await service.apply_job_update(session, update(collector, "running", seconds=1))
        running = await repo.get_job(session, collector["job_id"])
        assert (running["status"], running["ended_at"], running["error"]) == ("running", None, None)
        assert (await repo.get_batch(session, batch["batch_id"]))["status"] == "running"
    async with database.transaction() as session:
        done = "ThreatLocker: 613 devices collected"
        assert await service.apply_job_update(session, update(collector, "completed", seconds=2, message=done))
        checked = update(checks, "completed", seconds=400, message="31 exceptions")
        assert await service.apply_job_update(session, checked)
    async with database.transaction() as session:
        final = await repo.get_batch(session, batch["batch_id"])
        assert (final["status"], final["message"]) == ("completed", "All collectors completed successfully")
        assert (await repo.get_job(session, collector["job_id"]))["message"] == done

    # A finished job is final again: a late, older report changes nothing.
    async with database.transaction() as session:
        assert not await service.apply_job_update(session, update(collector, "failed", seconds=-60))
