"""All SQL of signals, condition state and vendor freshness."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.models import conditions, signals, vendor_snapshots

CHUNK = 5000
# Rows of ``conditions`` under this name hold the newest date each set condition was evaluated for.
WATERMARK = "_watermark"


async def claim_next(session: AsyncSession) -> RowMapping | None:
    """The oldest due signal with no older pending signal of its type (each type is evaluated in the order
    its events happened: the broker may hand over concurrently consumed events in another order)."""
    result = await session.execute(
        text(
            """
            SELECT s.* FROM notifier.signals s
            WHERE s.evaluated_at IS NULL AND s.next_attempt_at <= now()
              AND NOT EXISTS (
                SELECT 1 FROM notifier.signals o
                WHERE o.evaluated_at IS NULL AND o.type = s.type AND (o.occurred_at, o.id) < (s.occurred_at, s.id)
              )
            ORDER BY s.occurred_at, s.id
            LIMIT 1
            FOR UPDATE SKIP LOCKED
            """
        )
    )
    return result.mappings().first()


async def finish(session: AsyncSession, signal_id: int, outcome: str) -> None:
    await session.execute(
        update(signals)
        .where(signals.c.id == signal_id)
        .values(evaluated_at=func.now(), outcome=outcome[:1000], attempts=signals.c.attempts + 1)
    )


async def postpone(session: AsyncSession, signal_id: int, error: str, delay_seconds: float) -> int:
    result = await session.execute(
        update(signals)
        .where(signals.c.id == signal_id)
        .values(
            attempts=signals.c.attempts + 1,
            last_error=error[:1000],
            next_attempt_at=func.now() + text(f"interval '{float(delay_seconds):.3f} seconds'"),
        )
        .returning(signals.c.attempts)
    )
    return int(result.scalar_one())


async def pending_count(session: AsyncSession) -> int:
    query = select(func.count()).select_from(signals).where(signals.c.evaluated_at.is_(None))
    return int((await session.execute(query)).scalar_one())


async def active_keys(session: AsyncSession, condition: str) -> set[str]:
    query = select(conditions.c.item_key).where(conditions.c.condition == condition)
    return {str(key) for key in (await session.execute(query)).scalars()}


async def activate(session: AsyncSession, condition: str, items: Sequence[Mapping[Any, Any]]) -> list[dict[str, Any]]:
    """Mark items active; returns those that were not active before (their condition starts now)."""
    started: list[dict[str, Any]] = []
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        result = await session.execute(
            insert(conditions)
            .values([{"condition": condition, "item_key": entry["key"], "item": dict(entry)} for entry in chunk])
            .on_conflict_do_update(index_elements=["condition", "item_key"], set_={"last_seen_at": func.now()})
            .returning(conditions.c.item, text("(xmax = 0) AS inserted"))
        )
        started.extend(dict(row.item) for row in result if row.inserted)
    return started


async def deactivate(session: AsyncSession, condition: str, keys: Sequence[str]) -> None:
    for start in range(0, len(keys), CHUNK):
        chunk = list(keys[start : start + CHUNK])
        await session.execute(
            delete(conditions).where(conditions.c.condition == condition, conditions.c.item_key.in_(chunk))
        )


async def active_items(
    session: AsyncSession, condition: str | None, limit: int, offset: int
) -> tuple[list[RowMapping], int]:
    where = [conditions.c.condition == condition] if condition else [conditions.c.condition != WATERMARK]
    rows = (
        (
            await session.execute(
                select(conditions)
                .where(*where)
                .order_by(conditions.c.started_at.desc(), conditions.c.item_key)
                .limit(limit)
                .offset(offset)
            )
        )
        .mappings()
        .all()
    )
    total = (await session.execute(select(func.count()).select_from(conditions).where(*where))).scalar_one()
    return list(rows), int(total)


async def record_snapshot(session: AsyncSession, vendor: str, snapshot_date: date, at: datetime) -> None:
    statement = insert(vendor_snapshots).values(vendor=vendor, snapshot_date=snapshot_date, received_at=at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["vendor"],
            set_={"snapshot_date": statement.excluded.snapshot_date, "received_at": statement.excluded.received_at},
            where=vendor_snapshots.c.received_at <= statement.excluded.received_at,
        )
    )


async def stale_vendors(session: AsyncSession, older_than: datetime) -> Sequence[RowMapping]:
    query = select(vendor_snapshots).where(vendor_snapshots.c.received_at < older_than)
    return (await session.execute(query)).mappings().all()


async def watermark(session: AsyncSession, name: str) -> str | None:
    """The newest value (an ISO date) a set condition was evaluated for, locked until commit."""
    query = (
        select(conditions.c.item)
        .where(conditions.c.condition == WATERMARK, conditions.c.item_key == name)
        .with_for_update()
    )
    found = (await session.execute(query)).scalar_one_or_none()
    return str(found["value"]) if found else None


async def set_watermark(session: AsyncSession, name: str, value: str) -> None:
    statement = insert(conditions).values(condition=WATERMARK, item_key=name, item={"value": value})
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["condition", "item_key"], set_={"item": statement.excluded.item, "last_seen_at": func.now()}
        )
    )
