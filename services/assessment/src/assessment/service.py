"""Assessing a Ninja snapshot and reading the results back (logic only: SQL is in ``repository.py``).

:func:`assess_snapshot` streams every device of one snapshot date from ``ninja.snapshot_devices_v1``,
runs the pure rules of :mod:`assessment.readiness` on each, and replaces that date's per-device results
in the caller's transaction, together with the run's counts and the ``assessment.completed`` event.
Running it again for the same date gives the same rows (idempotent replace).

Which devices count (``reference/response-shapes.md`` §6 and ``domain-rules.md``): every device of the
snapshot goes through the rules, but only Windows workstations are *in scope* and get a stored result —
servers, Macs, Linux machines and VM guests are out of scope (``not_assessed`` by the rules) and are
only counted, as ``excluded_devices``. Within scope (these always add up):

    total_windows_devices = total_compatible_devices + incompatible_devices + not_assessed_devices
    total_compatible_devices = already_compatible_devices + compatible_for_upgrade_devices
    compatible_after_fix_devices ⊆ compatible_for_upgrade_devices

``compatible_after_fix`` (only a firmware setting is off: TPM disabled or Secure Boot capable but off)
counts as compatible — the rules say "fixable, not incompatible" — inside
``compatible_for_upgrade_devices``, and is also reported on its own. ``not_assessed_devices`` are
Windows workstations whose data is insufficient (e.g. TPM fields missing): never counted compatible.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from assessment import repository as repo
from assessment.models import messaging
from assessment.readiness import (
    ALREADY_INSTALLED_REQUIREMENT,
    Assessment,
    DeviceHardware,
    RequirementResult,
    Verdict,
    assess,
)
from hub_shared.events import AssessmentCompleted, new_event, utcnow
from hub_shared.messaging import enqueue

JOB_NAME = "windows-11-24h2-assessment"
CHUNK_SIZE = 5000
_SEEN_MAX = 50_000

COMPATIBLE = Verdict.COMPATIBLE.value
AFTER_FIX = Verdict.COMPATIBLE_AFTER_FIX.value
INCOMPATIBLE = Verdict.INCOMPATIBLE.value
NOT_ASSESSED = Verdict.NOT_ASSESSED.value

COUNT_KEYS: tuple[str, ...] = (
    "total_windows_devices",
    "total_compatible_devices",
    "already_compatible_devices",
    "compatible_for_upgrade_devices",
    "compatible_after_fix_devices",
    "incompatible_devices",
    "not_assessed_devices",
    "excluded_devices",
)

Progress = Callable[[int, str], Awaitable[None]]


class NoSnapshot(Exception):
    """There is no Ninja snapshot to assess (none collected yet, or that date's was pruned)."""


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    snapshot_date: date
    assessed_at: datetime
    device_count: int
    counts: dict[str, int]
    duration_ms: int

    @property
    def compatibility_rate(self) -> float | int:
        return compatibility_rate(self.counts)


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


def compatibility_rate(counts: Mapping[str, int]) -> float | int:
    """Compatible ÷ Windows devices × 100, one decimal; the integer 0 when there are none (as the spec)."""
    total = counts.get("total_windows_devices", 0)
    if not total:
        return 0
    return round(counts.get("total_compatible_devices", 0) * 100 / total, 1)


# ---------------------------------------------------------------------------------- stored results

# The spec's words for requirement statuses (response-shapes.md §6).
RESPONSE_STATUS = {"passed": "PASS", "failed": "FAIL", "insufficient_data": "ERROR"}


def requirement_row(result: RequirementResult) -> dict[str, Any]:
    """The stored form of one requirement result; its id is a hash of the content."""
    row: dict[str, Any] = {
        "key": result.key,
        "requirement": result.requirement,
        "status": result.status.value,
        "current_value": result.current_value,
        "required_value": result.required_value,
        "reason": result.reason,
        "remediation": result.remediation,
        "fixable": result.fixable,
    }
    content = "\x1f".join(str(row[name]) for name in sorted(row))
    digest = hashlib.md5(content.encode(), usedforsecurity=False).digest()
    row["result_id"] = int.from_bytes(digest[:8], "big", signed=True)
    return row


def requirement_view(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A stored requirement result in the spec's deficiency / passed-requirement shape (plus key, fixable)."""
    return {
        "requirement": row["requirement"],
        "status": RESPONSE_STATUS[row["status"]],
        "current_value": row["current_value"],
        "required": row["required_value"],
        "reason": row["reason"],
        "remediation": row["remediation"],
        "key": row["key"],
        "fixable": row["fixable"],
    }


class _Recorder:
    """Numbers each distinct outcome of a run and collects what is not stored yet.

    An outcome is what a device's result row holds besides its snapshot columns (repository.OUTCOME_COLUMNS:
    verdict, already installed, installed release, reason, requirement result ids), plus whether it is in
    scope; out-of-scope outcomes are only counted. Equal outcomes get one number, however many Assessment
    objects the rules produced for them.
    """

    def __init__(self) -> None:
        # Keyed by id(): the Assessment is held in the value, so its id cannot be reused meanwhile.
        self.by_assessment: dict[int, tuple[Assessment, int]] = {}
        self.numbers: dict[tuple[Any, ...], int] = {}
        self.outcomes: list[tuple[Any, ...]] = []
        self.new_outcomes: list[tuple[Any, ...]] = []
        self.results: dict[int, tuple[int, RequirementResult]] = {}
        self.stored: set[int] = set()
        self.pending: list[dict[str, Any]] = []
        self.tally: Counter[int] = Counter()
        self.excluded: set[int] = set()

    def outcome_no(self, assessment: Assessment) -> int:
        known = self.by_assessment.get(id(assessment))
        if known is not None:
            return known[1]
        if len(self.by_assessment) > _SEEN_MAX:
            self.by_assessment.clear()  # bounded memory; outcome numbers stay (they are keyed by content)
        content = (
            assessment.verdict.value,
            # Out-of-scope devices (servers, Macs, ...) get no requirement at all; Windows
            # workstations with insufficient data still carry every requirement.
            bool(assessment.requirements),
            assessment.already_installed,
            assessment.installed_release,
            assessment.reason,
            tuple([self._result_id(result) for result in assessment.requirements]),
        )
        number = self.numbers.get(content)
        if number is None:
            number = self.numbers[content] = len(self.outcomes)
            row = (number, content[0], *content[2:5], list(content[5]))
            self.outcomes.append(row)
            if content[1]:
                self.new_outcomes.append(row)
            else:
                self.excluded.add(number)
        self.by_assessment[id(assessment)] = (assessment, number)
        return number

    def _result_id(self, result: RequirementResult) -> int:
        known = self.results.get(id(result))
        if known is not None:
            return known[0]
        row = requirement_row(result)
        result_id: int = row["result_id"]
        self.results[id(result)] = (result_id, result)
        if result_id not in self.stored:
            self.stored.add(result_id)
            self.pending.append(row)
        return result_id

    def take_pending(self) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
        """Requirement results and outcomes found since the last call."""
        pending, self.pending = self.pending, []
        outcomes, self.new_outcomes = self.new_outcomes, []
        return pending, outcomes

    def counts(self) -> dict[str, int]:
        counts = empty_counts()
        for number, devices in self.tally.items():
            _, verdict, already = self.outcomes[number][:3]
            in_scope = number not in self.excluded
            if not in_scope:
                counts["excluded_devices"] += devices
                continue
            counts["total_windows_devices"] += devices
            if verdict == COMPATIBLE:
                counts["total_compatible_devices"] += devices
                counts["already_compatible_devices" if already else "compatible_for_upgrade_devices"] += devices
            elif verdict == AFTER_FIX:
                counts["total_compatible_devices"] += devices
                counts["compatible_for_upgrade_devices"] += devices
                counts["compatible_after_fix_devices"] += devices
            elif verdict == INCOMPATIBLE:
                counts["incompatible_devices"] += devices
            else:
                counts["not_assessed_devices"] += devices
        return counts


# ------------------------------------------------------------------------------------- assessing


async def assess_snapshot(
    session: AsyncSession,
    snapshot_date: date | None,
    *,
    trigger: str,
    producer: str,
    batch_id: str | None = None,
    job_id: str | None = None,
    event_id: uuid.UUID | None = None,
    requested_by: str | None = None,
    retention_days: int = 65,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> RunSummary:
    """Assess the Ninja snapshot of ``snapshot_date`` (the latest when None) in the caller's transaction.

    Raises :class:`NoSnapshot` when there is no such snapshot.
    """
    started = time.perf_counter()
    await repo.lock_assessments(session)
    snapshot = await repo.ninja_snapshot(session, snapshot_date)
    if snapshot is None:
        if snapshot_date is None:
            raise NoSnapshot("No Ninja snapshot has been collected yet")
        raise NoSnapshot(f"There is no Ninja snapshot for {snapshot_date.isoformat()}")
    day: date = snapshot["snapshot_date"]
    expected = max(int(snapshot["device_count"] or 0), 1)
    assessed_at = utcnow()
    run_id = await repo.insert_run(
        session,
        snapshot_date=day,
        assessed_at=assessed_at,
        trigger=trigger,
        batch_id=batch_id,
        job_id=job_id,
        event_id=event_id,
        requested_by=requested_by,
    )

    recorder = _Recorder()
    await repo.clear_results(session, day)
    await repo.start_scratch(session)
    connection = await repo.raw_connection(session)
    # Alike devices (same hardware, firmware and OS) get the same outcome: skip the rules for repeats.
    seen: dict[tuple[Any, ...], int] = {}
    # Outcome numbers of devices outside the Windows-workstation population: counted, not stored.
    excluded = recorder.excluded
    tally = recorder.tally
    done = sent = stored = 0
    last_reported = 0
    # While the database inserts one chunk's results, Python assesses the next chunk.
    inserting: asyncio.Task[int] | None = None
    chunks = repo.stream_hardware(session, day, chunk_size)
    chunk = await anext(chunks, None)
    try:
        while chunk is not None:
            device_ids: list[int] = []
            numbers: list[int] = []
            if len(seen) > _SEEN_MAX:
                seen.clear()  # bounded memory on fleets where no two devices are alike
            for record in chunk:
                hardware = record[1:]
                number = seen.get(hardware)
                if number is None:
                    number = seen[hardware] = recorder.outcome_no(assess(DeviceHardware(*hardware)))
                tally[number] += 1
                if number not in excluded:
                    device_ids.append(record[0])
                    numbers.append(number)
            if inserting is not None:
                stored += await inserting
                inserting = None
            requirement_rows, outcome_rows = recorder.take_pending()
            await repo.insert_requirement_results(session, requirement_rows)
            await repo.copy_outcomes(session, outcome_rows)
            done += len(chunk)
            sent += len(device_ids)
            # The next chunk is fetched before the connection is busy with this chunk's insert; the
            # insert task gets to send its statement before the next chunk's CPU work starts.
            chunk = await anext(chunks, None)
            inserting = asyncio.create_task(repo.insert_results(connection, day, run_id, device_ids, numbers))
            await asyncio.sleep(0)
            percent = 5 + int(85 * min(done, expected) / expected)
            if progress is not None and percent - last_reported >= 10:
                last_reported = percent
                await progress(percent, f"Windows 11 24H2: {done:,} of {expected:,} devices assessed")
        if inserting is not None:
            stored += await inserting
            inserting = None
    finally:
        if inserting is not None:
            # Let the statement finish, so the connection is usable for the rollback that follows.
            with contextlib.suppress(Exception):
                await inserting
    if stored != sent:
        # The snapshot was replaced while we read it; the collector's own snapshot.completed follows.
        raise RuntimeError(f"the Ninja snapshot of {day.isoformat()} changed during the assessment")

    counts = recorder.counts()
    await repo.prune_results(session, day - timedelta(days=retention_days))
    duration_ms = int((time.perf_counter() - started) * 1000)
    await repo.finish_run(session, run_id, device_count=done, counts=counts, duration_ms=duration_ms)
    await enqueue(
        session,
        messaging,
        new_event(AssessmentCompleted(assessed_at=assessed_at, counts=counts, batch_id=batch_id), producer=producer),
    )
    return RunSummary(run_id, day, assessed_at, done, counts, duration_ms)


def summary_message(summary: RunSummary) -> str:
    """One line for job messages and logs."""
    counts = summary.counts
    return (
        f"Windows 11 24H2 ({summary.snapshot_date.isoformat()}): {counts['total_windows_devices']:,} Windows "
        f"devices, {counts['total_compatible_devices']:,} compatible, {counts['incompatible_devices']:,} "
        f"incompatible, {counts['not_assessed_devices']:,} not assessed"
    )


def summary_output(summary: RunSummary, stamp: str) -> str:
    """The ``output`` text of ``POST /run``, in the shape the replaced script printed."""
    counts = summary.counts
    return "\n".join(
        (
            f"{stamp} - INFO - Assessment complete:",
            f"  - Snapshot date: {summary.snapshot_date.isoformat()}",
            f"  - Total devices assessed: {counts['total_windows_devices']}",
            f"  - Compatible devices: {counts['total_compatible_devices']}",
            f"    - Already on 24H2 or newer: {counts['already_compatible_devices']}",
            f"    - Compatible for upgrade: {counts['compatible_for_upgrade_devices']}"
            f" (after a firmware fix: {counts['compatible_after_fix_devices']})",
            f"  - Incompatible devices: {counts['incompatible_devices']}",
            f"  - Not assessed (insufficient data): {counts['not_assessed_devices']}",
            f"  - Not Windows workstations (excluded): {counts['excluded_devices']}",
            f"  - Compatibility rate: {compatibility_rate(counts)}%",
        )
    )


# ------------------------------------------------------------------------------------------ reads


@dataclass(frozen=True)
class Status:
    run: RowMapping | None
    counts: dict[str, int]
    previous_date: date | None
    newly_incompatible: int


async def status(session: AsyncSession, snapshot_date: date | None = None) -> Status:
    """The counts of the newest run of the newest assessed date (or of ``snapshot_date``)."""
    run = await repo.latest_run(session, snapshot_date)
    if run is None:
        return Status(None, empty_counts(), None, 0)
    counts = {**empty_counts(), **{key: int(value) for key, value in (run["counts"] or {}).items()}}
    previous = await repo.previous_result_date(session, run["snapshot_date"])
    newly = await repo.newly_incompatible_count(session, run["snapshot_date"], previous) if previous else 0
    return Status(run, counts, previous, newly)


@dataclass(frozen=True)
class DeviceList:
    run: RowMapping | None
    previous_date: date | None
    devices: list[RowMapping]
    # requirement_results rows by id, for the devices' requirement_ids
    requirements: dict[int, RowMapping]
    by_organization: list[tuple[str, int]]

    @property
    def total_count(self) -> int:
        return sum(count for _, count in self.by_organization)


# Which verdicts each list shows; "compatible" leaves out devices already on 24H2 unless asked.
LISTS: dict[str, tuple[str, ...]] = {
    "incompatible": (INCOMPATIBLE,),
    "compatible": (COMPATIBLE, AFTER_FIX),
    "not_assessed": (NOT_ASSESSED,),
}


async def device_list(
    session: AsyncSession,
    which: str,
    *,
    snapshot_date: date | None = None,
    organization: str | None = None,
    include_already_installed: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> DeviceList:
    run = await repo.latest_run(session, snapshot_date)
    if run is None:
        return DeviceList(None, None, [], {}, [])
    day = run["snapshot_date"]
    verdicts = LISTS[which]
    already = False if which == "compatible" and not include_already_installed else None
    previous = await repo.previous_result_date(session, day)
    devices = await repo.list_devices(
        session,
        day,
        verdicts,
        already_installed=already,
        organization=organization,
        previous_date=previous,
        limit=limit,
        offset=offset,
    )
    requirements = await repo.requirement_results_by_id(
        session, list({result_id for device in devices for result_id in device["requirement_ids"]})
    )
    by_organization = await repo.counts_by_organization(
        session, day, verdicts, already_installed=already, organization=organization
    )
    return DeviceList(run, previous, devices, requirements, by_organization)


async def device_history(session: AsyncSession, device_id: int) -> list[RowMapping]:
    return await repo.device_history(session, device_id)


def already_installed_requirement(release: str | None) -> dict[str, Any]:
    """The passed requirement the replaced system gave devices already on 24H2 (status counts it)."""
    current = release or "24H2"
    return {
        "requirement": ALREADY_INSTALLED_REQUIREMENT,
        "status": "PASS",
        "current_value": current,
        "required": "Windows 11 24H2 or newer",
        "reason": f"Windows 11 {current} is already installed",
        "remediation": None,
        "key": "already_installed",
        "fixable": False,
    }


# --------------------------------------------------------------------------------- scheduled runs


async def schedule_run(
    session: AsyncSession,
    *,
    event_id: uuid.UUID,
    snapshot_date: date,
    delay_seconds: float,
    batch_id: str | None,
    job_id: str | None,
) -> datetime:
    """Remember to assess ``snapshot_date`` after the delay; returns when."""
    due_at = utcnow() + timedelta(seconds=delay_seconds)
    await repo.schedule_run(
        session,
        event_id=event_id,
        snapshot_date=snapshot_date,
        due_at=due_at,
        batch_id=batch_id,
        job_id=job_id,
    )
    return due_at


async def claim_due_run(session: AsyncSession) -> RowMapping | None:
    return await repo.claim_due_run(session, utcnow())


async def drop_scheduled_run(session: AsyncSession, event_id: uuid.UUID) -> None:
    await repo.delete_scheduled_run(session, event_id)


async def waiting_runs(session: AsyncSession) -> list[RowMapping]:
    return await repo.waiting_runs(session)
