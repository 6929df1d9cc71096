"""Answers of the delivery-log routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

DeliveryStatus = Literal["pending", "delivered", "failed", "dead"]
DeliveryKind = Literal["alert", "digest", "catchup", "test", "report"]


class Delivery(BaseModel):
    id: int
    message_id: uuid.UUID
    kind: DeliveryKind
    rule_id: int | None
    channel_id: int | None
    report_run_id: int | None
    channel_kind: str
    recipients: list[str]
    subject: str
    severity: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    last_status_code: int | None
    item_count: int | None
    created_at: datetime
    delivered_at: datetime | None
    updated_at: datetime


class Attempt(BaseModel):
    attempt: int
    attempted_at: datetime
    outcome: Literal["delivered", "retry", "failed", "gone"]
    status_code: int | None
    error: str | None
    duration_ms: int | None


class DeliveryDetail(Delivery):
    message: dict[str, Any]
    attempt_log: list[Attempt]


class DeliveryList(BaseModel):
    items: list[Delivery]
    total: int
    limit: int
    offset: int


class Stats(BaseModel):
    total_sent: int
    total_failed: int
    total_pending: int
    total_dead: int
    total_rules: int
    total_channels: int
    last_sent_at: datetime | None
    deliveries_by_kind: dict[str, int]
    deliveries_by_channel_kind: dict[str, int]
    held_items: int
