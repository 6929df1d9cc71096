"""All SQL of the organisation alias map (``variance.organization_aliases``)."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from variance.models import organization_aliases as aliases


async def list_all(session: AsyncSession) -> list[RowMapping]:
    rows = await session.execute(select(aliases).order_by(func.lower(aliases.c.threatlocker_name), aliases.c.id))
    return list(rows.mappings())


async def find_by_threatlocker_name(session: AsyncSession, name: str) -> RowMapping | None:
    row = await session.execute(
        select(aliases).where(func.lower(func.btrim(aliases.c.threatlocker_name)) == name.strip().lower())
    )
    return row.mappings().first()


async def create(
    session: AsyncSession, *, ninja_name: str, threatlocker_name: str, notes: str | None, created_by: str
) -> RowMapping:
    row = await session.execute(
        insert(aliases)
        .values(ninja_name=ninja_name, threatlocker_name=threatlocker_name, notes=notes, created_by=created_by)
        .returning(aliases)
    )
    return row.mappings().one()


async def remove(session: AsyncSession, alias_id: int) -> RowMapping | None:
    row = await session.execute(delete(aliases).where(aliases.c.id == alias_id).returning(aliases))
    return row.mappings().first()
