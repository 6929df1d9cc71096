"""All SQL of rules, item snoozes and held items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.models import held_items, item_snoozes, rules


async def create(session: AsyncSession, values: dict[str, Any]) -> RowMapping:
    return (await session.execute(rules.insert().values(**values).returning(rules))).mappings().one()


async def replace(session: AsyncSession, rule_id: int, values: dict[str, Any]) -> RowMapping | None:
    result = await session.execute(
        update(rules).where(rules.c.id == rule_id).values(**values, updated_at=func.now()).returning(rules)
    )
    return result.mappings().first()


async def get(session: AsyncSession, rule_id: int, *, lock: bool = False) -> RowMapping | None:
    query = select(rules).where(rules.c.id == rule_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).mappings().first()


async def remove(session: AsyncSession, rule_id: int) -> bool:
    return (await session.execute(delete(rules).where(rules.c.id == rule_id).returning(rules.c.id))).first() is not None


async def list_all(session: AsyncSession) -> Sequence[RowMapping]:
    return (await session.execute(select(rules).order_by(rules.c.id))).mappings().all()


async def enabled_for(session: AsyncSession, conditions: Iterable[str]) -> Sequence[RowMapping]:
    names = sorted(set(conditions))
    if not names:
        return []
    query = select(rules).where(rules.c.enabled.is_(True), rules.c.condition.in_(names)).order_by(rules.c.id)
    return (await session.execute(query)).mappings().all()


async def set_snooze(
    session: AsyncSession, rule_id: int, until: datetime | None, reason: str | None
) -> RowMapping | None:
    result = await session.execute(
        update(rules)
        .where(rules.c.id == rule_id)
        .values(snoozed_until=until, snooze_reason=reason, updated_at=func.now())
        .returning(rules)
    )
    return result.mappings().first()


async def snooze_item(
    session: AsyncSession, rule_id: int, item_key: str, until: datetime, reason: str, actor: str
) -> RowMapping:
    statement = insert(item_snoozes).values(
        rule_id=rule_id, item_key=item_key, until=until, reason=reason, created_by=actor
    )
    statement = statement.on_conflict_do_update(
        index_elements=["rule_id", "item_key"],
        set_={"until": until, "reason": reason, "created_by": actor, "created_at": func.now()},
    )
    return (await session.execute(statement.returning(item_snoozes))).mappings().one()


async def unsnooze_item(session: AsyncSession, rule_id: int, item_key: str) -> bool:
    result = await session.execute(
        delete(item_snoozes)
        .where(item_snoozes.c.rule_id == rule_id, item_snoozes.c.item_key == item_key)
        .returning(item_snoozes.c.id)
    )
    return result.first() is not None


async def item_snoozes_of(session: AsyncSession, rule_id: int) -> Sequence[RowMapping]:
    query = select(item_snoozes).where(item_snoozes.c.rule_id == rule_id).order_by(item_snoozes.c.id)
    return (await session.execute(query)).mappings().all()


async def snoozed_keys(session: AsyncSession, rule_id: int, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    query = select(item_snoozes.c.item_key).where(
        item_snoozes.c.rule_id == rule_id, item_snoozes.c.until > func.now(), item_snoozes.c.item_key.in_(list(keys))
    )
    return {str(key) for key in (await session.execute(query)).scalars()}


async def hold(session: AsyncSession, rule_id: int, reason: str, signal_id: int | None, items: Sequence[Any]) -> None:
    if items:
        await session.execute(
            held_items.insert(),
            [{"rule_id": rule_id, "reason": reason, "signal_id": signal_id, "item": entry} for entry in items],
        )


async def held(session: AsyncSession, rule_id: int, reason: str, *, lock: bool = True) -> Sequence[RowMapping]:
    query = (
        select(held_items)
        .where(held_items.c.rule_id == rule_id, held_items.c.reason == reason)
        .order_by(held_items.c.id)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return (await session.execute(query)).mappings().all()


async def release(session: AsyncSession, ids: Sequence[int]) -> None:
    if ids:
        await session.execute(delete(held_items).where(held_items.c.id.in_(list(ids))))


async def rules_holding(session: AsyncSession, reason: str) -> Sequence[RowMapping]:
    query = (
        select(rules)
        .where(rules.c.id.in_(select(held_items.c.rule_id).where(held_items.c.reason == reason)))
        .order_by(rules.c.id)
    )
    return (await session.execute(query)).mappings().all()


async def digest_rules(session: AsyncSession) -> Sequence[RowMapping]:
    query = select(rules).where(rules.c.enabled.is_(True), rules.c.delivery_mode == "digest").order_by(rules.c.id)
    return (await session.execute(query)).mappings().all()


async def mark_digest(session: AsyncSession, rule_id: int, at: datetime) -> None:
    await session.execute(update(rules).where(rules.c.id == rule_id).values(last_digest_at=at))


async def held_counts(session: AsyncSession) -> dict[int, dict[str, int]]:
    rows = (
        await session.execute(
            select(held_items.c.rule_id, held_items.c.reason, func.count()).group_by(
                held_items.c.rule_id, held_items.c.reason
            )
        )
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for rule_id, reason, count in rows:
        counts.setdefault(int(rule_id), {})[str(reason)] = int(count)
    return counts
