"""Collector-run routes: body forms, validation, conflicts, lookups, the schedule firing once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from gateway.collectors.schedule import fire_schedule, next_firing


async def test_both_body_forms_and_conflict_with_a_running_batch(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=60, seed=1) as sim:
        hub = await hub_factory(sim, services=())  # no collector consumes: jobs stay queued
        first = await hub.client.post("/api/collectors/run", json={"collector": "ninja", "run_cross_vendor": True})
        assert first.status_code == 202
        body = first.json()
        assert body["batch_id"].startswith("bc_") and len(body["batch_id"]) == 11
        assert body["status"] == "queued"
        assert [job["job_name"] for job in body["collectors"]] == [
            "ninja-collector",
            "cross-vendor-checks",
            "windows-11-24h2-assessment",
        ]
        assert first.headers["location"] == f"/api/collectors/runs/batch/{body['batch_id']}"

        conflict = await hub.client.post("/api/collectors/run", json={"collectors": ["threatlocker", "ninja"]})
        assert conflict.status_code == 409
        assert conflict.json()["error"] == "A collection is already running for: ninja"
        assert conflict.json()["batch_id"] == body["batch_id"]

        other = await hub.client.post(
            "/api/collectors/run", json={"collectors": ["threatlocker"], "run_cross_vendor": False}
        )
        assert other.status_code == 202
        assert [job["job_name"] for job in other.json()["collectors"]] == ["threatlocker-collector"]

        progress = (await hub.client.get("/api/collectors/progress")).json()
        assert progress["total_active"] == 2
        latest = (await hub.client.get("/api/collectors/runs/latest")).json()
        assert {run["job_name"] for run in latest["latest_runs"]} == {
            "ninja-collector",
            "threatlocker-collector",
        }
        status = (await hub.client.get("/api/collectors/status")).json()
        assert status["ninja"]["status"] == "queued" and status["ninja"]["worker_ready"] is False


async def test_invalid_input_answers_400_and_unknown_ids_404(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=60, seed=1) as sim:
        hub = await hub_factory(sim, services=())
        client = hub.client
        cases = [
            ({"collectors": ["ninja", "sophos"]}, "Invalid value for collectors.1"),
            ({"collector": "all"}, "Invalid value for collector"),
            ({"collectors": []}, "Invalid value for collectors"),
            ({"collectors": ["ninja"], "collector": "ninja"}, "send either 'collectors' or 'collector'"),
            ({"snapshot_date": "2026-13-01"}, "Invalid value for snapshot_date"),
            (
                {"snapshot_date": (datetime.now(UTC) + timedelta(days=3)).date().isoformat()},
                "snapshot_date cannot be in the future",
            ),
        ]
        for body, message in cases:
            response = await client.post("/api/collectors/run", json=body)
            assert response.status_code == 400, body
            assert message in response.json()["error"], response.json()
        malformed = await client.post(
            "/api/collectors/run", content=b"{oops", headers={"content-type": "application/json"}
        )
        assert (malformed.status_code, malformed.json()) == (400, {"error": "Malformed JSON body"})
        assert (await client.get("/api/collectors/runs/batch/bc_00000000")).json() == {"error": "Batch not found"}
        assert (await client.get("/api/collectors/runs/job/ni_00000000")).status_code == 404
        assert (await client.get("/api/collectors/history?limit=0")).status_code == 400
        assert (await client.get("/api/collectors/history?limit=abc")).status_code == 400
        assert (await client.get("/api/collectors/runs/latest?collectors=ninja,x")).status_code == 400
        # No body at all means both collectors with cross-vendor checks.
        default = await client.post("/api/collectors/run")
        assert default.status_code == 202
        assert len(default.json()["collectors"]) == 4


async def test_a_schedule_firing_starts_one_batch_however_many_replicas_fire(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=60, seed=1) as sim:
        hub = await hub_factory(sim, services=())
        runtime = hub.runtimes["gateway"]
        fire_at = next_firing("0 2 * * *", datetime(2026, 11, 23, 12, tzinfo=UTC), runtime.settings)
        assert fire_at == datetime(2026, 11, 24, 8, tzinfo=UTC)  # 02:00 in America/Chicago
        first = await fire_schedule(runtime, fire_at)
        second = await fire_schedule(runtime, fire_at)
        assert first is not None and first.startswith("bc_")
        assert second is None
        async with hub.database.transaction() as session:
            batches = (await session.execute(text("SELECT batch_id, trigger FROM gateway.collector_batches"))).all()
        assert [tuple(row) for row in batches] == [(first, "schedule")]


async def test_a_run_started_with_an_api_token_records_who_asked(vendor_sim, hub_factory) -> None:
    with vendor_sim(devices=60, seed=1) as sim:
        hub = await hub_factory(sim, services=())
        auth = hub.runtimes["gateway"].state["auth"]
        async with hub.database.transaction() as session:
            secret, _row = await auth.create_token(
                session,
                name="nightly-script",
                scopes=["collectors:write"],
                expires_at=datetime.now(UTC) + timedelta(days=1),
            )
        response = await hub.client.post(
            "/api/collectors/run", json={"collector": "ninja"}, headers={"authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 202
        assert response.json()["requested_by"] == "token:nightly-script"
        anonymous = await hub.client.post("/api/collectors/run", json={"collector": "threatlocker"})
        assert anonymous.json()["requested_by"] is None


def _at(stamp: str) -> datetime:
    assert stamp.endswith("Z"), stamp
    return datetime.fromisoformat(stamp)


async def test_estimated_completion_and_durations_of_a_finished_batch(vendor_sim, hub_factory) -> None:
    """The estimate is a start-time guess (no history: 300 s); once the batch is over it is the real end,
    never a time after it. Durations are whole seconds (int), as the replaced system served them."""
    with vendor_sim(devices=60, seed=4) as sim:
        hub = await hub_factory(sim)
        started = await hub.client.post("/api/collectors/run", json={"collector": "both", "run_cross_vendor": False})
        queued = started.json()
        guess = (_at(queued["estimated_completion"]) - _at(queued["updated_at"])).total_seconds()
        assert 299 <= guess <= 301, guess  # no completed run to learn from yet: the 300 s default

        batch = await hub.wait_for_batch(queued["batch_id"])
        assert batch["status"] == "completed"
        assert batch["ended_at"] is not None
        assert batch["estimated_completion"] == batch["ended_at"]
        job = (await hub.client.get(f"/api/collectors/runs/job/{batch['collectors'][0]['job_id']}")).json()
        assert job["batch_status"] == "completed" and job["estimated_completion"] == batch["ended_at"]
        latest = (await hub.client.get("/api/collectors/runs/latest")).json()
        assert {run["estimated_completion"] for run in latest["latest_runs"]} == {batch["ended_at"]}

        for view in [batch, *batch["collectors"]]:
            elapsed = (_at(view["ended_at"]) - _at(view["started_at"])).total_seconds()
            assert type(view["duration_seconds"]) is int
            assert view["duration_seconds"] == int(elapsed)
        history = (await hub.client.get("/api/collectors/history")).json()["collection_history"]
        for run in history:
            assert type(run["duration_seconds"]) is int
            assert run["duration"] == f"{run['duration_seconds']}s"  # under a minute: "Ns"
