"""The ``tenantsweep.audit_completed`` event: written to the outbox in the transaction that finishes an
audit (``running`` → ``completed``/``failed``), so the notifier hears of every finished audit exactly when
its findings stop changing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.events import AuditCompleted, new_event
from hub_shared.messaging import enqueue
from tenantsweep.models import messaging

FINISHED = ("completed", "failed")


async def announce_if_finished(session: AsyncSession, before: Mapping[Any, Any], after: Mapping[Any, Any]) -> None:
    if before["status"] in FINISHED or after["status"] not in FINISHED:
        return
    data = AuditCompleted(
        audit_id=int(after["id"]),
        tenant_id=str(after["tenant_id"]),
        tenant_name=str(after["tenant_name"]),
        status=after["status"],
        completed_at=after["completed_at"],
    )
    await enqueue(session, messaging, new_event(data, producer="tenantsweep"))
