"""The audit trail as the other domains use it: who made a change (:class:`Actor`), what changed
(:class:`AuditEntry`), recording entries and reading the latest ones (no SQL here; ``repository.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from qbr.audit import repository as repo
from qbr.audit.repository import Actor, ActorSource, AuditEntry

__all__ = ["Actor", "ActorSource", "AuditEntry", "recent", "record"]


async def record(session: AsyncSession, actor: Actor, entries: Sequence[AuditEntry]) -> None:
    """Write ``entries`` under ``actor`` in the caller's transaction (nothing when empty)."""
    await repo.record(session, actor, entries)


async def recent(
    session: AsyncSession, organization_id: int, *, limit: int, action: str | None = None
) -> list[RowMapping]:
    """The organisation's newest entries first (only ``action`` ones when given)."""
    return await repo.recent(session, organization_id, limit=limit, action=action)
