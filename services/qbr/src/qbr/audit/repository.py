"""All SQL of the audit trail (``qbr.audit_log``): every manual change, with who, when, old and new."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from qbr.models import audit_log

ActorSource = Literal["identity", "cli"]


@dataclass(frozen=True)
class Actor:
    """Who made a change: the gateway-vouched user of a request, or the operator of a CLI import."""

    name: str
    source: ActorSource


@dataclass(frozen=True)
class AuditEntry:
    action: str
    organization_id: int
    subject: str
    period: date | None = None
    old_value: dict[str, Any] | None = None
    new_value: dict[str, Any] | None = None
    details: dict[str, Any] | None = None


async def record(session: AsyncSession, actor: Actor, entries: Sequence[AuditEntry]) -> None:
    if not entries:
        return
    await session.execute(
        insert(audit_log),
        [
            {
                "actor": actor.name,
                "actor_source": actor.source,
                "action": entry.action,
                "organization_id": entry.organization_id,
                "period": entry.period,
                "subject": entry.subject,
                "old_value": entry.old_value,
                "new_value": entry.new_value,
                "details": entry.details,
            }
            for entry in entries
        ],
    )


async def recent(
    session: AsyncSession, organization_id: int, *, limit: int, action: str | None = None
) -> list[RowMapping]:
    query = select(audit_log).where(audit_log.c.organization_id == organization_id)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    rows = await session.execute(query.order_by(audit_log.c.id.desc()).limit(limit))
    return list(rows.mappings())
