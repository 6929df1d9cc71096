"""All SQL of the assessment service: its own ``assessment`` tables and the Ninja views it reads.

Ninja data is read only through the published views ``ninja.snapshots_v1`` and
``ninja.snapshot_devices_v1``. A snapshot's hardware columns are streamed through a server-side cursor
in chunks; what Python computes (each distinct outcome once, one outcome number per device) is COPYed
into scratch tables, and one ``INSERT ... SELECT`` joins it back to the snapshot rows. Memory stays
flat and the descriptive columns never travel through Python: 100,000 devices take a few seconds.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import asyncpg
from sqlalchemy import delete, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.models import SCHEMA, device_results, requirement_results, runs
from hub_shared.db import copy_rows, raw_connection

# What the rules read from ninja.snapshot_devices_v1, in the field order of readiness.DeviceHardware (so a
# fetched row minus its device_id is the DeviceHardware; a test pins the correspondence).
HARDWARE_COLUMNS: tuple[str, ...] = (
    "node_class",
    "os_name",
    "os_build",
    "os_release_id",
    "os_architecture",
    "ram_bytes",
    "system_volume_bytes",
    "cpu_model",
    "cpu_cores",
    "cpu_logical_cores",
    "cpu_max_clock_mhz",
    "has_tpm",
    "tpm_enabled",
    "tpm_version",
    "secure_boot_available",
    "secure_boot_enabled",
    "system_manufacturer",
    "system_model",
)
# What Python computes: each distinct outcome once (COPYed to a scratch table) and one outcome number per
# device (sent as arrays with each chunk's insert). The descriptive columns are joined from the view in
# SQL (insert_results), so they never make the round trip through Python.
OUTCOME_COLUMNS: tuple[str, ...] = (
    "outcome_no",
    "verdict",
    "already_installed",
    "installed_release",
    "reason",
    "requirement_ids",
)
# Copied from the snapshot row into each result, so a date's results stand alone after the snapshot
# itself is pruned.
DESCRIPTIVE_COLUMNS: tuple[str, ...] = (
    "organization_id",
    "organization_name",
    "location_name",
    "hostname",
    "system_name",
    "display_name",
    "device_type",
    "node_class",
    "is_billable",
    "is_spare",
    "os_name",
    "os_build",
    "os_release_id",
    "os_architecture",
    "cpu_model",
    "ram_bytes",
    "system_manufacturer",
    "system_model",
    "last_contact",
    "collected_at",
)

_CURSOR = "assessment_snapshot_devices"
_DEVICES_QUERY = (
    f"DECLARE {_CURSOR} NO SCROLL CURSOR FOR SELECT device_id, {', '.join(HARDWARE_COLUMNS)} "
    "FROM ninja.snapshot_devices_v1 WHERE snapshot_date = $1"
)
_OUTCOMES = "assessment_run_outcomes"
_CREATE_SCRATCH = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_OUTCOMES} (outcome_no integer PRIMARY KEY, verdict text NOT NULL, "
    "already_installed boolean NOT NULL, installed_release text, reason text NOT NULL, "
    "requirement_ids bigint[] NOT NULL) ON COMMIT DROP",
    f"TRUNCATE {_OUTCOMES}",
)
_RESULT_NAMES = ", ".join(column.name for column in device_results.columns)
_INSERT_RESULTS = (
    f"INSERT INTO {SCHEMA}.{device_results.name} ({_RESULT_NAMES}) "
    f"SELECT d.snapshot_date, d.device_id, $2::bigint, "
    f"{', '.join('o.' + column for column in OUTCOME_COLUMNS[1:])}, "
    f"{', '.join('d.' + column for column in DESCRIPTIVE_COLUMNS)} "
    "FROM unnest($3::bigint[], $4::integer[]) AS x(device_id, outcome_no) "
    "JOIN ninja.snapshot_devices_v1 d ON d.snapshot_date = $1 AND d.device_id = x.device_id "
    f"JOIN pg_temp.{_OUTCOMES} o ON o.outcome_no = x.outcome_no"
)
# The SELECT list above, in device_results column order (a test pins it).
RESULT_SOURCES: tuple[str, ...] = ("snapshot_date", "device_id", "run_id", *OUTCOME_COLUMNS[1:], *DESCRIPTIVE_COLUMNS)


# ------------------------------------------------------------------------------------ writing a run


async def lock_assessments(session: AsyncSession) -> None:
    """One assessment at a time (held until the transaction ends).

    Runs are short; serialising them all (not per date) also keeps two runs from inserting the same
    shared requirement results in opposite orders and deadlocking.
    """
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"{SCHEMA}.run"})


async def ninja_snapshot(session: AsyncSession, snapshot_date: date | None = None) -> RowMapping | None:
    """The Ninja snapshot of that date, or the latest one when no date is given."""
    statement = "SELECT snapshot_date, device_count, collected_at FROM ninja.snapshots_v1"
    params: dict[str, Any] = {}
    if snapshot_date is not None:
        statement += " WHERE snapshot_date = :day"
        params["day"] = snapshot_date
    statement += " ORDER BY snapshot_date DESC LIMIT 1"
    return (await session.execute(text(statement), params)).mappings().first()


async def insert_run(
    session: AsyncSession,
    *,
    snapshot_date: date,
    assessed_at: datetime,
    trigger: str,
    batch_id: str | None,
    job_id: str | None,
    event_id: uuid.UUID | None,
    requested_by: str | None,
) -> int:
    run_id = await session.scalar(
        runs.insert()
        .values(
            snapshot_date=snapshot_date,
            assessed_at=assessed_at,
            trigger=trigger,
            batch_id=batch_id,
            job_id=job_id,
            event_id=event_id,
            requested_by=requested_by,
        )
        .returning(runs.c.run_id)
    )
    assert run_id is not None
    return int(run_id)


async def finish_run(
    session: AsyncSession, run_id: int, *, device_count: int, counts: Mapping[str, int], duration_ms: int
) -> None:
    await session.execute(
        update(runs)
        .where(runs.c.run_id == run_id)
        .values(device_count=device_count, counts=dict(counts), duration_ms=duration_ms)
    )


async def clear_results(session: AsyncSession, snapshot_date: date) -> None:
    await session.execute(delete(device_results).where(device_results.c.snapshot_date == snapshot_date))


async def stream_hardware(
    session: AsyncSession, snapshot_date: date, chunk_size: int
) -> AsyncIterator[list[asyncpg.Record]]:
    """The snapshot's devices in chunks: ``(device_id, *HARDWARE_COLUMNS)`` records."""
    driver = await raw_connection(session)
    await driver.execute(_DEVICES_QUERY, snapshot_date)
    fetch = f"FETCH {int(chunk_size)} FROM {_CURSOR}"
    while True:
        chunk = await driver.fetch(fetch)
        if not chunk:
            break
        yield chunk
    await driver.execute(f"CLOSE {_CURSOR}")


