"""All SQL of deliveries and their attempts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.models import channels, deliveries, delivery_attempts, report_runs


async def insert_delivery(session: AsyncSession, **values: Any) -> int | None:
    """A new pending delivery; None when its (channel, rule, dedupe key) was already decided."""
    values.setdefault("message_id", uuid.uuid4())
    result = await session.execute(
        insert(deliveries)
        .values(**values)
        .on_conflict_do_nothing(constraint="uq_deliveries_dedupe")
        .returning(deliveries.c.id)
    )
    found = result.scalar_one_or_none()
    return int(found) if found is not None else None


async def claim_due(session: AsyncSession) -> RowMapping | None:
    """The oldest due pending delivery, locked for this transaction (other workers skip it)."""
    result = await session.execute(
        select(deliveries)
        .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= func.now())
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return result.mappings().first()


async def next_due_in(session: AsyncSession) -> float | None:
    value = (
        await session.execute(
            select(func.extract("epoch", func.min(deliveries.c.next_attempt_at) - func.now())).where(
                deliveries.c.status == "pending"
            )
        )
    ).scalar_one_or_none()
    return float(value) if value is not None else None


async def record_attempt(
    session: AsyncSession,
    delivery_id: int,
    attempt: int,
    outcome: str,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
) -> None:
    await session.execute(
        delivery_attempts.insert().values(
            delivery_id=delivery_id,
            attempt=attempt,
            outcome=outcome,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
        )
    )


async def finish_attempt(
    session: AsyncSession,
    delivery_id: int,
    *,
    status: str,
    attempts: int,
    error: str | None,
    status_code: int | None,
    retry_in_seconds: float | None = None,
) -> None:
    values: dict[str, Any] = {
        "status": status,
        "attempts": attempts,
        "last_error": error,
        "last_status_code": status_code,
        "updated_at": func.now(),
    }
    if status == "delivered":
        values["delivered_at"] = func.now()
    if retry_in_seconds is not None:
        values["next_attempt_at"] = func.now() + text(f"interval '{float(retry_in_seconds):.3f} seconds'")
    await session.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(**values))


async def channel(session: AsyncSession, channel_id: int) -> RowMapping | None:
    return (await session.execute(select(channels).where(channels.c.id == channel_id))).mappings().first()


async def disable_channel(session: AsyncSession, channel_id: int, reason: str) -> None:
    await session.execute(
        update(channels)
        .where(channels.c.id == channel_id)
        .values(enabled=False, disabled_reason=reason, updated_at=func.now())
    )


async def report_attachment(session: AsyncSession, run_id: int) -> RowMapping | None:
    return (
        (
            await session.execute(
                select(report_runs.c.filename, report_runs.c.content_type, report_runs.c.content).where(
                    report_runs.c.id == run_id
                )
            )
        )
        .mappings()
        .first()
    )


LIST_COLUMNS = [
    deliveries.c.id,
    deliveries.c.message_id,
    deliveries.c.kind,
    deliveries.c.rule_id,
    deliveries.c.channel_id,
    deliveries.c.report_run_id,
    deliveries.c.channel_kind,
    deliveries.c.recipients,
    deliveries.c.subject,
    deliveries.c.severity,
    deliveries.c.status,
    deliveries.c.attempts,
    deliveries.c.next_attempt_at,
    deliveries.c.last_error,
    deliveries.c.last_status_code,
    deliveries.c.created_at,
    deliveries.c.delivered_at,
    deliveries.c.updated_at,
    (deliveries.c.message["item_count"].as_integer()).label("item_count"),
]


async def list_deliveries(
    session: AsyncSession,
    *,
    status: str | None,
    kind: str | None,
    channel_id: int | None,
    rule_id: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[RowMapping], int]:
    conditions = []
    if status:
        conditions.append(deliveries.c.status == status)
    if kind:
        conditions.append(deliveries.c.kind == kind)
    if channel_id:
        conditions.append(deliveries.c.channel_id == channel_id)
    if rule_id:
        conditions.append(deliveries.c.rule_id == rule_id)
    query = select(*LIST_COLUMNS).where(*conditions).order_by(deliveries.c.id.desc()).limit(limit).offset(offset)
    rows = (await session.execute(query)).mappings().all()
    total = (await session.execute(select(func.count()).select_from(deliveries).where(*conditions))).scalar_one()
    return rows, int(total)


async def get_delivery(session: AsyncSession, delivery_id: int, *, lock: bool = False) -> RowMapping | None:
    query = select(*LIST_COLUMNS, deliveries.c.message).where(deliveries.c.id == delivery_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).mappings().first()


async def attempts_of(session: AsyncSession, delivery_id: int) -> Sequence[RowMapping]:
    return (
        (
            await session.execute(
                select(delivery_attempts)
                .where(delivery_attempts.c.delivery_id == delivery_id)
                .order_by(delivery_attempts.c.attempt, delivery_attempts.c.id)
            )
        )
        .mappings()
        .all()
    )


async def requeue(session: AsyncSession, delivery_id: int) -> None:
    await session.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(status="pending", next_attempt_at=func.now(), updated_at=func.now())
    )


async def status_counts(session: AsyncSession) -> dict[str, int]:
    rows = (await session.execute(select(deliveries.c.status, func.count()).group_by(deliveries.c.status))).all()
    return {str(status): int(count) for status, count in rows}


async def oldest_pending_age(session: AsyncSession) -> float:
    value = (
        await session.execute(
            select(func.coalesce(func.extract("epoch", func.now() - func.min(deliveries.c.created_at)), 0)).where(
                deliveries.c.status == "pending"
            )
        )
    ).scalar_one()
    return float(value)


async def stats(session: AsyncSession) -> dict[str, Any]:
    counts = await status_counts(session)
    last = (
        await session.execute(select(func.max(deliveries.c.delivered_at)).where(deliveries.c.status == "delivered"))
    ).scalar_one_or_none()
    by_kind = (await session.execute(select(deliveries.c.kind, func.count()).group_by(deliveries.c.kind))).all()
    by_channel = (
        await session.execute(select(deliveries.c.channel_kind, func.count()).group_by(deliveries.c.channel_kind))
    ).all()
    return {
        "counts": counts,
        "last_sent_at": last,
        "by_kind": {str(k): int(v) for k, v in by_kind},
        "by_channel_kind": {str(k): int(v) for k, v in by_channel},
    }
