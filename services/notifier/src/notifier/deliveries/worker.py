"""The delivery worker: sends due deliveries, one transaction per attempt.

A worker claims the oldest due ``pending`` delivery with ``FOR UPDATE SKIP LOCKED`` and keeps the row
locked while it sends; the attempt, the new status and (on a 410) the disabled channel commit together.
A worker killed mid-send never commits: its lock goes with its connection and the delivery is sent
again by the next worker, with the same ``webhook-id`` / ``Message-ID`` so a receiver can tell the repeat
(at-least-once; receivers deduplicate on that id as Standard Webhooks asks).

Retry schedule: ``NOTIFIER_RETRY_BASE_SECONDS × 2^(attempt-1)`` with ±20 % jitter, at most
``NOTIFIER_RETRY_MAX_SECONDS``; a ``Retry-After`` is honoured up to that cap. After
``NOTIFIER_MAX_ATTEMPTS`` the delivery is ``dead`` (metrics and the alert rule see it).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Mapping
from typing import Any

import httpx

from hub_shared.logging import bound, get_logger
from hub_shared.runtime import ServiceRuntime
from notifier.channels.senders import Attachment, Outcome, Target, send_email, send_http
from notifier.channels.service import resolve_target
from notifier.deliveries import repository as repo
from notifier.metrics import DELIVERY_ATTEMPTS
from notifier.settings import NotifierSettings

log = get_logger(__name__)


def retry_delay(settings: NotifierSettings, attempt: int, retry_after: float | None) -> float:
    cap = settings.notifier_retry_max_seconds
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap)
    base = settings.notifier_retry_base_seconds * 2 ** max(0, attempt - 1)
    return min(base * random.uniform(0.8, 1.2), cap)


async def send(
    settings: NotifierSettings,
    client: httpx.AsyncClient,
    target: Target,
    message: Mapping[Any, Any],
    message_id: str,
    attachment: Attachment | None,
) -> Outcome:
    if target.kind == "email":
        return await send_email(settings, target.recipients, message, message_id, attachment)
    return await send_http(settings, client, target, message, message_id)


async def deliver_one(runtime: ServiceRuntime, client: httpx.AsyncClient) -> bool:
    """Attempt one due delivery; False when none is due."""
    settings = runtime.settings
    assert isinstance(settings, NotifierSettings)
    async with runtime.database.transaction() as session:
        row = await repo.claim_due(session)
        if row is None:
            return False
        with bound(delivery_id=row["id"], channel_kind=row["channel_kind"]):
            attempt = int(row["attempts"]) + 1
            channel = await repo.channel(session, row["channel_id"]) if row["channel_id"] is not None else None
            if row["channel_id"] is not None and (channel is None or not channel["enabled"]):
                reason = "channel deleted" if channel is None else f"channel disabled: {channel['disabled_reason']}"
                await repo.finish_attempt(
                    session, row["id"], status="failed", attempts=row["attempts"], error=reason, status_code=None
                )
                return True
            target = resolve_target(channel, row)
            attachment = None
            if row["report_run_id"] is not None:
                found = await repo.report_attachment(session, row["report_run_id"])
                if found is not None and found["content"] is not None:
                    attachment = Attachment(found["filename"], found["content_type"], bytes(found["content"]))
            started = time.perf_counter()
            try:
                outcome = await send(settings, client, target, row["message"], str(row["message_id"]), attachment)
            except Exception as exc:  # a bug in a sender must not wedge the queue on one row
                log.exception("delivery attempt crashed")
                outcome = Outcome("retry", error=f"{type(exc).__name__}: {exc}"[:500])
            duration_ms = int((time.perf_counter() - started) * 1000)
            await repo.record_attempt(
                session, row["id"], attempt, outcome.result, outcome.status_code, outcome.error, duration_ms
            )
            DELIVERY_ATTEMPTS.labels(row["channel_kind"], outcome.result).inc()
            error, code = outcome.error, outcome.status_code
            if outcome.result == "delivered":
                await repo.finish_attempt(
                    session, row["id"], status="delivered", attempts=attempt, error=error, status_code=code
                )
                log.info("delivered", attempts=attempt)
            elif outcome.result == "gone":
                await repo.finish_attempt(
                    session, row["id"], status="failed", attempts=attempt, error=error, status_code=code
                )
                if row["channel_id"] is not None:
                    await repo.disable_channel(session, row["channel_id"], "the receiver answered 410 Gone")
                log.warning("receiver gone; channel disabled", channel_id=row["channel_id"])
            elif outcome.result == "failed":
                await repo.finish_attempt(
                    session, row["id"], status="failed", attempts=attempt, error=error, status_code=code
                )
                log.warning("delivery failed", error=outcome.error)
            elif attempt >= settings.notifier_max_attempts:
                await repo.finish_attempt(
                    session, row["id"], status="dead", attempts=attempt, error=error, status_code=code
                )
                log.error("delivery dead after retries", attempts=attempt, error=outcome.error)
            else:
                delay = retry_delay(settings, attempt, outcome.retry_after)
                await repo.finish_attempt(
                    session,
                    row["id"],
                    status="pending",
                    retry_in_seconds=delay,
                    attempts=attempt,
                    error=error,
                    status_code=code,
                )
                log.info(
                    "delivery will be retried", attempts=attempt, delay_seconds=round(delay, 2), error=outcome.error
                )
    return True


async def delivery_worker(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    assert isinstance(settings, NotifierSettings)
    client = httpx.AsyncClient(follow_redirects=False, trust_env=False)
    runtime.on_stop(client.aclose)
    wake: asyncio.Event = runtime.state.setdefault("delivery_wake", asyncio.Event())

    async def lane() -> None:
        while True:
            try:
                if await deliver_one(runtime, client):
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("delivery worker paused", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), settings.notifier_poll_seconds)
            wake.clear()

    lanes = [asyncio.create_task(lane()) for _ in range(settings.notifier_delivery_concurrency)]
    try:
        await asyncio.gather(*lanes)
    finally:
        for task in lanes:
            task.cancel()
        for task in lanes:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def http_client(runtime: ServiceRuntime) -> httpx.AsyncClient:
    """The process's client for sends made by routes ("send test")."""
    client = runtime.state.get("http_client")
    if client is None:
        client = runtime.state["http_client"] = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        runtime.on_stop(client.aclose)
    assert isinstance(client, httpx.AsyncClient)
    return client


