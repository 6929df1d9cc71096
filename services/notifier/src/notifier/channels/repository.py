"""All SQL of channels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.models import channels


async def create(session: AsyncSession, values: dict[str, Any]) -> RowMapping:
    return (await session.execute(channels.insert().values(**values).returning(channels))).mappings().one()


async def replace(session: AsyncSession, channel_id: int, values: dict[str, Any]) -> RowMapping | None:
    result = await session.execute(
        update(channels).where(channels.c.id == channel_id).values(**values, updated_at=func.now()).returning(channels)
    )
    return result.mappings().first()


async def get(session: AsyncSession, channel_id: int) -> RowMapping | None:
    return (await session.execute(select(channels).where(channels.c.id == channel_id))).mappings().first()


async def by_name(session: AsyncSession, name: str) -> RowMapping | None:
    query = select(channels).where(func.lower(channels.c.name) == name.lower())
    return (await session.execute(query)).mappings().first()


async def get_many(session: AsyncSession, ids: Iterable[int]) -> dict[int, RowMapping]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = (await session.execute(select(channels).where(channels.c.id.in_(wanted)))).mappings().all()
    return {int(row["id"]): row for row in rows}


async def existing_ids(session: AsyncSession, ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    return {int(v) for v in (await session.execute(select(channels.c.id).where(channels.c.id.in_(wanted)))).scalars()}


async def list_all(session: AsyncSession) -> Sequence[RowMapping]:
    return (await session.execute(select(channels).order_by(channels.c.id))).mappings().all()


async def remove(session: AsyncSession, channel_id: int) -> bool:
    result = await session.execute(delete(channels).where(channels.c.id == channel_id).returning(channels.c.id))
    return result.first() is not None
