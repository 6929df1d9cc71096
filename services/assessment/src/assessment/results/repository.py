"""All SQL of reading results: the newest run of a date, the device lists, counts per organisation,
requirement results by id, and a device's history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, func, literal, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.models import device_results, requirement_results, runs


async def latest_run(session: AsyncSession, snapshot_date: date | None = None) -> RowMapping | None:
    """The newest run of the newest assessed date (or of the given date)."""
    statement = select(runs)
    if snapshot_date is not None:
        statement = statement.where(runs.c.snapshot_date == snapshot_date)
    statement = statement.order_by(runs.c.snapshot_date.desc(), runs.c.assessed_at.desc(), runs.c.run_id.desc())
    return (await session.execute(statement.limit(1))).mappings().first()


async def previous_result_date(session: AsyncSession, snapshot_date: date) -> date | None:
    """The newest date before ``snapshot_date`` that still has per-device results."""
    value = await session.scalar(
        select(func.max(device_results.c.snapshot_date)).where(device_results.c.snapshot_date < snapshot_date)
    )
    return value if isinstance(value, date) else None


_ORGANIZATION = func.coalesce(func.nullif(func.btrim(device_results.c.organization_name), ""), "Unknown")


def _selection(
    snapshot_date: date, verdicts: Sequence[str], already_installed: bool | None, organization: str | None
) -> list[Any]:
    conditions: list[Any] = [
        device_results.c.snapshot_date == snapshot_date,
        device_results.c.verdict.in_(list(verdicts)),
    ]
    if already_installed is not None:
        conditions.append(device_results.c.already_installed.is_(already_installed))
    if organization is not None:
        conditions.append(func.lower(_ORGANIZATION) == organization.lower())
    return conditions


def _was_incompatible(previous_date: date) -> Any:
    earlier = device_results.alias("earlier")
    return (
        select(literal(1))
        .where(
            earlier.c.snapshot_date == previous_date,
            earlier.c.device_id == device_results.c.device_id,
            earlier.c.verdict == "incompatible",
        )
        .exists()
    )


async def newly_incompatible_count(session: AsyncSession, snapshot_date: date, previous_date: date) -> int:
    """Devices incompatible on ``snapshot_date`` that were not incompatible on ``previous_date``."""
    count = await session.scalar(
        select(func.count())
        .select_from(device_results)
        .where(*_selection(snapshot_date, ["incompatible"], None, None), ~_was_incompatible(previous_date))
    )
    return int(count or 0)


async def list_devices(
    session: AsyncSession,
    snapshot_date: date,
    verdicts: Sequence[str],
    *,
    already_installed: bool | None = None,
    organization: str | None = None,
    previous_date: date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[RowMapping]:
    """One page of a date's devices, by organisation then hostname; with the previous date's verdict."""
    columns: list[Any] = [*device_results.columns, _ORGANIZATION.label("organization")]
    statement: Any
    if previous_date is not None:
        earlier = device_results.alias("earlier")
        statement = select(*columns, earlier.c.verdict.label("previous_verdict")).select_from(
            device_results.outerjoin(
                earlier,
                and_(
                    earlier.c.snapshot_date == previous_date,
                    earlier.c.device_id == device_results.c.device_id,
                ),
            )
        )
    else:
        statement = select(*columns, literal(None).label("previous_verdict"))
    statement = (
        statement.where(*_selection(snapshot_date, verdicts, already_installed, organization))
        .order_by(
            func.lower(_ORGANIZATION),
            func.lower(device_results.c.hostname),
            device_results.c.device_id,
        )
        .offset(offset)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list((await session.execute(statement)).mappings())


async def counts_by_organization(
    session: AsyncSession,
    snapshot_date: date,
    verdicts: Sequence[str],
    *,
    already_installed: bool | None = None,
    organization: str | None = None,
) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(_ORGANIZATION, func.count())
        .where(*_selection(snapshot_date, verdicts, already_installed, organization))
        .group_by(_ORGANIZATION)
        .order_by(func.lower(_ORGANIZATION), _ORGANIZATION)
    )
    return [(str(row[0]), int(row[1])) for row in rows]


async def requirement_results_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, RowMapping]:
    if not ids:
        return {}
    rows = await session.execute(select(requirement_results).where(requirement_results.c.result_id.in_(list(set(ids)))))
    return {row["result_id"]: row for row in rows.mappings()}


async def device_history(session: AsyncSession, device_id: int) -> list[RowMapping]:
    """One device's verdict per assessed date, newest first."""
    rows = await session.execute(
        select(
            device_results.c.snapshot_date,
            device_results.c.verdict,
            device_results.c.reason,
            runs.c.assessed_at,
        )
        .join(runs, runs.c.run_id == device_results.c.run_id)
        .where(device_results.c.device_id == device_id)
        .order_by(device_results.c.snapshot_date.desc())
    )
    return list(rows.mappings())
