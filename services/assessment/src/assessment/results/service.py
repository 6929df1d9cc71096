"""Reading a day's results back: the status counts, the three device lists and one device's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.outcomes import AFTER_FIX, COMPATIBLE, INCOMPATIBLE, NOT_ASSESSED, empty_counts
from assessment.results import repository as repo


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