async def send_test(runtime: ServiceRuntime, session: Any, channel: Mapping[Any, Any], now: Any) -> dict[str, Any]:
    """Send a test message to a channel at once (no retries); logged like any delivery."""
    import uuid

    from notifier.channels.formats import subject
    from notifier.deliveries.service import test_message

    settings = runtime.settings
    assert isinstance(settings, NotifierSettings)
    message = test_message(channel, now, settings)
    message_id = uuid.uuid4()
    delivery_id = await repo.insert_delivery(
        session,
        message_id=message_id,
        kind="test",
        channel_id=channel["id"],
        channel_kind=channel["kind"],
        recipients=list(channel["recipients"] or []),
        dedupe_key=f"test:{message_id}",
        subject=subject(message),
        severity="info",
        message=message,
    )
    assert delivery_id is not None
    started = time.perf_counter()
    outcome = await send(settings, http_client(runtime), resolve_target(channel, {}), message, str(message_id), None)
    await repo.record_attempt(
        session,
        delivery_id,
        1,
        outcome.result,
        outcome.status_code,
        outcome.error,
        int((time.perf_counter() - started) * 1000),
    )
    DELIVERY_ATTEMPTS.labels(channel["kind"], outcome.result).inc()
    status = "delivered" if outcome.result == "delivered" else "failed"
    await repo.finish_attempt(
        session, delivery_id, status=status, attempts=1, error=outcome.error, status_code=outcome.status_code
    )
    return {
        "status": status,
        "status_code": outcome.status_code,
        "error": outcome.error,
        "delivery_id": delivery_id,
        "message": f"Test message sent to {channel['name']}"
        if status == "delivered"
        else f"Test message to {channel['name']} failed: {outcome.error}",
    }
