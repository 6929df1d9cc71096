"""Assessing a Ninja snapshot against the real database: verdicts, counts, idempotent replace, history."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from assessment.models import device_results
from assessment.readiness import DeviceHardware
from assessment.results import service as results
from assessment.runs import repository
from assessment.runs import service as runs
from assessment.runs.service import NoSnapshot
from assessment.schedule import repository as schedule
from hub_shared.db import Database

from .conftest import D1, D2, HAND_MADE_COUNTS, device, hand_made_fleet, rows, scalar, seed_snapshot


async def assess(database: Database, day=D1, **kwargs):
    async with database.transaction() as session:
        return await runs.assess_snapshot(session, day, trigger="manual", producer="tests", **kwargs)


async def verdicts(database: Database, day=D1) -> dict[int, str]:
    found = await rows(
        database, "SELECT device_id, verdict FROM assessment.device_results WHERE snapshot_date = :day", day=day
    )
    return {row[0]: row[1] for row in found}


async def test_hand_made_fleet_gets_the_expected_verdict_per_device_and_counts(database: Database) -> None:
    fleet = hand_made_fleet()
    await seed_snapshot(database, D1, [row for row, _, _ in fleet.values()])

    summary = await assess(database, chunk_size=4)  # several chunks, so chunking is exercised too

    # Windows workstations get a stored result; servers, Macs and VM guests are only counted.
    assert await verdicts(database) == {device_id: verdict for device_id, (_, verdict, scope) in fleet.items() if scope}
    assert summary.counts == HAND_MADE_COUNTS
    assert summary.device_count == len(fleet)
    assert summary.compatibility_rate == round(7 * 100 / 13, 1)
    counts = summary.counts
    assert counts["total_windows_devices"] == (
        counts["total_compatible_devices"] + counts["incompatible_devices"] + counts["not_assessed_devices"]
    )
    stored = await rows(database, "SELECT counts, device_count, trigger FROM assessment.runs")
    assert stored == [(HAND_MADE_COUNTS, len(fleet), "manual")]
    # The assessment.completed event is in the outbox, in the same transaction.
    events = await rows(database, "SELECT payload FROM assessment.outbox WHERE type = 'assessment.completed'")
    assert [event[0]["data"]["counts"] for event in events] == [HAND_MADE_COUNTS]


async def test_missing_tpm_data_is_insufficient_data_and_firmware_settings_are_the_remediation(
    database: Database,
) -> None:
    fleet = hand_made_fleet()
    await seed_snapshot(database, D1, [fleet[i][0] for i in (4, 5, 6)])
    await assess(database)
    found = await rows(
        database,
        "SELECT r.device_id, r.verdict, r.reason, (SELECT json_agg(json_build_object('key', q.key, "
        "'status', q.status, 'current_value', q.current_value, 'remediation', q.remediation, 'fixable', q.fixable) "
        "ORDER BY k.position) FROM unnest(r.requirement_ids) WITH ORDINALITY AS k(result_id, position) "
        "JOIN assessment.requirement_results q USING (result_id)) "
        "FROM assessment.device_results r ORDER BY r.device_id",
    )
    by_id = {row[0]: row for row in found}

    _, verdict, reason, requirements = by_id[4]
    assert verdict == "not_assessed"
    assert reason.startswith("insufficient data")
    tpm = next(item for item in requirements if item["key"] == "tpm")
    assert tpm["status"] == "insufficient_data" and tpm["current_value"] == "Unknown"

    _, verdict, _, requirements = by_id[5]
    assert verdict == "compatible_after_fix"
    failed = [item for item in requirements if item["status"] != "passed"]
    assert [item["key"] for item in failed] == ["tpm"]
    assert failed[0]["fixable"] is True
    assert "Enable the TPM" in failed[0]["remediation"]

    _, verdict, _, requirements = by_id[6]
    assert verdict == "compatible_after_fix"
    failed = [item for item in requirements if item["status"] != "passed"]
    assert [item["key"] for item in failed] == ["secure_boot"]
    assert "Enable Secure Boot" in failed[0]["remediation"]


async def test_reassessing_a_date_replaces_its_results_and_shares_requirement_results(database: Database) -> None:
    fleet = hand_made_fleet()
    await seed_snapshot(database, D1, [row for row, _, _ in fleet.values()])
    first = await assess(database)
    stored_after_first = await scalar(database, "SELECT count(*) FROM assessment.requirement_results")
    second = await assess(database)

    assert second.counts == first.counts
    assert second.run_id != first.run_id
    assert await scalar(database, "SELECT count(*) FROM assessment.device_results") == 13
    assert await scalar(database, "SELECT count(DISTINCT run_id) FROM assessment.device_results") == 1
    # Content-addressed: the same requirement results are reused, never duplicated.
    assert await scalar(database, "SELECT count(*) FROM assessment.requirement_results") == stored_after_first
    # 13 Windows workstations × 7 requirements, but most results are shared.
    assert stored_after_first < 30


async def test_history_shows_a_newly_incompatible_device(database: Database) -> None:
    fleet = hand_made_fleet()
    await seed_snapshot(database, D1, [fleet[i][0] for i in (1, 7, 14)])
    await assess(database, D1)
    # Next day device 1 reports 2 GB of RAM (a swapped module): newly incompatible; 7 stays so.
    await seed_snapshot(database, D2, [device(1, "ACME-READY", ram_bytes=2 * GiB), fleet[7][0], fleet[14][0]])
    await assess(database, D2)

    status = await _status(database)
    assert status.run is not None and status.run["snapshot_date"] == D2
    assert status.previous_date == D1
    assert status.newly_incompatible == 1
    async with database.transaction() as session:
        history = await results.device_history(session, 1)
    assert [(row["snapshot_date"], row["verdict"]) for row in history] == [(D2, "incompatible"), (D1, "compatible")]


async def test_results_older_than_the_retention_are_pruned_but_runs_stay(database: Database) -> None:
    old = D1 - timedelta(days=30)
    await seed_snapshot(database, old, [device(1, "A")])
    await assess(database, old)
    await seed_snapshot(database, D1, [device(1, "A")])
    await assess(database, D1, retention_days=10)
    assert await rows(database, "SELECT DISTINCT snapshot_date FROM assessment.device_results") == [(D1,)]
    assert await scalar(database, "SELECT count(*) FROM assessment.runs") == 2


def test_fetched_hardware_columns_are_the_device_hardware_fields_in_order() -> None:
    # The service builds DeviceHardware(*row[1:]) from the fetched columns: their order must match.
    fields = [field.name for field in dataclasses.fields(DeviceHardware)]
    assert [{"cpu_model": "cpu_name"}.get(name, name) for name in repository.HARDWARE_COLUMNS] == fields


def test_the_results_insert_selects_in_table_column_order() -> None:
    assert [column.name for column in device_results.columns] == list(repository.RESULT_SOURCES)


async def test_no_snapshot_raises(database: Database) -> None:
    with pytest.raises(NoSnapshot, match="No Ninja snapshot has been collected yet"):
        await assess(database, None)
    await seed_snapshot(database, D1, [device(1, "A")])
    with pytest.raises(NoSnapshot, match="2031-03-11"):
        await assess(database, D2)
    assert (await assess(database, None)).snapshot_date == D1  # None: the latest snapshot


async def _status(database: Database) -> results.Status:
    async with database.transaction() as session:
        return await results.status(session)


GiB = 1024**3


async def test_a_claimed_scheduled_run_is_not_among_the_waiting_ones(database: Database) -> None:
    now = datetime.now(UTC)
    claimed, waiting = uuid.uuid4(), uuid.uuid4()
    async with database.transaction() as session:
        for event_id, due in ((claimed, now - timedelta(minutes=1)), (waiting, now + timedelta(hours=1))):
            job_id = f"w24_{event_id.hex[:8]}"
            await schedule.schedule_run(
                session, event_id=event_id, snapshot_date=D1, due_at=due, batch_id=None, job_id=job_id
            )
    async with database.transaction() as runner:
        run = await schedule.claim_due_run(runner, now)  # a replica is executing this one
        assert run is not None and run["event_id"] == claimed
        async with database.transaction() as heartbeat:
            assert [row["event_id"] for row in await schedule.waiting_runs(heartbeat)] == [waiting]
        await schedule.delete_scheduled_run(runner, claimed)
    async with database.transaction() as session:
        await schedule.delete_scheduled_run(session, waiting)
