"""Collector runs end to end: gateway → collect.requested → collectors ← simulator → job.updated → gateway."""

from __future__ import annotations

from sqlalchemy import text

from hub_shared.db import Database


async def snapshot_rows(database: Database, schema: str, day: str | None = None) -> dict[str, int]:
    async with database.transaction() as session:
        rows = await session.execute(
            text(f"SELECT snapshot_date::text, count(*) FROM {schema}.snapshot_devices GROUP BY 1 ORDER BY 1")
        )
        return {row[0]: int(row[1]) for row in rows}


async def test_full_run_collects_every_device_of_a_5000_device_fleet(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=5000, seed=11) as sim:
        hub = await hub_factory(sim)
        truth = sim.truth()
        batch = await hub.run_and_wait({"collectors": ["ninja", "threatlocker"], "run_cross_vendor": False})

        assert batch["status"] == "completed"
        assert batch["message"] == "All collectors completed successfully"
        assert batch["progress_percent"] == 100
        jobs = {job["job_name"]: job for job in batch["collectors"]}
        assert set(jobs) == {"ninja-collector", "threatlocker-collector"}
        assert all(job["status"] == "completed" and job["progress_percent"] == 100 for job in jobs.values())
        assert jobs["ninja-collector"]["job_id"].startswith("ni_")
        assert jobs["threatlocker-collector"]["job_id"].startswith("th_")
        assert "5,000 devices collected" in jobs["ninja-collector"]["message"]

        day = truth["date"]
        assert await snapshot_rows(hub.database, "ninja") == {day: truth["ninja"]["device_count"]}
        assert await snapshot_rows(hub.database, "threatlocker") == {day: truth["threatlocker"]["computer_count"]}
        async with hub.database.transaction() as session:
            billable = (
                await session.execute(
                    text(
                        "SELECT count(*) FILTER (WHERE is_billable), count(*) FILTER (WHERE is_spare) "
                        "FROM ninja.snapshot_devices_v1"
                    )
                )
            ).one()
        assert (billable[0], billable[1]) == (truth["ninja"]["billable"], truth["ninja"]["spare"])

        status = (await hub.client.get("/api/status")).json()
        assert status["device_counts"] == {
            "Ninja": truth["ninja"]["device_count_excluding_vm_guests"],
            "ThreatLocker": truth["threatlocker"]["computer_count"],
        }
        assert status["vendor_status"]["Ninja"]["latest_date"] == day
        assert status["collector_health"]["has_recent_failures"] is False

        history = (await hub.client.get("/api/collectors/history")).json()
        assert history["total_runs"] == 2
        assert all(run["duration_seconds"] is not None for run in history["collection_history"])


async def test_rate_limit_and_transient_errors_are_retried(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=1200, seed=3) as sim:
        hub = await hub_factory(sim)
        sim.faults(
            {"kind": "rate_limit", "target": "ninja.devices_detailed", "count": 2, "retry_after": 1},
            {"kind": "server_error", "target": "tl.computers", "page": 2, "count": 2, "status": 503},
        )
        batch = await hub.run_and_wait({"run_cross_vendor": False})
        assert batch["status"] == "completed", batch
        stats = sim.stats()
        truth = sim.truth()
        counts = await snapshot_rows(hub.database, "ninja")
        assert counts == {truth["date"]: 1200}
        assert await snapshot_rows(hub.database, "threatlocker") == {
            truth["date"]: truth["threatlocker"]["computer_count"]
        }
        assert stats["responses"]["ninja.devices_detailed"]["429"] == 2
        assert stats["responses"]["tl.computers"]["503"] == 2


async def test_persistent_failure_on_page_3_keeps_the_previous_snapshot_and_the_other_vendor_completes(
    vendor_sim, hub_factory
) -> None:
    with vendor_sim(devices=2000, seed=5) as sim:
        hub = await hub_factory(sim)
        first = await hub.run_and_wait({"run_cross_vendor": False})
        assert first["status"] == "completed"
        before = await snapshot_rows(hub.database, "threatlocker")

        sim.faults({"kind": "server_error", "target": "tl.computers", "page": 3, "status": 500})
        batch = await hub.run_and_wait({"run_cross_vendor": False})
        jobs = {job["job_name"]: job for job in batch["collectors"]}
        assert jobs["threatlocker-collector"]["status"] == "failed"
        assert "page 3" in jobs["threatlocker-collector"]["error"]
        assert jobs["ninja-collector"]["status"] == "completed"
        assert batch["message"].startswith("Partial success: 1 collector(s) succeeded")
        assert await snapshot_rows(hub.database, "threatlocker") == before

        status = (await hub.client.get("/api/status")).json()
        assert status["collector_health"]["total_failures_last_24h"] == 1
        assert status["collector_health"]["recent_failures"][0]["collector"] == "ThreatLocker"
        assert "Recent collector failures: ThreatLocker" in status["warnings"]


async def test_rerunning_the_same_day_replaces_the_snapshot_without_duplicates(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=800, seed=9) as sim:
        hub = await hub_factory(sim)
        await hub.run_and_wait({"collector": "ninja", "run_cross_vendor": False})
        sim.set_day(1)  # the fleet changes during the day
        truth = sim.truth(from_day=0, to_day=1)
        batch = await hub.run_and_wait({"collector": "ninja", "run_cross_vendor": False})
        assert batch["status"] == "completed"
        rows = await snapshot_rows(hub.database, "ninja")
        assert list(rows.values()) == [truth["ninja"]["device_count"]]
        async with hub.database.transaction() as session:
            duplicates = (
                await session.execute(text("SELECT count(*) - count(DISTINCT device_id) FROM ninja.snapshot_devices"))
            ).scalar_one()
            identities = (await session.execute(text("SELECT count(*) FROM ninja.device_identities"))).scalar_one()
        assert duplicates == 0
        # Identities are kept for every device ever seen: today's fleet plus those removed since the first run.
        removed = truth["changes"]["counts"]["removed"]
        assert removed > 0  # the seed's day 1 removes devices, so the sum below tests the union, not one day
        assert identities == truth["ninja"]["device_count"] + removed


async def test_all_collectors_failing_cancels_the_followup_jobs(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=300, seed=2) as sim:
        hub = await hub_factory(sim)
        sim.faults({"kind": "server_error", "target": "*", "status": 502})
        batch = await hub.run_and_wait({"collectors": ["ninja", "threatlocker"], "run_cross_vendor": True})
        jobs = {job["job_name"]: job for job in batch["collectors"]}
        assert batch["status"] == "failed"
        assert batch["message"] == "All collectors failed: ninja-collector, threatlocker-collector"
        assert jobs["cross-vendor-checks"]["status"] == "cancelled"
        assert jobs["windows-11-24h2-assessment"]["status"] == "cancelled"
        assert jobs["cross-vendor-checks"]["job_id"].startswith("cv_")
        assert jobs["windows-11-24h2-assessment"]["job_id"].startswith("w24_")
        # The fault targets the vendor routes only: the simulator's own admin routes still answer.
        assert sim.truth()["date"] == sim.sim.truth_date(0)