async def insert_requirement_results(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Store requirement results not stored yet (the id is a hash of the content, so equal ones coincide)."""
    if not rows:
        return
    ordered = sorted(rows, key=lambda row: row["result_id"])
    await session.execute(insert(requirement_results).on_conflict_do_nothing(index_elements=["result_id"]), ordered)


async def start_scratch(session: AsyncSession) -> None:
    """An empty scratch table (dropped at commit) for the run's distinct outcomes."""
    driver = await raw_connection(session)
    for statement in _CREATE_SCRATCH:
        await driver.execute(statement)


async def copy_outcomes(session: AsyncSession, rows: Sequence[tuple[Any, ...]]) -> None:
    """COPY new distinct outcomes (``OUTCOME_COLUMNS`` rows) into the scratch table."""
    await copy_rows(session, _OUTCOMES, rows, OUTCOME_COLUMNS)


async def insert_results(
    driver: asyncpg.Connection, snapshot_date: date, run_id: int, device_ids: list[int], outcome_nos: list[int]
) -> int:
    """Store one chunk of results: each device's outcome joined with its snapshot row, in SQL.

    Takes the raw connection (see :func:`raw_connection`) so the caller can run it as a task and
    assess the next chunk while the database inserts this one. Returns the rows inserted.
    """
    if not device_ids:
        return 0
    status = await driver.execute(_INSERT_RESULTS, snapshot_date, run_id, device_ids, outcome_nos)
    return int(status.rsplit(" ", 1)[-1])


async def prune_results(session: AsyncSession, before: date) -> int:
    """Drop per-device results of dates before ``before``; runs (the aggregates) stay forever."""
    result = await session.execute(delete(device_results).where(device_results.c.snapshot_date < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
