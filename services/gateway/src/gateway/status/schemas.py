"""The answer of ``GET /api/status`` (``reference/response-shapes.md`` §1)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataStatus(Shape):
    status: Literal["current", "stale_data", "out_of_sync"]
    message: str
    latest_date: str | None


class VendorFreshness(Shape):
    latest_date: str | None
    freshness_status: Literal["current", "yesterday", "stale", "very_stale", "no_data"]
    freshness_message: str
    days_old: int | None


class RecentFailure(Shape):
    collector: str
    job_name: str
    job_id: str
    status: str
    message: str | None
    error: str | None
    started_at: str | None
    ended_at: str | None


class CollectorHealth(Shape):
    has_recent_failures: bool
    recent_failures: list[RecentFailure]
    total_failures_last_24h: int


class SystemStatus(Shape):
    data_status: DataStatus
    device_counts: dict[str, int]
    vendor_status: dict[str, VendorFreshness]
    collector_health: CollectorHealth
    warnings: list[str]
    has_warnings: bool
    exception_counts: dict[str, int]
    total_exceptions: int
    generated_at: str
