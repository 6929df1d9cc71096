"""Delivery-log routes: ``/api/notifications/deliveries`` (filters, pagination), ``/{id}`` with every
attempt, ``POST /{id}/retry`` (failed or dead → pending), and ``/api/notifications/stats``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from hub_shared.errors import ApiError
from notifier.channels import repository as channels_repo
from notifier.deliveries import repository as repo
from notifier.deliveries.schemas import (
    Attempt,
    Delivery,
    DeliveryDetail,
    DeliveryKind,
    DeliveryList,
    DeliveryStatus,
    Stats,
)
from notifier.rules import repository as rules_repo
from notifier.scheduler import wake_deliveries
from notifier.web import Answer, Reader, Session, Writer, error_responses, runtime_of

router = APIRouter(prefix="/api/notifications", tags=["notifications"])
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Id = Annotated[int, Query(ge=1, le=2**63 - 1)]


def delivery_view(row: Mapping[Any, Any]) -> Delivery:
    return Delivery(**{name: row[name] for name in Delivery.model_fields})


@router.get("/deliveries", summary="The delivery log, newest first")
async def list_deliveries(
    session: Session,
    _caller: Reader,
    status: DeliveryStatus | None = None,
    kind: DeliveryKind | None = None,
    channel_id: Id | None = None,
    rule_id: Id | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Answer[DeliveryList]:
    rows, total = await repo.list_deliveries(
        session, status=status, kind=kind, channel_id=channel_id, rule_id=rule_id, limit=limit, offset=offset
    )
    return Answer(
        data=DeliveryList(items=[delivery_view(row) for row in rows], total=total, limit=limit, offset=offset)
    )


@router.get(
    "/deliveries/{delivery_id}",
    summary="One delivery with its message and every attempt",
    responses=error_responses(404),
)
async def get_delivery(session: Session, _caller: Reader, delivery_id: DeliveryId) -> Answer[DeliveryDetail]:
    row = await repo.get_delivery(session, delivery_id)
    if row is None:
        raise ApiError(404, f"Delivery {delivery_id} not found")
    attempts = await repo.attempts_of(session, delivery_id)
    return Answer(
        data=DeliveryDetail(
            **delivery_view(row).model_dump(),
            message=row["message"],
            attempt_log=[Attempt(**{k: a[k] for k in Attempt.model_fields}) for a in attempts],
        )
    )


@router.post(
    "/deliveries/{delivery_id}/retry",
    summary="Send a failed or dead delivery again (same message id)",
    responses=error_responses(404, 409),
)
async def retry_delivery(
    request: Request, session: Session, _caller: Writer, delivery_id: DeliveryId
) -> Answer[Delivery]:
    row = await repo.get_delivery(session, delivery_id, lock=True)
    if row is None:
        raise ApiError(404, f"Delivery {delivery_id} not found")
    if row["status"] not in ("failed", "dead"):
        raise ApiError(
            409,
            f"Delivery {delivery_id} is {row['status']}; only failed or dead ones are retried",
            code="NOT_RETRYABLE",
        )
    if row["channel_id"] is not None:
        channel = await channels_repo.get(session, row["channel_id"])
        if channel is None or not channel["enabled"]:
            raise ApiError(409, "The channel is deleted or disabled; enable it first", code="CHANNEL_DISABLED")
    await repo.requeue(session, delivery_id)
    updated = await repo.get_delivery(session, delivery_id)
    assert updated is not None
    wake_deliveries(runtime_of(request))
    return Answer(data=delivery_view(updated))


@router.get("/stats", summary="Delivery totals (sent, failed, pending, dead) and what is held")
async def stats(session: Session, _caller: Reader) -> Answer[Stats]:
    found = await repo.stats(session)
    counts = found["counts"]
    held = await rules_repo.held_counts(session)
    return Answer(
        data=Stats(
            total_sent=counts.get("delivered", 0),
            total_failed=counts.get("failed", 0),
            total_pending=counts.get("pending", 0),
            total_dead=counts.get("dead", 0),
            total_rules=len(await rules_repo.list_all(session)),
            total_channels=len(await channels_repo.list_all(session)),
            last_sent_at=found["last_sent_at"],
            deliveries_by_kind=found["by_kind"],
            deliveries_by_channel_kind=found["by_channel_kind"],
            held_items=sum(sum(v.values()) for v in held.values()),
        )
    )
